// ClientNameLookup: the client's name, as Postfix's smtpd finds it before the greeting: the PTR
// name (reverse_client_name) and, when a forward lookup of that name gives the client's address
// back, the verified client_name; else "unknown". A DNS failure is remembered as temporary.
package org.postern.gateway.smtpd;

import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.postern.policies.dns.DnsResolver;

final class ClientNameLookup {
    /** What reject_unknown_client_hostname and friends need to tell "no name" from "DNS down". */
    enum Status { OK, PERMFAIL, TEMPFAIL }

    /**
     * @param name        verified name (forward-confirmed), or "unknown"
     * @param reverseName the PTR name, or "unknown"
     */
    record ClientName(String name, String reverseName, Status nameStatus, Status reverseStatus) {
        static final ClientName LOCALHOST = new ClientName("localhost", "localhost", Status.OK, Status.OK);
        static ClientName unknown(Status s) {
            return new ClientName("unknown", "unknown", s, s);
        }
    }

    private static final int MAX_PTR_NAMES = 5;

    private ClientNameLookup() {}

    static CompletionStage<ClientName> lookup(DnsResolver dns, InetAddress address) {
        // 127.0.0.1 and ::1 are localhost without asking (other loopback addresses go to DNS, for tests)
        if (address.isLoopbackAddress() && (address.getHostAddress().equals("127.0.0.1")
                || address instanceof java.net.Inet6Address)) {
            return CompletableFuture.completedFuture(ClientName.LOCALHOST);
        }
        if (dns == null) return CompletableFuture.completedFuture(ClientName.unknown(Status.PERMFAIL));
        return dns.ptr(address).thenCompose(ptr -> {
            if (ptr.isTempfail()) return CompletableFuture.completedFuture(ClientName.unknown(Status.TEMPFAIL));
            List<String> names = ptr.isFound() ? ptr.targets() : List.of();
            if (names.isEmpty()) return CompletableFuture.completedFuture(ClientName.unknown(Status.PERMFAIL));
            String reverse = clean(names.get(0));
            return confirm(dns, address, names.subList(0, Math.min(names.size(), MAX_PTR_NAMES)), 0, reverse, false);
        }).exceptionally(e -> ClientName.unknown(Status.TEMPFAIL));
    }

    /** Tries the PTR names in turn until one resolves back to the client's address. */
    private static CompletionStage<ClientName> confirm(DnsResolver dns, InetAddress address, List<String> names,
                                                       int i, String reverse, boolean sawTempfail) {
        if (i >= names.size()) {
            return CompletableFuture.completedFuture(new ClientName("unknown", reverse,
                    sawTempfail ? Status.TEMPFAIL : Status.PERMFAIL, Status.OK));
        }
        String name = clean(names.get(i));
        return dns.addresses(name).thenCompose(a -> {
            if (a.isFound() && a.addresses().contains(address)) {
                return CompletableFuture.completedFuture(new ClientName(name, reverse, Status.OK, Status.OK));
            }
            return confirm(dns, address, names, i + 1, reverse, sawTempfail || a.isTempfail());
        });
    }

    private static String clean(String name) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        return n.toLowerCase(Locale.ROOT);
    }
}
