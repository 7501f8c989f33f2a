// DeliveryPolicy: what an SMTP next hop needs besides its address -- the TLS level (smtp_tls_policy_maps
// keyed by the next hop as written, else smtp_tls_security_level) and, with smtp_sasl_auth_enable, the
// credentials of smtp_sasl_password_maps (next hop as written, then its host name). Used by TransportResolver.
package org.postern.gateway.resolve;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.postern.core.Origin;
import org.postern.gateway.smtp.Destination;
import org.postern.gateway.smtp.Destination.TlsPolicy;
import org.postern.policies.table.LookupTable;
import org.postern.policies.table.TableEntry;
import org.postern.policies.table.TableLookupException;

/** Frozen; lookups are in memory and never block. LMTP destinations are returned unchanged. */
final class DeliveryPolicy {
    /** A table value Postern cannot use; the recipient is deferred and the entry's file:line logged. */
    static final class BadEntry extends Exception {
        private static final long serialVersionUID = 1L;
        final transient Origin origin;

        BadEntry(Origin origin, String message) {
            super(message, null, false, false);
            this.origin = origin;
        }
    }

    static final DeliveryPolicy NONE = new DeliveryPolicy(TlsPolicy.NONE, List.of(), false, List.of(), false);

    private final TlsPolicy defaultLevel;
    private final List<LookupTable> tlsPolicyMaps;
    private final boolean saslEnabled;
    private final List<LookupTable> saslPasswordMaps;
    private final boolean saslPlaintext;

    /**
     * @param saslPlaintext smtp_sasl_security_options without noplaintext: credentials may go over a
     *                      connection without TLS
     */
    DeliveryPolicy(TlsPolicy defaultLevel, List<LookupTable> tlsPolicyMaps, boolean saslEnabled,
                   List<LookupTable> saslPasswordMaps, boolean saslPlaintext) {
        this.defaultLevel = defaultLevel;
        this.tlsPolicyMaps = List.copyOf(tlsPolicyMaps);
        this.saslEnabled = saslEnabled;
        this.saslPasswordMaps = List.copyOf(saslPasswordMaps);
        this.saslPlaintext = saslPlaintext;
    }

    /**
     * {@code d} with its TLS level and SASL credentials; {@code nexthop} is the next hop as routing wrote
     * it ("example.com", "[mail.example.com]:587"), the key Postfix looks up.
     *
     * @throws TableLookupException a table could not answer (defer)
     * @throws BadEntry             a policy or password entry Postern cannot use (defer; configuration error)
     */
    Destination apply(Destination d, String nexthop) throws TableLookupException, BadEntry {
        if (d.protocol() != Destination.Protocol.SMTP) return d;
        String key = nexthop.strip().toLowerCase(Locale.ROOT);
        Optional<TableEntry> tls = find(tlsPolicyMaps, key);
        Destination out = d.withTls(tls.isPresent() ? level(tls.get()) : defaultLevel);
        if (!saslEnabled) return out;
        Optional<TableEntry> pw = find(saslPasswordMaps, key);
        if (pw.isEmpty() && !d.host().equals(key)) pw = find(saslPasswordMaps, d.host());
        if (pw.isEmpty()) return out;
        String v = pw.get().value().strip();
        int colon = v.indexOf(':');
        if (colon <= 0) {
            throw new BadEntry(pw.get().origin(), "smtp_sasl_password_maps: expected username:password for " + key);
        }
        return out.withSasl(new Destination.SaslCredentials(v.substring(0, colon), v.substring(colon + 1), saslPlaintext));
    }

    /**
     * The security level, the first word of the entry (attributes such as match= or protocols= are
     * ignored). "dane" is taken as "may": Postern does no DANE, and Postfix itself falls back to "may"
     * when the TLSA records are not DNSSEC-validated. dane-only and fingerprint cannot be honoured.
     */
    private static TlsPolicy level(TableEntry e) throws BadEntry {
        String word = e.value().strip().split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
        if (word.equals("dane")) return TlsPolicy.MAY;
        try {
            return TlsPolicy.of(word);
        } catch (IllegalArgumentException x) {
            throw new BadEntry(e.origin(), "smtp_tls_policy_maps: unsupported TLS security level \"" + word
                    + "\" (supported: none, may, encrypt, verify, secure, dane)");
        }
    }

    /** The first table with the key wins; pattern tables see the same whole key. */
    private static Optional<TableEntry> find(List<LookupTable> tables, String key) throws TableLookupException {
        for (LookupTable t : tables) {
            Optional<TableEntry> e = t.find(key);
            if (e.isPresent()) return e;
        }
        return Optional.empty();
    }
}
