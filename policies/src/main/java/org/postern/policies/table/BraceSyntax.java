// BraceSyntax: Postfix's {...} helpers for table names written inside main.cf -- balpar(),
// extpar() and mystrtokq() -- as used by inline:{k=v, {k = v}}, static:{ text } and the Postfix
// 3.7 inline form of pattern tables, regexp:{ {rule}, {rule} }.
package org.postern.policies.table;

import java.util.ArrayList;
import java.util.List;

/** Brace-aware splitting and stripping, as Postfix's util/extpar.c and mystrtok.c. */
final class BraceSyntax {
    private BraceSyntax() {}

    /** The length of the balanced {...} group that starts at {@code from}, or 0 when unbalanced. */
    static int balanced(String s, int from) {
        if (from >= s.length() || s.charAt(from) != '{') return 0;
        int level = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '{') level++;
            if (c == '}' && --level == 0) return i - from + 1;
        }
        return 0;
    }

    /**
     * The text inside {@code token}, which must be one balanced {...} group, with surrounding
     * whitespace removed (extpar with EXTPAR_FLAG_STRIP).
     *
     * @throws IllegalArgumentException naming the token when it is not exactly one {...} group
     */
    static String strip(String token) {
        if (token.isEmpty() || token.charAt(0) != '{') {
            throw new IllegalArgumentException("expected \"{...}\" instead of \"" + token + "\"");
        }
        int len = balanced(token, 0);
        if (len == 0) throw new IllegalArgumentException("missing '}' in \"" + token + "\"");
        if (len != token.length()) throw new IllegalArgumentException("syntax error after '}' in \"" + token + "\"");
        return token.substring(1, len - 1).strip();
    }

    /**
     * Splits on commas and whitespace, keeping each {...} group (and the text glued to it) in one
     * token, as mystrtokq(&cp, CHARS_COMMA_SP, CHARS_BRACE). Empty tokens are dropped.
     */
    static List<String> tokens(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            while (i < n && isSeparator(s.charAt(i))) i++;
            if (i == n) break;
            int start = i;
            int level = 0;
            while (i < n && (level > 0 || !isSeparator(s.charAt(i)))) {
                char c = s.charAt(i);
                if (c == '{') level++;
                else if (c == '}' && level > 0) level--;
                i++;
            }
            out.add(s.substring(start, i));
        }
        return out;
    }

    private static boolean isSeparator(char c) {
        return c == ',' || TableSource.isSpace(c);
    }
}
