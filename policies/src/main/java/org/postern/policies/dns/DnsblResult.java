// DnsblResult: the verdict of one DNS block/allow list query (reject_rbl_client, permit_dnswl_client,
// reject_rhsbl_*): LISTED with the matching A records and TXT text, NOT_LISTED, or TEMPFAIL -- which
// restrictions must turn into a 4xx (or DEFER_IF_*), never into a silent permit.
package org.postern.policies.dns;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * {@code zone} is the list's domain (without "=filter"), {@code query} the name asked
 * ("2.0.0.127.zen.example" or "sender.example.zen.example", "" when nothing could be asked).
 * {@code addresses}: LISTED -- the A records the filter accepted; NOT_LISTED -- any A records the
 * filter refused (else empty). {@code txt}: LISTED only -- TXT records joined with " / ", at most
 * 500 characters (Postfix's $rbl_reason), "" when there is none. {@code error}: TEMPFAIL only.
 */
public record DnsblResult(Status status, String zone, String query, List<InetAddress> addresses, String txt,
                          String error) {

    public enum Status { LISTED, NOT_LISTED, TEMPFAIL }

    public DnsblResult {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(query, "query");
        addresses = List.copyOf(addresses);
        txt = txt == null ? "" : txt;
        error = error == null ? "" : error;
    }

    public static DnsblResult listed(String zone, String query, List<InetAddress> addresses, String txt) {
        return new DnsblResult(Status.LISTED, zone, query, addresses, txt, "");
    }

    public static DnsblResult notListed(String zone, String query, List<InetAddress> refused) {
        return new DnsblResult(Status.NOT_LISTED, zone, query, refused, "", "");
    }

    public static DnsblResult tempfail(String zone, String query, String error) {
        return new DnsblResult(Status.TEMPFAIL, zone, query, List.of(), "", error);
    }

    public boolean isListed() { return status == Status.LISTED; }
    public boolean isTempfail() { return status == Status.TEMPFAIL; }

    /** For logs: {@code 2.0.0.127.zen.example LISTED [127.0.0.2] "txt"}. */
    @Override
    public String toString() {
        String head = (query.isEmpty() ? zone : query) + " " + status;
        List<String> ips = addresses.stream().map(InetAddress::getHostAddress).toList();
        return switch (status) {
            case LISTED -> head + " " + ips + (txt.isEmpty() ? "" : " \"" + txt + "\"");
            case NOT_LISTED -> ips.isEmpty() ? head : head + " (filtered out " + ips + ")";
            case TEMPFAIL -> head + " (" + error + ")";
        };
    }
}
