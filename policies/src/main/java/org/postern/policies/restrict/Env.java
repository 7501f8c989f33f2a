// Env: the resources shared by every restriction of one SmtpdRestrictions snapshot -- the Config,
// the table registry, DNS, worker services, policy clients, restriction classes, the parser for
// access-table values -- plus the tables of *_maps parameters, each opened once at load.
package org.postern.policies.restrict;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postern.core.Origin;
import org.postern.policies.conf.Config;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.Diagnostic;
import org.postern.policies.dns.DnsResolver;
import org.postern.policies.dns.DnsblSyntaxException;
import org.postern.policies.dns.RblReplyTemplate;
import org.postern.policies.table.AccessLookup;
import org.postern.policies.table.LookupTable;
import org.postern.policies.table.Tables;

/** Built and filled during the load (one thread); read-only afterwards. */
final class Env {
    final Config config;
    final Tables tables;
    final DnsResolver dns;
    final RestrictionServices services;
    final AccessLookup.Options accessOptions;
    final boolean delayReject;
    final boolean saslEnabled;
    final String myorigin;
    final List<Diagnostic> warnings = new ArrayList<>();
    final Map<String, PolicyClient> policyClients = new LinkedHashMap<>();
    final RestrictionClasses classes;
    final RestrictionListParser parser;
    final AccessResults accessResults;
    private final Map<String, AddressMaps> addressMaps = new HashMap<>();
    private final Map<String, List<LookupTable>> tableLists = new HashMap<>();
    private RblReplies rblReplies;
    private VirtualAliasDomains virtualAliasDomains;

    Env(Config config, Tables tables, DnsResolver dns, RestrictionServices services) throws ConfigException {
        this.config = config;
        this.tables = tables;
        this.dns = dns;
        this.services = services;
        this.accessOptions = AccessLookup.Options.from(config);
        this.delayReject = config.getBool("smtpd_delay_reject");
        this.saslEnabled = config.getBool("smtpd_sasl_auth_enable");
        this.myorigin = config.get("myorigin");
        this.parser = new RestrictionListParser(this);
        this.classes = new RestrictionClasses(this);
        this.accessResults = new AccessResults(this);
    }

    int code(String parameter) {
        return config.getInt(parameter);
    }

    /** The tables named by a *_maps parameter, opened once; errors at the parameter's main.cf line. */
    List<LookupTable> tables(String parameter) throws ConfigException {
        List<LookupTable> known = tableLists.get(parameter);
        if (known != null) return known;
        Origin at = config.originOf(parameter);
        List<LookupTable> out = new ArrayList<>();
        List<Diagnostic> errors = new ArrayList<>();
        for (String spec : config.getList(parameter)) {
            try {
                out.add(tables.open(spec, at));
            } catch (ConfigException e) {
                for (Diagnostic d : e.diagnostics()) {
                    errors.add(new Diagnostic(d.origin(), d.severity(), parameter + ": " + d.message()));
                }
            }
        }
        if (!errors.isEmpty()) throw new ConfigException(errors);
        tableLists.put(parameter, List.copyOf(out));
        return List.copyOf(out);
    }

    /** relay_recipient_maps or smtpd_sender_login_maps, searched as mail_addr_find(). */
    AddressMaps addressMaps(String parameter) throws ConfigException {
        AddressMaps known = addressMaps.get(parameter);
        if (known != null) return known;
        AddressMaps m = new AddressMaps(parameter, tables(parameter), accessOptions.recipientDelimiters(),
                accessOptions.ownerRequestSpecial(), accessOptions.doubleBounceSender());
        addressMaps.put(parameter, m);
        return m;
    }

    /**
     * relocated_maps and the canonical/virtual tables, searched as mail_addr_find() with the bare-user
     * keys for addresses in $myorigin or $mydestination.
     */
    AddressMaps localAddressMaps(String parameter) throws ConfigException {
        String key = parameter + " (local)";
        AddressMaps known = addressMaps.get(key);
        if (known != null) return known;
        AddressMaps m = new AddressMaps(parameter, tables(parameter), accessOptions.recipientDelimiters(),
                accessOptions.ownerRequestSpecial(), accessOptions.doubleBounceSender(),
                domain -> domain.equalsIgnoreCase(myorigin) || config.mydestination().matches(domain));
        addressMaps.put(key, m);
        return m;
    }

    /** virtual_alias_domains, parsed once (by the load, for reject_unlisted_recipient at the latest). */
    VirtualAliasDomains virtualAliasDomains() throws ConfigException {
        if (virtualAliasDomains == null) virtualAliasDomains = VirtualAliasDomains.load(this);
        return virtualAliasDomains;
    }

    /** virtual_alias_domains as the load parsed it; for checks that run after the load. */
    VirtualAliasDomains loadedVirtualAliasDomains() {
        return virtualAliasDomains != null ? virtualAliasDomains : VirtualAliasDomains.NONE;
    }

    /** The RBL reply settings, checked once: default_rbl_reply, rbl_reply_maps, maps_rbl_reject_code. */
    RblReplies rblReplies() throws ConfigException {
        if (rblReplies != null) return rblReplies;
        int code = config.getInt("maps_rbl_reject_code");
        if (code < 400 || code > 599) {
            throw error(config.originOf("maps_rbl_reject_code"), "maps_rbl_reject_code = " + code + ": not a 4xx or 5xx code");
        }
        // Postfix reads default_rbl_reply unexpanded ($rbl_code ... are template variables, not parameters)
        String text = config.isExplicit("default_rbl_reply") ? config.raw("default_rbl_reply") : config.get("default_rbl_reply");
        RblReplyTemplate template;
        try {
            template = RblReplyTemplate.parse(text);
        } catch (DnsblSyntaxException e) {
            throw error(config.originOf("default_rbl_reply"), "default_rbl_reply: " + e.getMessage());
        }
        rblReplies = new RblReplies(template, tables("rbl_reply_maps"));
        return rblReplies;
    }

    void warn(Origin origin, String message) {
        warnings.add(Diagnostic.warning(origin, message));
    }

    /** An error about a restriction at {@code p}: {@code LIST: message} at the list's line. */
    static ConfigException error(Place p, String message) {
        return error(p.origin(), p.listName() + ": " + message);
    }

    static ConfigException error(Origin origin, String message) {
        return new ConfigException(List.of(Diagnostic.error(origin, message)));
    }
}
