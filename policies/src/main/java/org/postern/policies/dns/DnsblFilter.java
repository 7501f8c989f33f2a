// DnsblFilter: the "=d.d.d.d" part of reject_rbl_client/permit_dnswl_client/reject_rhsbl_* (and
// postscreen_dnsbl_sites): each d is a number or "[...]" with ";"-separated numbers and n..m ranges,
// e.g. 127.0.0.[2..11] or 127.0.[0..255].[2;3;5]. Decides which DNSBL A records count as "listed".
package org.postern.policies.dns;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;

/** An immutable IPv4 reply pattern; {@link #any()} matches every reply (no "=" given). */
public final class DnsblFilter {
    private static final DnsblFilter ANY = new DnsblFilter("", null);

    private final String text;
    /** Per octet, 256 bits (4 longs); null for ANY. */
    private final long[][] allowed;

    private DnsblFilter(String text, long[][] allowed) {
        this.text = text;
        this.allowed = allowed;
    }

    /** The filter that accepts any A record (a site given without "=..."). */
    public static DnsblFilter any() {
        return ANY;
    }

    public boolean isAny() {
        return allowed == null;
    }

    /**
     * Parses "127.0.0.2", "127.0.0.[2..11]", "127.0.0.[2;3;5]", "127.0.[0..255].[2..5]".
     * @throws DnsblSyntaxException naming the bad token
     */
    public static DnsblFilter parse(String text) {
        if (text.isEmpty()) throw error(text, "", "empty; expected d.d.d.d");
        long[][] octets = new long[4][];
        int pos = 0;
        for (int i = 0; i < 4; i++) {
            if (pos >= text.length()) throw error(text, text, "only " + i + " of 4 octets");
            int end;
            if (text.charAt(pos) == '[') {
                int close = text.indexOf(']', pos);
                if (close < 0) throw error(text, text.substring(pos), "no closing \"]\" in \"" + text.substring(pos) + "\"");
                octets[i] = parseSet(text, text.substring(pos + 1, close));
                end = close + 1;
            } else {
                end = pos;
                while (end < text.length() && text.charAt(end) != '.') end++;
                int v = number(text, text.substring(pos, end));
                octets[i] = new long[4];
                set(octets[i], v, v);
            }
            if (i < 3) {
                if (end >= text.length()) throw error(text, text, "only " + (i + 1) + " of 4 octets");
                if (text.charAt(end) != '.') {
                    String rest = text.substring(end);
                    throw error(text, rest, "expected \".\" after octet " + (i + 1) + ", found \"" + rest + "\"");
                }
                pos = end + 1;
            } else if (end != text.length()) {
                throw error(text, text.substring(end), "text after the 4th octet: \"" + text.substring(end) + "\"");
            }
        }
        return new DnsblFilter(text, octets);
    }

    private static long[] parseSet(String text, String body) {
        if (body.isEmpty()) throw error(text, "[]", "empty \"[]\"");
        long[] bits = new long[4];
        for (String item : body.split(";", -1)) {
            if (item.isEmpty()) throw error(text, "[" + body + "]", "empty element in \"[" + body + "]\"");
            int dots = item.indexOf("..");
            if (dots < 0) {
                int v = number(text, item);
                set(bits, v, v);
            } else {
                int lo = number(text, item.substring(0, dots));
                int hi = number(text, item.substring(dots + 2));
                if (lo > hi) throw error(text, item, "range \"" + item + "\" runs backwards");
                set(bits, lo, hi);
            }
        }
        return bits;
    }

    private static int number(String text, String token) {
        if (token.isEmpty() || token.length() > 3 || !token.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw error(text, token, "\"" + token + "\" is not a number from 0 to 255");
        }
        int v = Integer.parseInt(token);
        if (v > 255) throw error(text, token, "\"" + token + "\" is not a number from 0 to 255");
        return v;
    }

    private static void set(long[] bits, int lo, int hi) {
        for (int v = lo; v <= hi; v++) bits[v >> 6] |= 1L << (v & 63);
    }

    private static DnsblSyntaxException error(String text, String token, String what) {
        return new DnsblSyntaxException("bad DNSBL reply filter \"" + text + "\": " + what, token);
    }

    /** True when {@code reply} (an A record of the DNSBL answer) is accepted; IPv6 never is unless ANY. */
    public boolean matches(InetAddress reply) {
        if (allowed == null) return true;
        if (!(reply instanceof Inet4Address)) return false;
        byte[] b = reply.getAddress();
        for (int i = 0; i < 4; i++) {
            int v = b[i] & 0xff;
            if ((allowed[i][v >> 6] & (1L << (v & 63))) == 0) return false;
        }
        return true;
    }

    /** The filter as written ("" for any). */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DnsblFilter f && Arrays.deepEquals(allowed, f.allowed);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(allowed);
    }
}
