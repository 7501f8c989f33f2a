// AddressRewriting: cleanup's address rewriting of one configuration snapshot, applied to the envelope
// just before it is committed -- canonical_maps (sender_/recipient_), masquerade_domains,
// append_at_myorigin, virtual_alias_maps -- and the REDIRECT/BCC edits of the checks after it; and to
// the address headers as they stream (local_header_rewrite_clients, remote_header_rewrite_domain).
package org.postern.gateway.cleanup;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.postern.core.ClientInfo;
import org.postern.core.Envelope;
import org.postern.core.Recipient;
import org.postern.core.SmtpReply;
import org.postern.policies.conf.Config;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.Diagnostic;
import org.postern.policies.table.LookupTable;
import org.postern.policies.table.TableLookupException;
import org.postern.policies.table.Tables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Immutable; built once per smtpd service from its Config (master.cf -o overrides included) and shared
 * by its sessions. {@link #apply} is pure computation over in-memory tables: safe on an event loop.
 */
public final class AddressRewriting {
    /** No rewriting at all: the envelope is queued as smtpd accepted it (only REDIRECT/BCC apply). */
    public static final AddressRewriting NONE = new AddressRewriting(null, null, null, null, LocalHeaderClients.NONE, null);

    private static final Logger LOG = LoggerFactory.getLogger("postern.cleanup");

    /**
     * What happened to an envelope: the envelope to queue, or the reply that refuses the message
     * (451: a table failed, or alias expansion broke a limit); and the warnings to log, each
     * "QUEUEID: text" as Postfix's cleanup logs them.
     */
    public record Result(Envelope envelope, SmtpReply refusal, List<String> warnings) {
        public Result {
            warnings = List.copyOf(warnings);
        }
    }

    private final AddressRewriter rewriter;     // null: NONE
    private final VirtualAliasExpander virtual; // null: NONE
    private final HeaderAddressRewriter localHeaders;  // null: NONE
    private final HeaderAddressRewriter remoteHeaders; // null: remote_header_rewrite_domain is empty (or NONE)
    private final LocalHeaderClients localClients;
    private final HeaderAddressRewriter headers;       // the context of this instance; null: headers stay as they are

    private AddressRewriting(AddressRewriter rewriter, VirtualAliasExpander virtual, HeaderAddressRewriter localHeaders,
                             HeaderAddressRewriter remoteHeaders, LocalHeaderClients localClients, HeaderAddressRewriter headers) {
        this.rewriter = rewriter;
        this.virtual = virtual;
        this.localHeaders = localHeaders;
        this.remoteHeaders = remoteHeaders;
        this.localClients = localClients;
        this.headers = headers;
    }

    /**
     * This rewriting for mail from {@code client}, as Postfix's smtpd chooses cleanup's header rewriting
     * context: a client that local_header_rewrite_clients lists gets the local context (incomplete header
     * addresses completed with $myorigin, $mydomain); any other gets the remote context
     * (remote_header_rewrite_domain), or -- when that is empty, the default -- no header rewriting at
     * all, canonical maps and masquerading included. The envelope is rewritten alike for every client.
     * Without this call an instance rewrites headers in the local context, as Postfix's cleanup does
     * for mail that names no context. In-memory lookups only: safe on an event loop.
     */
    public AddressRewriting forClient(ClientInfo client) {
        if (rewriter == null) return this;
        boolean local;
        try {
            local = localClients.matches(client);
        } catch (TableLookupException e) {
            LOG.warn("local_header_rewrite_clients: table lookup problem for {}: {} -- header addresses are"
                    + " not rewritten as for a local client", client.address(), e.getMessage());
            local = false;
        }
        HeaderAddressRewriter chosen = local ? localHeaders : remoteHeaders;
        return chosen == headers ? this
                : new AddressRewriting(rewriter, virtual, localHeaders, remoteHeaders, localClients, chosen);
    }

    /** The header rewriting of this instance's context; null when headers are left as they are. */
    HeaderAddressRewriter headers() {
        return headers;
    }

    /**
     * The rewriting {@code c} configures, opening its tables through {@code tables}. Blocking (reads
     * table files): call it where the snapshot is built, on a worker thread.
     *
     * @throws ConfigException every problem, at the main.cf (or master.cf) line that names it
     */
    public static AddressRewriting from(Config c, Tables tables) throws ConfigException {
        List<Diagnostic> errors = new ArrayList<>();
        AddressForm form = AddressForm.from(c);
        AddressMap sender = map(c, tables, form, "sender_canonical_maps", errors);
        AddressMap recipient = map(c, tables, form, "recipient_canonical_maps", errors);
        AddressMap common = map(c, tables, form, "canonical_maps", errors);
        AddressMap virtualMap = map(c, tables, form, "virtual_alias_maps", errors);
        Set<AddressRewriter.AddressClass> senderClasses = classes(c, "sender_canonical_classes", errors);
        Set<AddressRewriter.AddressClass> recipientClasses = classes(c, "recipient_canonical_classes", errors);
        Set<AddressRewriter.AddressClass> commonClasses = classes(c, "canonical_classes", errors);
        Set<AddressRewriter.AddressClass> masqClasses = classes(c, "masquerade_classes", errors);
        Masquerade masquerade = Masquerade.NONE;
        try {
            masquerade = Masquerade.of(c.getList("masquerade_domains"), c.getList("masquerade_exceptions"), tables,
                    c.originOf("masquerade_exceptions"));
        } catch (ConfigException e) {
            prefixed("masquerade_exceptions", e, errors);
        }
        List<String> propagate = c.getList("propagate_unmatched_extensions");
        for (String p : propagate) {
            if (!Set.of("canonical", "virtual", "alias", "forward", "include").contains(p.toLowerCase(Locale.ROOT))) {
                errors.add(Diagnostic.error(c.originOf("propagate_unmatched_extensions"),
                        "propagate_unmatched_extensions: unknown value \"" + p
                                + "\"; expected canonical, virtual, alias, forward or include"));
            }
        }
        int[] limits = new int[3];
        String[] limitNames = {"virtual_alias_expansion_limit", "virtual_alias_recursion_limit",
                "virtual_alias_address_length_limit"};
        for (int i = 0; i < limits.length; i++) {
            limits[i] = c.getInt(limitNames[i]);
            if (limits[i] < 1) {
                errors.add(Diagnostic.error(c.originOf(limitNames[i]), limitNames[i] + " = " + limits[i]
                        + ": must be at least 1"));
            }
        }
        LocalHeaderClients localClients = LocalHeaderClients.NONE;
        try {
            localClients = LocalHeaderClients.from(c, tables);
        } catch (ConfigException e) {
            errors.addAll(e.diagnostics());
        }
        if (!errors.isEmpty()) throw new ConfigException(errors);
        boolean propagateCanonical = propagate.stream().anyMatch(p -> p.equalsIgnoreCase("canonical"));
        boolean propagateVirtual = propagate.stream().anyMatch(p -> p.equalsIgnoreCase("virtual"));
        AddressRewriter.Canonical senderCanonical = new AddressRewriter.Canonical(sender, senderClasses);
        AddressRewriter.Canonical recipientCanonical = new AddressRewriter.Canonical(recipient, recipientClasses);
        AddressRewriter.Canonical commonCanonical = new AddressRewriter.Canonical(common, commonClasses);
        AddressRewriter rewriter = new AddressRewriter(form, senderCanonical, recipientCanonical, commonCanonical,
                masquerade, masqClasses, propagateCanonical);
        HeaderAddressRewriter localHeaders = HeaderAddressRewriter.of(form, senderCanonical, recipientCanonical, commonCanonical,
                masquerade, masqClasses, propagateCanonical);
        String remoteDomain = c.get("remote_header_rewrite_domain").strip();
        HeaderAddressRewriter remoteHeaders = remoteDomain.isEmpty() ? null
                : HeaderAddressRewriter.of(remoteForm(form, remoteDomain), senderCanonical, recipientCanonical, commonCanonical,
                        masquerade, masqClasses, propagateCanonical);
        return new AddressRewriting(rewriter,
                new VirtualAliasExpander(virtualMap, limits[0], limits[1], limits[2], propagateVirtual),
                localHeaders, remoteHeaders, localClients, localHeaders);
    }

    /** trivial-rewrite's "remote" context: remote_header_rewrite_domain for both @$myorigin and .$mydomain. */
    private static AddressForm remoteForm(AddressForm local, String domain) {
        return new AddressForm(domain, domain, local.mydestination(), local.appendAtMyorigin(), local.appendDotMydomain(),
                local.delimiters(), local.ownerRequestSpecial(), local.doubleBounce());
    }

    /**
     * The envelope as cleanup queues it: the sender rewritten; each recipient rewritten and expanded,
     * keeping the address the client gave as {@link Recipient#original()} and, when the client gave no
     * ORCPT, an ORCPT made from it (as Postfix's smtpd and cleanup record it); duplicates removed as
     * Postfix does (one copy per final address, ORCPT, NOTIFY and given address, case-insensitive).
     * Then REDIRECT replaces the recipients with its (qualified) address and each BCC address, itself
     * rewritten and expanded, is added with NOTIFY=NEVER unless already a recipient.
     *
     * @param redirect the REDIRECT address of the checks, or null
     * @param bccs     the BCC addresses of the checks
     */
    public Result apply(Envelope env, String redirect, List<String> bccs) {
        if (rewriter == null) return new Result(EnvelopeEdits.apply(env, redirect, bccs), null, List.of());
        String id = env.queueId().value();
        List<String> warnings = new ArrayList<>();
        try {
            String sender = rewriter.sender(env.sender(), warnings);
            List<Recipient> recipients = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (Recipient r : env.recipients()) {
                for (String a : expanded(rewriter.recipient(r.address(), warnings))) {
                    String key = (r.orcpt() == null ? orcpt(r.givenAddress()) : r.orcpt()) + "\n"
                            + new TreeSet<>(r.notifyOn()) + "\n" + r.givenAddress() + "\n" + a;
                    if (seen.add(key.toLowerCase(Locale.ROOT))) recipients.add(rewritten(r, a));
                }
            }
            List<String> bccAddresses = new ArrayList<>();
            for (String bcc : bccs) bccAddresses.addAll(expanded(rewriter.recipient(bcc, warnings)));
            Envelope rewritten = new Envelope(env.queueId(), env.arrival(), env.client(), sender, recipients,
                    env.declaredSize(), env.body(), env.smtputf8(), env.ret(), env.envid(), env.filter());
            String redirectTo = redirect == null ? null : rewriter.form().qualify(redirect);
            return new Result(EnvelopeEdits.apply(rewritten, redirectTo, bccAddresses), null, prefixed(id, warnings));
        } catch (RewriteFailure f) {
            warnings.add(f.getMessage());
            return new Result(null, f.reply(), prefixed(id, warnings));
        }
    }

    /** The expansion, its own duplicates removed (Postfix compares these exactly). */
    private List<String> expanded(String address) throws RewriteFailure {
        List<String> out = new ArrayList<>();
        for (String a : virtual.expand(address)) {
            if (!out.contains(a)) out.add(a);
        }
        return out;
    }

    /** {@code r} delivered to {@code address}: unchanged when that is its address, else rewritten. */
    private static Recipient rewritten(Recipient r, String address) {
        if (address.equals(r.address())) return r;
        String given = r.givenAddress();
        if (address.equals(given)) return new Recipient(address, r.notifyOn(), r.orcpt());
        return r.rewrittenTo(address, r.orcpt() != null ? r.orcpt() : orcpt(given));
    }

    /** The ORCPT Postfix's smtpd records for an address given without one (RFC 3461, RFC 6533 for UTF-8). */
    static String orcpt(String given) {
        boolean ascii = given.chars().allMatch(ch -> ch < 0x80);
        return (ascii ? "rfc822;" : "utf-8;") + given;
    }

    private static List<String> prefixed(String queueId, List<String> warnings) {
        return warnings.stream().map(w -> queueId + ": " + w).toList();
    }

    private static AddressMap map(Config c, Tables tables, AddressForm form, String parameter, List<Diagnostic> errors) {
        List<LookupTable> out = new ArrayList<>();
        for (String spec : c.getList(parameter)) {
            try {
                out.add(tables.open(spec, c.originOf(parameter)));
            } catch (ConfigException e) {
                prefixed(parameter, e, errors);
            }
        }
        return new AddressMap(parameter, out, form);
    }

    private static Set<AddressRewriter.AddressClass> classes(Config c, String parameter, List<Diagnostic> errors) {
        try {
            return AddressRewriter.AddressClass.parse(parameter, c.getList(parameter), c.originOf(parameter));
        } catch (ConfigException e) {
            errors.addAll(e.diagnostics());
            return Set.of();
        }
    }

    private static void prefixed(String parameter, ConfigException e, List<Diagnostic> errors) {
        for (Diagnostic d : e.diagnostics()) {
            errors.add(new Diagnostic(d.origin(), d.severity(), parameter + ": " + d.message()));
        }
    }
}
