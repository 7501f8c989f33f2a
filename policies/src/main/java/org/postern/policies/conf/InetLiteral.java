// InetLiteral: the one parser and printer of IPv4/IPv6 address literals (inet_pton/inet_ntop, no
// resolver). Used by mynetworks and the master.cf host field here, by cidr: tables and access-map
// address keys (table.IpAddress), and for the client address in restriction replies and logs.
package org.postern.policies.conf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Strict address-literal syntax, as inet_pton(3): ASCII digits only, no brackets, no zone. */
public final class InetLiteral {
    private InetLiteral() {}

    public static boolean isLiteral(String s) {
        return parse(s) != null;
    }

    /** 4 bytes for dotted-quad IPv4, 16 bytes for IPv6, null if {@code s} is not a literal. */
    public static byte[] parse(String s) {
        byte[] v4 = parseV4(s);
        return v4 != null ? v4 : parseV6(s);
    }

    /** 4 bytes for a dotted quad (each 0-255, no leading zero), else null. */
    public static byte[] parseV4(String s) {
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
    public static byte[] parseV6(String s) {
        if (s.indexOf(':') < 0) return null;
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

    /** 16-bit words of a colon-separated run; a dotted quad may end it (two words). */
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

    /** Dotted quad for 4 bytes; RFC 5952 text (longest zero run compressed, ::ffff:a.b.c.d) for 16. */
    public static String format(byte[] a) {
        if (a.length == 4) {
            return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
        }
        if (isV4Mapped(a)) return "::ffff:" + format(Arrays.copyOfRange(a, 12, 16));
        return formatV6(a);
    }

    /**
     * glibc's inet_ntop: as {@link #format}, and also the deprecated IPv4-compatible form ::a.b.c.d
     * (first 96 bits zero, word 6 not zero), which cidr: tables and access maps print that way.
     */
    public static String formatInetNtop(byte[] a) {
        if (a.length == 16 && (a[12] != 0 || a[13] != 0)) {
            boolean compatible = true;
            for (int i = 0; i < 12; i++) compatible &= a[i] == 0;
            if (compatible) return "::" + format(Arrays.copyOfRange(a, 12, 16));
        }
        return format(a);
    }

    /** 16 bytes as hex words, the longest run of two or more zero words (the first of equals) as "::"; no dotted tail. */
    public static String formatV6(byte[] a) {
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) w[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (w[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && w[j] == 0) j++;
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(w[i]));
        }
        return sb.toString();
    }

    /** True for an IPv4-mapped IPv6 address (::ffff:a.b.c.d). */
    public static boolean isV4Mapped(byte[] a) {
        if (a.length != 16) return false;
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) return false;
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }
}
