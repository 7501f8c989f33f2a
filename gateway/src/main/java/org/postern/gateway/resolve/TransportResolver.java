// TransportResolver: trivial-rewrite's "resolve" for the backend -- decides each recipient's transport and
// next hop: FILTER, then the address class (mydestination, virtual_alias_domains, relay_domains, default)
// with relayhost, overridden by transport_maps; error:, retry: and discard: decide without delivery.
// Governed by default_transport, relay_transport, local_transport, relayhost, transport_maps,
// smtp_tls_policy_maps, smtp_tls_security_level, smtp_sasl_*; qmgr calls it for every pending recipient.
package org.postern.gateway.resolve;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postern.core.Envelope;
import org.postern.core.Origin;
import org.postern.core.SmtpReply;
import org.postern.gateway.qmgr.Router;
import org.postern.gateway.resolve.AddressClasses.Kind;
import org.postern.gateway.smtp.Destination;
import org.postern.policies.conf.Config;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.Diagnostic;
import org.postern.policies.table.LookupTable;
import org.postern.policies.table.TableEntry;
import org.postern.policies.table.TableLookupException;
import org.postern.policies.table.Tables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Postfix's rules (resolve.c, transport.c, qmgr_message.c), in order:
 * <ol>
 * <li>a FILTER "transport:nexthop" in the envelope wins (an empty next hop is $myhostname);</li>
 * <li>the null address and addresses starting with '-' bounce (5.1.3);</li>
 * <li>the domain's address class gives transport and next hop: local (mydestination, or an [address]
 *     literal of this machine) local_transport with the domain; virtual alias domains bounce with
 *     5.1.1 "User unknown in virtual alias table" (transport_maps are not consulted); relay_domains
 *     relay_transport, else default_transport, both with relayhost when set, else the domain. A
 *     next hop written in the transport parameter itself (default_transport = smtp:[h]) beats both;</li>
 * <li>transport_maps override that (see {@link NextHop#updatedBy} for empty halves);</li>
 * <li>local mail to double_bounce_sender is discarded;</li>
 * <li>smtp, relay and lmtp make a Destination (MX lookup per Destination.parse) with its TLS level and
 *     SASL credentials; error:text bounces (5.0.0 unless the text starts with a 5.x.x code; a 4.x.x
 *     code defers), retry:text defers (4.0.0), discard:text counts as delivered (2.0.0).</li>
 * </ol>
 * Anything routing cannot use -- an unknown transport, a bad next hop, an unusable table entry -- defers
 * with 4.3.5 (nothing is lost while the postmaster fixes it) and logs a warning naming the setting; a
 * table that cannot answer defers with 4.3.0. Frozen after {@link #from}; routing never blocks.
 */
public final class TransportResolver implements Router {
    static final Logger LOG = LoggerFactory.getLogger("postern.trivial-rewrite");
    private static final Pattern DSN_TEXT = Pattern.compile("([245])\\.(\\d{1,3}\\.\\d{1,3})(?:\\s+(.*))?", Pattern.DOTALL);
    private static final Set<String> DELIVERY = Set.of("smtp", "relay", "lmtp");
    private static final Set<String> KNOWN = Set.of("smtp", "relay", "lmtp", "error", "retry", "discard");

    private final AddressClasses classes;
    private final TransportMaps maps;
    private final DeliveryPolicy policy;
    private final Map<Kind, NextHop> classTransports;
    private final Map<Kind, Origin> classOrigins;
    private final String relayhost;
    private final String myhostname;
    private final String doubleBounceSender;

    TransportResolver(AddressClasses classes, TransportMaps maps, DeliveryPolicy policy, Map<Kind, NextHop> classTransports,
                      Map<Kind, Origin> classOrigins, String relayhost, String myhostname, String doubleBounceSender) {
        this.classes = classes;
        this.maps = maps;
        this.policy = policy;
        this.classTransports = Map.copyOf(classTransports);
        this.classOrigins = Map.copyOf(classOrigins);
        this.relayhost = relayhost;
        this.myhostname = myhostname.toLowerCase(Locale.ROOT);
        this.doubleBounceSender = doubleBounceSender;
    }

    /**
     * The resolver main.cf describes. Blocking (opens table files, lists this machine's interface
     * addresses): call it where the configuration snapshot is built, on a worker thread.
     *
     * @throws ConfigException every error found: bad table names or table files (file:line), a relayhost
     *                         or transport parameter that cannot be used (main.cf:line)
     */
    public static TransportResolver from(Config config, Tables tables) throws ConfigException {
        List<Diagnostic> errors = new ArrayList<>();
        List<LookupTable> transportMaps = open(config, tables, "transport_maps", errors);
        List<LookupTable> tlsMaps = open(config, tables, "smtp_tls_policy_maps", errors);
        boolean sasl = config.getBool("smtp_sasl_auth_enable");
        List<LookupTable> saslMaps = sasl ? open(config, tables, "smtp_sasl_password_maps", errors) : List.of();
        DomainMatch aliasDomains = DomainMatch.NONE;
        String aliasParameter = config.isExplicit("virtual_alias_domains") ? "virtual_alias_domains" : "virtual_alias_maps";
        try {
            aliasDomains = DomainMatch.parse(config.getList("virtual_alias_domains"), tables,
                    config.originOf(aliasParameter), "virtual_alias_domains");
        } catch (ConfigException e) {
            errors.addAll(e.diagnostics());
        }
        String relayhost = config.get("relayhost").strip();
        if (!relayhost.isEmpty()) check(config, "relayhost", new NextHop("smtp", relayhost), errors);
        Map<Kind, NextHop> transports = new EnumMap<>(Kind.class);
        Map<Kind, Origin> origins = new EnumMap<>(Kind.class);
        for (Kind k : List.of(Kind.LOCAL, Kind.RELAY, Kind.DEFAULT)) {
            NextHop hop = NextHop.parse(config.get(k.transportParameter));
            transports.put(k, hop);
            origins.put(k, config.originOf(k.transportParameter));
            check(config, k.transportParameter, hop, errors);
        }
        Destination.TlsPolicy level;
        try {
            level = Destination.TlsPolicy.of(config.get("smtp_tls_security_level"));
        } catch (IllegalArgumentException e) {
            errors.add(Diagnostic.error(config.originOf("smtp_tls_security_level"), "smtp_tls_security_level: " + e.getMessage()));
            level = Destination.TlsPolicy.NONE;
        }
        if (errors.stream().anyMatch(Diagnostic::isError)) throw new ConfigException(errors);
        AddressClasses classes = new AddressClasses(config.mydestination(), AddressClasses.interfaceAddresses(),
                aliasDomains, config.relayDomains());
        TransportMaps maps = new TransportMaps(transportMaps, new TransportMaps.Extensions(config.get("recipient_delimiter"),
                config.getBool("owner_request_special"), config.get("double_bounce_sender")),
                config.getList("parent_domain_matches_subdomains").contains("transport_maps"));
        DeliveryPolicy policy = new DeliveryPolicy(level, tlsMaps, sasl, saslMaps,
                !config.getList("smtp_sasl_security_options").contains("noplaintext"));
        return new TransportResolver(classes, maps, policy, transports, origins, relayhost, config.get("myhostname"),
                config.get("double_bounce_sender"));
    }

    /**
     * postern check: the transport_maps entries (of indexed tables) naming a transport Postern does not
     * have -- at run time their recipients are deferred with "mail system configuration error", as in
     * Postfix -- each as an error at the entry's file:line. Tables that fail to open are from()'s to report.
     */
    public static List<Diagnostic> unknownTransports(Config config, Tables tables) {
        List<Diagnostic> out = new ArrayList<>();
        for (LookupTable t : open(config, tables, "transport_maps", new ArrayList<>())) {
            for (TableEntry e : t.entries()) {
                String transport = NextHop.parse(e.value()).transport();
                if (!transport.isEmpty() && !KNOWN.contains(transport.toLowerCase(Locale.ROOT))) {
                    out.add(Diagnostic.error(e.origin(), "transport_maps: unknown mail transport \"" + transport
                            + "\" (known: " + String.join(", ", KNOWN.stream().sorted().toList())
                            + "); its recipients would be deferred"));
                }
            }
        }
        return out;
    }

    /** A running gateway: {@link #unknownTransports} as warnings, where trivial-rewrite's go (Postfix defers them). */
    public static void warnUnknownTransports(Config config, Tables tables) {
        unknownTransports(config, tables).forEach(d -> LOG.warn("{}", d));
    }

    private static List<LookupTable> open(Config config, Tables tables, String parameter, List<Diagnostic> errors) {
        List<LookupTable> out = new ArrayList<>();
        for (String spec : config.getList(parameter)) {
            try {
                out.add(tables.open(spec, config.originOf(parameter)));
            } catch (ConfigException e) {
                errors.addAll(e.diagnostics());
            }
        }
        return out;
    }

    /** A transport parameter or relayhost: no empty transport; a delivery transport's own next hop must parse. */
    private static void check(Config config, String parameter, NextHop hop, List<Diagnostic> errors) {
        Origin origin = config.originOf(parameter);
        if (hop.transport().isEmpty()) {
            errors.add(Diagnostic.error(origin, parameter + ": null transport is not allowed"));
        } else if (!KNOWN.contains(hop.transport().toLowerCase(Locale.ROOT))) {
            LOG.warn("{}: {}: unknown mail transport \"{}\": its recipients will be deferred (known: {})",
                    origin, parameter, hop.transport(), String.join(", ", KNOWN.stream().sorted().toList()));
        } else if (DELIVERY.contains(hop.transport().toLowerCase(Locale.ROOT)) && !hop.nexthop().isEmpty()) {
            try {
                Destination.parse(hop.transport(), hop.nexthop());
            } catch (IllegalArgumentException e) {
                errors.add(Diagnostic.error(origin, parameter + ": " + e.getMessage()));
            }
        }
    }

    @Override
    public Route route(String recipient, Envelope envelope) {
        String filter = envelope.filter();
        if (filter != null && !filter.isBlank()) {
            return decide(NextHop.parse(filter).withDefaultNexthop(myhostname), envelope, "FILTER " + filter.strip());
        }
        if (recipient.isEmpty()) return Route.error(SmtpReply.of(550, "5.1.3", "null recipient address"));
        if (recipient.startsWith("-")) return Route.error(SmtpReply.of(550, "5.1.3", "bad address syntax"));
        int at = recipient.lastIndexOf('@');
        String domain = at < 0 ? myhostname : DomainMatch.normalize(recipient.substring(at + 1));
        String address = at < 0 ? recipient + "@" + myhostname : recipient.substring(0, at + 1) + domain;
        try {
            Kind kind = classes.classify(domain);
            if (kind == Kind.VIRTUAL_ALIAS) {
                return Route.error(SmtpReply.of(550, "5.1.1", "User unknown in virtual alias table"));
            }
            NextHop hop = classTransports.get(kind)
                    .withDefaultNexthop(kind == Kind.LOCAL || relayhost.isEmpty() ? domain : relayhost);
            String source = kind.transportParameter + " (" + classOrigins.get(kind) + ")";
            Optional<TableEntry> entry = maps.find(address);
            if (entry.isPresent()) {
                hop = hop.updatedBy(NextHop.parse(entry.get().value()), domain);
                source = "transport_maps (" + entry.get().origin() + ")";
            }
            if (kind == Kind.LOCAL && at > 0 && recipient.substring(0, at).equalsIgnoreCase(doubleBounceSender)) {
                LOG.warn("{}: undeliverable postmaster notification discarded", envelope.queueId());
                return Route.discard(SmtpReply.of(250, "2.0.0", "undeliverable postmaster notification discarded"));
            }
            return decide(hop, envelope, source);
        } catch (TableLookupException e) {
            LOG.warn("{}: <{}>: table lookup failed: {}", envelope.queueId(), recipient, e.getMessage());
            return Route.error(SmtpReply.of(451, "4.3.0", "address resolver failure"));
        }
    }

    /** A transport and next hop made into a route; {@code source} names the setting for warnings. */
    private Route decide(NextHop hop, Envelope envelope, String source) {
        String transport = hop.transport().toLowerCase(Locale.ROOT);
        switch (transport) {
            case "error": {
                SmtpReply r = reply(hop.nexthop(), "5.0.0", "Address is undeliverable");
                return Route.error(r.isPositive() ? SmtpReply.of(550, "5.0.0", hop.nexthop()) : r);
            }
            case "retry": {
                SmtpReply r = reply(hop.nexthop(), "4.0.0", "Delivery deferred");
                return Route.error(r.isPositive() ? SmtpReply.of(450, "4.0.0", hop.nexthop()) : r.asTransient());
            }
            case "discard": {
                SmtpReply r = reply(hop.nexthop(), "2.0.0", "discarded");
                return Route.discard(r.isPositive() ? r : SmtpReply.of(250, "2.0.0", hop.nexthop()));
            }
            case "smtp", "relay", "lmtp": {
                try {
                    return Route.to(policy.apply(Destination.parse(transport, hop.nexthop()), hop.nexthop()));
                } catch (IllegalArgumentException e) {
                    return configurationError(envelope, source + ": " + hop + ": " + e.getMessage());
                } catch (DeliveryPolicy.BadEntry e) {
                    return configurationError(envelope, e.origin + ": " + e.getMessage());
                } catch (TableLookupException e) {
                    LOG.warn("{}: next hop {}: table lookup failed: {}", envelope.queueId(), hop, e.getMessage());
                    return Route.error(SmtpReply.of(451, "4.3.0", "address resolver failure"));
                }
            }
            default:
                return configurationError(envelope, source + ": unknown mail transport \"" + hop.transport() + "\"");
        }
    }

    private static Route configurationError(Envelope envelope, String why) {
        LOG.warn("{}: {}", envelope.queueId(), why);
        return Route.error(SmtpReply.of(451, "4.3.5", "mail system configuration error"));
    }

    /**
     * Postfix's dsn_split(): a leading RFC 3463 code ("5.1.1 text") sets the status, else {@code dsn}; an
     * empty text becomes {@code emptyText}. The reply code follows the status class (250, 450, 550).
     */
    static SmtpReply reply(String text, String dsn, String emptyText) {
        String t = text.strip();
        Matcher m = DSN_TEXT.matcher(t);
        String status = dsn;
        if (m.matches()) {
            status = m.group(1) + "." + m.group(2);
            t = m.group(3) == null ? "" : m.group(3).strip();
        }
        if (t.isEmpty()) t = emptyText;
        int code = switch (status.charAt(0)) {
            case '2' -> 250;
            case '4' -> 450;
            default -> 550;
        };
        return SmtpReply.of(code, status, t);
    }
}
