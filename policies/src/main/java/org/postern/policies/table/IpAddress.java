// IpAddress: IPv4/IPv6 address literals parsed and printed exactly as glibc's inet_pton() and
// inet_ntop() do (no resolver, no leading zeros in IPv4, "::" for the longest run of two or more
// zero words), which is what cidr: tables and access-map address keys are made of in Postfix.
package org.postern.policies.table;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Address-literal syntax of cidr_table(5) and access(5). */
final class IpAddress {
    private IpAddress() {}

    /** inet_pton with the family chosen as Postfix does: IPv6 when {@code s} contains ':'. */
    static byte[] parse(String s) {
        return s.indexOf(':') >= 0 ? parseV6(s) : parseV4(s);
    }

    /** 4 bytes for a dotted quad (each 0-255, no leading zero), else null. */
    static byte[] parseV4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) return null;
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) return null;
            for (int k = 0; k < p.length(); k++) {
                if (p.charAt(k) < '0' || p.charAt(k) > '9') return null;
            }
            int v = Integer.parseInt(p);
            if (v > 255) return null;
            out[i] = (byte) v;
        }
        return out;
    }

    /** 16 bytes for an IPv6 literal (one "::", 1-4 hex digits per word, optional dotted-quad tail), else null. */
    static byte[] parseV6(String s) {
        int dbl = s.indexOf("::");
        List<Integer> words;
        if (dbl < 0) {
            words = words(s, true);
            if (words == null || words.size() != 8) return null;
        } else {
            if (s.indexOf("::", dbl + 1) >= 0) return null;
            List<Integer> head = words(s.substring(0, dbl), false);
            List<Integer> tail = words(s.substring(dbl + 2), true);
            if (head == null || tail == null || head.size() + tail.size() > 7) return null;
            words = new ArrayList<>(head);
            for (int i = head.size() + tail.size(); i < 8; i++) words.add(0);
            words.addAll(tail);
        }
        byte[] out = new byte[16];
        for (int i = 0; i < 8; i++) {
            out[2 * i] = (byte) (words.get(i) >> 8);
            out[2 * i + 1] = (byte) (int) words.get(i);
        }
        return out;
    }

    private static List<Integer> words(String run, boolean v4TailAllowed) {
        List<Integer> out = new ArrayList<>();
        if (run.isEmpty()) return out;
        String[] parts = run.split(":", -1);
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (i == parts.length - 1 && v4TailAllowed && p.indexOf('.') >= 0) {
                byte[] v4 = parseV4(p);
                if (v4 == null) return null;
                out.add(((v4[0] & 0xff) << 8) | (v4[1] & 0xff));
                out.add(((v4[2] & 0xff) << 8) | (v4[3] & 0xff));
                continue;
            }
            if (p.isEmpty() || p.length() > 4) return null;
            int v = 0;
            for (int k = 0; k < p.length(); k++) {
                char c = p.charAt(k); // ASCII hex digits only, as inet_pton(3)
                int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
                if (d < 0) return null;
                v = (v << 4) | d;
            }
            out.add(v);
        }
        return out;
    }

    /** inet_ntop: a dotted quad, or glibc's IPv6 text (lower case, ::ffff:a.b.c.d and ::a.b.c.d forms). */
    static String format(byte[] a) {
        if (a.length == 4) {
            return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
        }
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) w[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
        int base = -1;
        int len = 0;
        for (int i = 0; i < 8; ) {
            if (w[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && w[j] == 0) j++;
            if (j - i > len) {
                base = i;
                len = j - i;
            }
            i = j;
        }
        if (len < 2) base = -1;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (base >= 0 && i >= base && i < base + len) {
                if (i == base) sb.append(':');
                continue;
            }
            if (i != 0) sb.append(':');
            if (i == 6 && base == 0 && (len == 6 || (len == 5 && w[5] == 0xffff))) {
                sb.append(format(Arrays.copyOfRange(a, 12, 16)));
                return sb.toString();
            }
            sb.append(Integer.toHexString(w[i]));
        }
        if (base >= 0 && base + len == 8) sb.append(':');
        return sb.toString();
    }

    /** True for an IPv4-mapped IPv6 address (::ffff:a.b.c.d). */
    static boolean isV4Mapped(byte[] a) {
        if (a.length != 16) return false;
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) return false;
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }
}
