// CidrTable: a cidr: table -- "network/prefix result" or "address result" rules (IPv4 and IPv6,
// [] allowed, ! negation, if/endif blocks since Postfix 3.2) matched in file order against a
// client address, first match wins (Postfix dict_cidr.c and cidr_match.c).
package org.postern.policies.table;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.postern.core.Origin;
import org.postern.policies.conf.Diagnostic;

/** An ordered list of address rules; immutable. */
final class CidrTable implements LookupTable {

    /** One rule: MATCH (with a value), IF (with the index of its ENDIF) or ENDIF. */
    private record Rule(Kind kind, Origin origin, byte[] network, int prefix, boolean positive, String value,
                        int endif) {
        boolean test(byte[] address) {
            if (address.length != network.length) return false; // another family never matches, negated or not
            int full = prefix / 8;
            boolean inside = true;
            for (int i = 0; i < full && inside; i++) inside = address[i] == network[i];
            int rest = prefix % 8;
            if (inside && rest != 0) {
                int mask = (0xff << (8 - rest)) & 0xff;
                inside = (address[full] & mask) == (network[full] & mask);
            }
            return inside == positive;
        }
    }

    private enum Kind { MATCH, IF, ENDIF }

    private final String spec;
    private final List<Rule> rules;

    private CidrTable(String spec, List<Rule> rules) {
        this.spec = spec;
        this.rules = List.copyOf(rules);
    }

    @Override
    public String spec() {
        return spec;
    }

    /** {@code key} must be a bare address literal; anything else is simply not found, as in Postfix. */
    @Override
    public Optional<TableEntry> find(String key) {
        byte[] address = IpAddress.parse(key);
        if (address == null) return Optional.empty();
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            if (r.kind() == Kind.MATCH && r.test(address)) return Optional.of(new TableEntry(r.value(), r.origin()));
            if (r.kind() == Kind.IF && !r.test(address)) i = r.endif();
        }
        return Optional.empty();
    }

    @Override
    public boolean isPattern() {
        return true;
    }

    @Override
    public String toString() {
        return spec + " (" + rules.size() + " rules)";
    }

    /**
     * Parses cidr_table(5) rules. Where Postfix skips a rule with a warning, this reports an error at
     * the rule's file:line (the caller refuses the table).
     */
    static CidrTable parse(String spec, List<TableSource.Line> lines, List<Diagnostic> sink) {
        List<Rule> rules = new ArrayList<>();
        Deque<Integer> open = new ArrayDeque<>();
        for (TableSource.Line line : lines) {
            String text = TableSource.trimEnd(line.text());
            try {
                if (keyword(text, "if")) {
                    int p = negations(text, 2);
                    String pattern = text.substring(p);
                    if (pattern.isEmpty()) throw new IllegalArgumentException("no address pattern after if");
                    Rule r = rule(Kind.IF, line.origin(), pattern, positive(text, 2, p), null);
                    open.push(rules.size());
                    rules.add(r);
                } else if (keyword(text, "endif")) {
                    String extra = text.substring(TableSource.skipSpace(text, 5));
                    if (!extra.isEmpty()) {
                        throw new IllegalArgumentException("garbage after endif: \"" + extra + "\" (a line that starts"
                                + " with whitespace continues the line before it)");
                    }
                    if (open.isEmpty()) throw new IllegalArgumentException("endif without matching if");
                    int at = open.pop();
                    Rule f = rules.get(at);
                    rules.set(at, new Rule(Kind.IF, f.origin(), f.network(), f.prefix(), f.positive(), null, rules.size()));
                    rules.add(new Rule(Kind.ENDIF, line.origin(), new byte[0], 0, true, null, -1));
                } else {
                    int p = negations(text, 0);
                    int end = p;
                    while (end < text.length() && !TableSource.isSpace(text.charAt(end))) end++;
                    String pattern = text.substring(p, end);
                    String value = text.substring(TableSource.skipSpace(text, end));
                    if (pattern.isEmpty()) throw new IllegalArgumentException("no address pattern");
                    if (value.isEmpty()) throw new IllegalArgumentException("no lookup result after \"" + pattern + "\"");
                    rules.add(rule(Kind.MATCH, line.origin(), pattern, positive(text, 0, p), value));
                }
            } catch (IllegalArgumentException e) {
                sink.add(Diagnostic.error(line.origin(), "cidr table: " + e.getMessage()));
            }
        }
        for (int at : open) sink.add(Diagnostic.error(rules.get(at).origin(), "cidr table: if has no matching endif"));
        return new CidrTable(spec, rules);
    }

    /** cidr_match_parse(): [addr], [addr]/len, [addr/len], addr/len or addr; host bits must be zero. */
    private static Rule rule(Kind kind, Origin origin, String pattern, boolean positive, String value) {
        String addr = pattern;
        String searchMask = pattern;
        if (pattern.startsWith("[")) {
            int close = pattern.indexOf(']');
            if (close < 0) throw new IllegalArgumentException("missing ']' character after \"" + pattern + "\"");
            addr = pattern.substring(1, close);
            String after = pattern.substring(close + 1);
            if (!after.isEmpty() && !after.startsWith("/")) {
                throw new IllegalArgumentException("garbage after \"" + pattern.substring(0, close + 1) + "\"");
            }
            searchMask = after.isEmpty() ? addr : addr + after;
        }
        int slash = searchMask.indexOf('/');
        String network = slash < 0 ? searchMask : searchMask.substring(0, slash);
        String shown = slash < 0 ? network : network + "/" + searchMask.substring(slash + 1);
        byte[] bytes = IpAddress.parse(network);
        int bits = network.indexOf(':') >= 0 ? 128 : 32;
        int prefix = bits;
        if (slash >= 0) {
            String mask = searchMask.substring(slash + 1);
            if (mask.isEmpty() || !mask.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("bad mask value in \"" + shown + "\"");
            }
            prefix = mask.length() > 3 ? Integer.MAX_VALUE : Integer.parseInt(mask);
            if (prefix > bits) throw new IllegalArgumentException("bad mask length in \"" + shown + "\"");
            if (bytes == null) throw new IllegalArgumentException("bad network value in \"" + shown + "\"");
            byte[] masked = masked(bytes, prefix);
            if (!java.util.Arrays.equals(masked, bytes)) {
                throw new IllegalArgumentException("non-null host address bits in \"" + shown
                        + "\", perhaps you should use \"" + IpAddress.format(masked) + "/" + prefix + "\" instead");
            }
        } else if (bytes == null) {
            throw new IllegalArgumentException("bad address pattern: \"" + network + "\"");
        }
        return new Rule(kind, origin, bytes, prefix, positive, value, -1);
    }

    private static byte[] masked(byte[] raw, int prefix) {
        byte[] out = raw.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - 8 * i));
            out[i] = (byte) (out[i] & ((0xff << (8 - keep)) & 0xff));
        }
        return out;
    }

    /** Index after the '!' and whitespace that start at {@code from}. */
    private static int negations(String text, int from) {
        int p = from;
        while (p < text.length() && (text.charAt(p) == '!' || TableSource.isSpace(text.charAt(p)))) p++;
        return p;
    }

    /** False when an odd number of '!' precede the pattern. */
    private static boolean positive(String text, int from, int to) {
        return text.substring(from, to).chars().filter(c -> c == '!').count() % 2 == 0;
    }

    private static boolean keyword(String text, String word) {
        return text.regionMatches(true, 0, word, 0, word.length())
                && (text.length() == word.length() || !TableSource.isAlnum(text.charAt(word.length())));
    }
}
