// NetworkList: a parsed mynetworks-style address list (permit_mynetworks, and later other
// network lists): 127.0.0.0/8, 10.1.2.3, [::1]/128, [2001:db8::]/32, ::ffff:127.0.0.0/104,
// !negation; first match wins. IPv4-mapped IPv6 addresses and IPv4 match each other's entries.
package org.postern.policies.conf;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.postern.core.Origin;

/** An ordered list of address patterns, matched as Postfix's match_list/cidr_match. */
public final class NetworkList {

    /**
     * One pattern, in 16-byte form: IPv4 and IPv4-mapped IPv6 both as ::ffff:a.b.c.d (with
     * {@code v4} set) so each matches the other; {@code prefix} counts bits of the 16-byte form.
     */
    private record Entry(String text, boolean negated, boolean v4, byte[] network, int prefix) {
        boolean matches(boolean addrV4, byte[] addr) {
            if (addrV4 != v4) return false;
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (addr[i] != network[i]) return false;
            }
            int rest = prefix % 8;
            if (rest == 0) return true;
            int mask = (0xff << (8 - rest)) & 0xff;
            return (addr[full] & mask) == (network[full] & mask);
        }
    }

    private static final byte[] V4_MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};

    private final List<Entry> entries;

    private NetworkList(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** The empty list: matches nothing. */
    public static NetworkList empty() {
        return new NetworkList(List.of());
    }

    /**
     * Parses entries separated by commas and/or whitespace. Errors (all of them) name
     * {@code origin} and the offending entry; lookup tables and /file/name are not supported yet.
     */
    public static NetworkList parse(String value, Origin origin) throws ConfigException {
        List<Entry> entries = new ArrayList<>();
        List<Diagnostic> errors = new ArrayList<>();
        for (String token : ValueSyntax.splitList(value)) {
            try {
                entries.add(entry(token));
            } catch (IllegalArgumentException e) {
                errors.add(Diagnostic.error(origin, e.getMessage()));
            }
        }
        if (!errors.isEmpty()) throw new ConfigException(errors);
        return new NetworkList(entries);
    }

    /** True when the first entry that matches {@code address} is not negated. */
    public boolean contains(InetAddress address) {
        byte[] raw = address.getAddress();
        boolean v4 = raw.length == 4 || isV4Mapped(raw);
        byte[] a16 = to16(raw);
        for (Entry e : entries) {
            if (e.matches(v4, a16)) return !e.negated();
        }
        return false;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The entries as written, e.g. [127.0.0.0/8, !10.0.0.1]. */
    @Override
    public String toString() {
        return entries.stream().map(Entry::text).toList().toString();
    }

    private static Entry entry(String token) {
        boolean negated = token.startsWith("!");
        String pattern = negated ? token.substring(1) : token;
        if (pattern.startsWith("/")) {
            throw new IllegalArgumentException("\"" + token + "\": /file/name patterns are not supported yet");
        }
        String addr = pattern;
        String bits = null;
        int slash = pattern.lastIndexOf('/');
        if (slash >= 0) {
            addr = pattern.substring(0, slash);
            bits = pattern.substring(slash + 1);
        }
        boolean bracketed = addr.startsWith("[") && addr.endsWith("]") && addr.length() > 2;
        if (bracketed) addr = addr.substring(1, addr.length() - 1);
        byte[] raw = InetLiteral.parse(addr);
        if (raw == null) {
            if (!bracketed && pattern.matches("[A-Za-z][A-Za-z0-9_+-]*:([^:].*)?")) {
                throw new IllegalArgumentException("\"" + token + "\": lookup tables are not supported yet");
            }
            throw new IllegalArgumentException("bad network address \"" + token
                    + "\": expected an address, address/prefix, [ipv6-address]/prefix or !pattern");
        }
        int max = raw.length * 8;
        int len = max;
        if (bits != null) {
            if (bits.isEmpty() || bits.length() > 3 || !bits.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(bits) > max) {
                throw new IllegalArgumentException("bad net/mask pattern: \"" + token + "\"");
            }
            len = Integer.parseInt(bits);
        }
        byte[] network = masked(raw, len);
        if (!Arrays.equals(network, raw)) {
            String fixed = raw.length == 4 ? InetLiteral.format(network) + "/" + len
                    : "[" + InetLiteral.format(network) + "]/" + len;
            throw new IllegalArgumentException("non-null host address bits in \"" + token
                    + "\", perhaps you should use \"" + (negated ? "!" : "") + fixed + "\" instead");
        }
        byte[] n16 = to16(network);
        int prefix = raw.length == 4 ? 96 + len : len;
        boolean v4 = raw.length == 4 || (prefix >= 96 && isV4Mapped(n16));
        return new Entry(token, negated, v4, n16, prefix);
    }

    private static byte[] masked(byte[] raw, int len) {
        byte[] out = raw.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, len - 8 * i));
            out[i] = (byte) (out[i] & ((0xff << (8 - keep)) & 0xff));
        }
        return out;
    }

    private static boolean isV4Mapped(byte[] a) {
        return a.length == 16 && Arrays.equals(Arrays.copyOf(a, 12), V4_MAPPED_PREFIX);
    }

    private static byte[] to16(byte[] a) {
        if (a.length == 16) return a;
        byte[] out = Arrays.copyOf(V4_MAPPED_PREFIX, 16);
        System.arraycopy(a, 0, out, 12, 4);
        return out;
    }
}
