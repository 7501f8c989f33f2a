// AddressLiteral: validates RFC 5321 address literals ([192.0.2.1], [IPv6:2001:db8::1]) in a
// mailbox domain without any DNS or name lookup. Used by MailAddress when smtpd parses paths.
package org.postern.gateway.smtpd;

import java.util.regex.Pattern;

final class AddressLiteral {
    private static final Pattern V4 = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern V6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private AddressLiteral() {}

    static boolean valid(String literal) {
        if (!literal.startsWith("[") || !literal.endsWith("]")) return false;
        String in = literal.substring(1, literal.length() - 1);
        if (V4.matcher(in).matches()) return true;
        if (in.regionMatches(true, 0, "IPv6:", 0, 5)) {
            String v6 = in.substring(5);
            if (!V6.matcher(v6).matches() || !v6.contains(":")) return false;
            try {
                // Literal parsing only: InetAddress does no lookup for a numeric IPv6 text.
                return java.net.InetAddress.getByName(v6) instanceof java.net.Inet6Address;
            } catch (java.net.UnknownHostException e) {
                return false;
            }
        }
        return false;
    }
}
