// ReverseName: an IP address as DNS labels in reverse order -- "2.0.0.127" for 127.0.0.2, 32 nibbles
// for IPv6 -- for DNSBL queries (reject_rbl_client, permit_dnswl_client) and PTR lookups
// (reject_unknown_client_hostname, reverse client name). No main.cf parameters.
package org.postern.policies.dns;

import java.net.Inet4Address;
import java.net.InetAddress;

/** Reversed-address names. IPv4-mapped IPv6 addresses are IPv4 (Java's InetAddress already maps them). */
public final class ReverseName {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private ReverseName() {}

    /** "2.0.0.127" for 127.0.0.2; "1.0.0.0. ... .8.b.d.0.1.0.0.2" (32 nibbles) for 2001:db8::1. */
    public static String labels(InetAddress address) {
        byte[] b = address.getAddress();
        StringBuilder sb = new StringBuilder(b.length == 4 ? 16 : 64);
        for (int i = b.length - 1; i >= 0; i--) {
            int v = b[i] & 0xff;
            if (b.length == 4) {
                sb.append(v);
            } else {
                sb.append(HEX[v & 0xf]).append('.').append(HEX[v >> 4]);
            }
            if (i > 0) sb.append('.');
        }
        return sb.toString();
    }

    /** The PTR query name: labels + ".in-addr.arpa" or ".ip6.arpa". */
    public static String ptrName(InetAddress address) {
        return labels(address) + (address instanceof Inet4Address ? ".in-addr.arpa" : ".ip6.arpa");
    }
}
