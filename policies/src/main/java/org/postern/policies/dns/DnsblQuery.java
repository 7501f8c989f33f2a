// DnsblQuery: one parsed DNS list site as written after reject_rbl_client, permit_dnswl_client,
// reject_rhsbl_{client,reverse_client,helo,sender,recipient}: "zone" or "zone=d.d.d.d" (Postfix 2.8+
// patterns). Builds the query name (reversed IPv4 octets / IPv6 nibbles, or domain.zone) and asks DNS.
package org.postern.policies.dns;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Immutable; parse once at load time, then call {@link #checkAddress} / {@link #checkDomain} per
 * session with the shared {@link DnsResolver}. Like Postfix: the A record decides (filtered by the
 * pattern), the TXT record only supplies the reason text and is asked only when listed.
 */
public record DnsblQuery(String zone, DnsblFilter filter) {
    /** Postfix's RBL_TXT_LIMIT: TXT text beyond this is cut. */
    static final int TXT_LIMIT = 500;
    private static final int MAX_NAME = 253;

    public DnsblQuery {
        Objects.requireNonNull(filter, "filter");
        zone = checkZone(zone);
    }

    /**
     * Parses "zen.example.org" or "zen.example.org=127.0.0.[2..11]".
     * @throws DnsblSyntaxException naming the bad token (zone or filter element)
     */
    public static DnsblQuery parse(String spec) {
        int eq = spec.indexOf('=');
        if (eq < 0) return new DnsblQuery(spec, DnsblFilter.any());
        return new DnsblQuery(spec.substring(0, eq), DnsblFilter.parse(spec.substring(eq + 1)));
    }

    private static String checkZone(String zone) {
        Objects.requireNonNull(zone, "zone");
        String z = zone.endsWith(".") ? zone.substring(0, zone.length() - 1) : zone;
        z = z.toLowerCase(Locale.ROOT);
        if (z.isEmpty()) throw new DnsblSyntaxException("bad DNS list domain \"" + zone + "\": empty", zone);
        if (z.length() > MAX_NAME - 8) {
            throw new DnsblSyntaxException("bad DNS list domain \"" + zone + "\": too long", zone);
        }
        for (String label : z.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || !label.chars().allMatch(DnsblQuery::hostChar)) {
                throw new DnsblSyntaxException("bad DNS list domain \"" + zone + "\": bad label \"" + label + "\"", label);
            }
        }
        return z;
    }

    private static boolean hostChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    /** "2.0.0.127.zone" for 127.0.0.2; 32 reversed nibbles + ".zone" for IPv6. */
    public String addressQueryName(InetAddress client) {
        return ReverseName.labels(client) + "." + zone;
    }

    /**
     * "example.com.zone" for "example.com", "user@example.com" or "example.com."; empty for the null
     * sender, an address literal ("[192.0.2.1]"), or a name that cannot be queried -- Postfix skips those.
     */
    public Optional<String> domainQueryName(String domainOrAddress) {
        String d = domainOrAddress;
        int at = d.lastIndexOf('@');
        if (at >= 0) d = d.substring(at + 1);
        if (d.endsWith(".")) d = d.substring(0, d.length() - 1);
        if (d.isEmpty() || d.startsWith("[")) return Optional.empty();
        String name = d.toLowerCase(Locale.ROOT) + "." + zone;
        if (name.length() > MAX_NAME) return Optional.empty();
        for (String label : d.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
                return Optional.empty();
            }
        }
        return Optional.of(name);
    }

    /** reject_rbl_client / permit_dnswl_client: is {@code client} listed in this zone? */
    public CompletionStage<DnsblResult> checkAddress(DnsResolver resolver, InetAddress client) {
        return check(resolver, addressQueryName(client));
    }

    /** reject_rhsbl_*: is the domain (of an address, if given one) listed? NOT_LISTED when it cannot be asked. */
    public CompletionStage<DnsblResult> checkDomain(DnsResolver resolver, String domainOrAddress) {
        Optional<String> name = domainQueryName(domainOrAddress);
        if (name.isEmpty()) return CompletableFuture.completedStage(DnsblResult.notListed(zone, "", List.of()));
        return check(resolver, name.get());
    }

    private CompletionStage<DnsblResult> check(DnsResolver resolver, String query) {
        return resolver.a(query).thenCompose(answer -> {
            if (answer.isTempfail()) {
                return CompletableFuture.completedStage(DnsblResult.tempfail(zone, query, answer.reason()));
            }
            if (!answer.isFound()) return CompletableFuture.completedStage(DnsblResult.notListed(zone, query, List.of()));
            List<InetAddress> all = answer.addresses();
            List<InetAddress> hits = all.stream().filter(filter::matches).toList();
            if (hits.isEmpty()) return CompletableFuture.completedStage(DnsblResult.notListed(zone, query, all));
            // a failed TXT lookup leaves the reason empty; the listing stands (Postfix does the same)
            return resolver.txt(query).thenApply(txt -> DnsblResult.listed(zone, query, hits, reasonText(txt)));
        });
    }

    /** TXT records joined with " / ", cut at {@value #TXT_LIMIT} characters, as Postfix's rbl_pagein. */
    static String reasonText(DnsAnswer txt) {
        if (!txt.isFound()) return "";
        List<String> parts = new ArrayList<>(txt.texts());
        StringBuilder sb = new StringBuilder();
        for (String p : parts) {
            if (sb.length() > 0) sb.append(" / ");
            sb.append(p);
            if (sb.length() >= TXT_LIMIT) break;
        }
        return sb.length() > TXT_LIMIT ? sb.substring(0, TXT_LIMIT) : sb.toString();
    }

    /** The site as written in main.cf: "zone" or "zone=filter". */
    @Override
    public String toString() {
        return filter.isAny() ? zone : zone + "=" + filter;
    }
}
