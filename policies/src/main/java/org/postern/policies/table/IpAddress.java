// IpAddress: IPv4/IPv6 address literals read and printed exactly as glibc's inet_pton() and
// inet_ntop() do, which is what cidr: tables and access-map address keys are made of in Postfix.
// The syntax itself lives in conf.InetLiteral; this adds Postfix's family choice and inet_ntop print.
package org.postern.policies.table;

import org.postern.policies.conf.InetLiteral;

/** Address-literal syntax of cidr_table(5) and access(5). */
final class IpAddress {
    private IpAddress() {}

    /** inet_pton with the family chosen as Postfix does: IPv6 when {@code s} contains ':'. */
    static byte[] parse(String s) {
        return s.indexOf(':') >= 0 ? InetLiteral.parseV6(s) : InetLiteral.parseV4(s);
    }

    /** inet_ntop: a dotted quad, or glibc's IPv6 text (lower case, ::ffff:a.b.c.d and ::a.b.c.d forms). */
    static String format(byte[] a) {
        return InetLiteral.formatInetNtop(a);
    }

    /** True for an IPv4-mapped IPv6 address (::ffff:a.b.c.d). */
    static boolean isV4Mapped(byte[] a) {
        return InetLiteral.isV4Mapped(a);
    }
}
