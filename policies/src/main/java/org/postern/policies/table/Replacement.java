// Replacement: the result text of a regexp:/pcre: rule with $1, ${1}, $(1) references to the
// pattern's () groups and $$ for a literal $, parsed once at load as Postfix's mac_parse() and
// dict_regexp_prescan() do; a group that did not match (or matched nothing) expands to nothing.
package org.postern.policies.table;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.MatchResult;

/** A parsed replacement template. */
final class Replacement {
    private final List<Object> parts; // String literal or Integer group number
    private final int maxGroup;

    private Replacement(List<Object> parts, int maxGroup) {
        this.parts = List.copyOf(parts);
        this.maxGroup = maxGroup;
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException naming the bad reference: a name that is not a number
     *         ("$1x" -- write "${1}x"), $0, an empty name, or an unclosed ${...}
     */
    static Replacement parse(String text) {
        List<Object> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int max = 0;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$') {
                literal.append(c);
                i++;
                continue;
            }
            if (i + 1 < text.length() && text.charAt(i + 1) == '$') {
                literal.append('$');
                i += 2;
                continue;
            }
            int start = i;
            String name;
            i++;
            if (i < text.length() && (text.charAt(i) == '{' || text.charAt(i) == '(')) {
                char open = text.charAt(i);
                char close = open == '{' ? '}' : ')';
                int level = 1;
                int j = i + 1;
                while (j < text.length() && level > 0) {
                    if (text.charAt(j) == open) level++;
                    if (text.charAt(j) == close) level--;
                    j++;
                }
                if (level > 0) throw new IllegalArgumentException("truncated macro reference \"" + text.substring(start) + "\"");
                name = text.substring(i + 1, j - 1);
                i = j;
            } else {
                int j = i;
                while (j < text.length() && (TableSource.isAlnum(text.charAt(j)) || text.charAt(j) == '_')) j++;
                name = text.substring(i, j);
                i = j;
            }
            String ref = text.substring(start, i);
            if (name.isEmpty()) throw new IllegalArgumentException("empty macro name in \"" + ref + "\" (write $$ for a $)");
            if (!name.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                throw new IllegalArgumentException("non-numeric replacement index \"" + name + "\" in \"" + ref
                        + "\" (write ${1}x, not $1x; $$ for a $)");
            }
            int n = name.length() > 6 ? Integer.MAX_VALUE : Integer.parseInt(name);
            if (n < 1) throw new IllegalArgumentException("out of range replacement index \"" + name + "\"");
            if (literal.length() > 0) {
                parts.add(literal.toString());
                literal.setLength(0);
            }
            parts.add(n);
            max = Math.max(max, n);
        }
        if (literal.length() > 0) parts.add(literal.toString());
        return new Replacement(parts, max);
    }

    /** The largest $n used; 0 when the text is literal. */
    int maxGroup() {
        return maxGroup;
    }

    /**
     * The text with each $n replaced by group n of {@code match} (nothing for an unmatched group).
     * The match is over a byte string (see RegexpTable#bytes): groups are inserted as the bytes
     * they matched and the result is decoded as UTF-8, as Postfix copies bytes.
     */
    String expand(MatchResult match) {
        if (maxGroup == 0) return parts.isEmpty() ? "" : (String) parts.get(0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof String s) {
                out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            } else {
                String g = match == null ? null : match.group((Integer) part);
                if (g != null) out.writeBytes(g.getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
