// AccessLookup: the access(5) search order over one table, as smtpd_check.c's check_*_access: user@domain,
// domain and parents, user@; an IP and its prefixes. Governed by parent_domain_matches_subdomains,
// recipient_delimiter, owner_request_special, double_bounce_sender, smtpd_null_access_lookup_key.
package org.postern.policies.table;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.postern.policies.conf.Config;

/**
 * Finds the access-table entry for an address, domain or client IP. Pattern tables (regexp:,
 * pcre:, cidr:) are queried with the whole string only; partial keys (parent domains, user@,
 * network prefixes) go to indexed tables only -- exactly as Postfix. The first key found wins,
 * so a DUNNO entry stops the search like any other value (the caller interprets the value).
 */
public final class AccessLookup {

    /** The main.cf settings that shape the search. */
    public record Options(boolean parentMatchesSubdomains, String recipientDelimiters, boolean ownerRequestSpecial,
                          String doubleBounceSender, String nullSenderKey) {
        public Options {
            Objects.requireNonNull(recipientDelimiters, "recipientDelimiters");
            Objects.requireNonNull(doubleBounceSender, "doubleBounceSender");
            Objects.requireNonNull(nullSenderKey, "nullSenderKey");
        }

        /** Postfix's defaults: example.com matches subdomains, no extensions, null sender key "<>". */
        public static Options defaults() {
            return new Options(true, "", true, "double-bounce", "<>");
        }

        /** From a configuration: parent style from "smtpd_access_maps" in parent_domain_matches_subdomains. */
        public static Options from(Config config) {
            return new Options(config.getList("parent_domain_matches_subdomains").contains("smtpd_access_maps"),
                    config.get("recipient_delimiter"), config.getBool("owner_request_special"),
                    config.get("double_bounce_sender"), config.get("smtpd_null_access_lookup_key"));
        }
    }

    /** What matched: the key that was found (e.g. "example.com" for user@sub.example.com) and its entry. */
    public record Match(String key, TableEntry entry) {}

    private final LookupTable table;
    private final Options options;

    public AccessLookup(LookupTable table, Options options) {
        this.table = Objects.requireNonNull(table, "table");
        this.options = Objects.requireNonNull(options, "options");
    }

    public LookupTable table() {
        return table;
    }

    /**
     * check_sender_access / check_recipient_access. {@code address} is the envelope address after
     * rewriting (user@domain); the empty string is the null sender, looked up as
     * smtpd_null_access_lookup_key. Order: user+ext@domain, user@domain, domain and parents,
     * user+ext@, user@. An address without '@' is not looked up (Postfix: "no @domain in address").
     */
    public Optional<Match> mailAddress(String address) throws TableLookupException {
        if (address.isEmpty()) return lookup(List.of(options.nullSenderKey()), true);
        int at = address.lastIndexOf('@');
        if (at < 0) return Optional.empty();
        Optional<String> bare = AddressExtension.strip(address, options.recipientDelimiters(),
                options.ownerRequestSpecial(), options.doubleBounceSender());
        Optional<Match> m = lookup(List.of(address), true);
        if (m.isPresent()) return m;
        if (bare.isPresent() && (m = lookup(List.of(bare.get()), false)).isPresent()) return m;
        if ((m = lookup(domainKeys(address.substring(at + 1)), false)).isPresent()) return m;
        if ((m = lookup(List.of(address.substring(0, at + 1)), false)).isPresent()) return m;
        if (bare.isPresent()) {
            String b = bare.get();
            return lookup(List.of(b.substring(0, b.lastIndexOf('@') + 1)), false);
        }
        return Optional.empty();
    }

    /**
     * check_helo_access, and the name half of check_client_access: the name, then its parent
     * domains (example.com or .example.com keys, per parent_domain_matches_subdomains). An IP
     * address literal gets no parent-domain search.
     */
    public Optional<Match> domain(String domain) throws TableLookupException {
        List<String> keys = domainKeys(domain);
        if (keys.isEmpty()) return Optional.empty();
        Optional<Match> m = lookup(keys.subList(0, 1), true);
        return m.isPresent() ? m : lookup(keys.subList(1, keys.size()), false);
    }

    /**
     * The address half of check_client_access: 1.2.3.4, 1.2.3, 1.2, 1; for IPv6 the compressed
     * form (as Postfix prints a client address) and its prefixes cut at each ':'
     * (2001:db8::1, 2001:db8:, 2001:db8, 2001). An IPv4-mapped IPv6 address is looked up as IPv4,
     * as Postfix's smtpd sees such a client.
     */
    public Optional<Match> clientAddress(String address) throws TableLookupException {
        String addr = canonicalAddress(address);
        char delimiter = addr.indexOf(':') >= 0 ? ':' : '.';
        List<String> keys = new ArrayList<>();
        for (String k = addr; ; ) {
            keys.add(k);
            int cut = k.lastIndexOf(delimiter);
            if (cut < 0) break;
            k = k.substring(0, cut);
        }
        Optional<Match> m = lookup(keys.subList(0, 1), true);
        return m.isPresent() ? m : lookup(keys.subList(1, keys.size()), false);
    }

    /** check_client_access: the client name (unless "unknown" yields nothing), then its address. */
    public Optional<Match> client(String name, String address) throws TableLookupException {
        Optional<Match> m = domain(name);
        return m.isPresent() ? m : clientAddress(address);
    }

    /** The address as Postfix prints it (inet_ntop), or {@code address} unchanged when not a literal. */
    static String canonicalAddress(String address) {
        byte[] raw = IpAddress.parse(address);
        if (raw == null) return address;
        if (IpAddress.isV4Mapped(raw)) return IpAddress.format(java.util.Arrays.copyOfRange(raw, 12, 16));
        return IpAddress.format(raw);
    }

    /** The name, then its parents: a.b.c, b.c, c (or a.b.c, .b.c, .c); just the name for an IP literal. */
    List<String> domainKeys(String domain) {
        List<String> keys = new ArrayList<>();
        if (domain.isEmpty()) return keys;
        keys.add(domain);
        if (IpAddress.parse(domain) != null) return keys;
        int dot = domain.indexOf('.', 1);
        while (dot >= 0) {
            String key = options.parentMatchesSubdomains() ? domain.substring(dot + 1) : domain.substring(dot);
            if (key.isEmpty()) break;
            keys.add(key);
            dot = domain.indexOf('.', options.parentMatchesSubdomains() ? dot + 2 : dot + 1);
        }
        return keys;
    }

    /** The first of {@code keys} found; pattern tables only see full (whole-string) keys. */
    private Optional<Match> lookup(List<String> keys, boolean full) throws TableLookupException {
        if (!full && table.isPattern()) return Optional.empty();
        for (String key : keys) {
            if (key.isEmpty()) continue;
            Optional<TableEntry> e = table.find(key);
            if (e.isPresent()) return Optional.of(new Match(key, e.get()));
        }
        return Optional.empty();
    }
}
