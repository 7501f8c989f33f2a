// Tokens: splits restriction-list text (main.cf values, restriction class definitions, access
// table values) into tokens as Postfix's mystrtokq() does -- commas and/or whitespace, {...} kept
// whole -- and finds the nearest known name for a "did you mean" in load errors.
package org.postern.policies.restrict;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Static helpers for restriction-list syntax. */
final class Tokens {
    private Tokens() {}

    static List<String> split(String value) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = value.length();
        while (i < n) {
            while (i < n && separator(value.charAt(i))) i++;
            if (i >= n) break;
            int start = i;
            int level = 0;
            while (i < n) {
                char c = value.charAt(i);
                if (c == '{') level++;
                else if (c == '}' && level > 0) level--;
                else if (level == 0 && separator(c)) break;
                i++;
            }
            out.add(value.substring(start, i));
        }
        return out;
    }

    private static boolean separator(char c) {
        return c == ',' || Character.isWhitespace(c);
    }

    /** The closest of {@code known} to {@code word} when it is plausibly a typo of it. */
    static Optional<String> suggest(String word, Collection<String> known) {
        int limit = word.length() <= 4 ? 1 : word.length() <= 12 ? 2 : 3;
        String best = null;
        int bestDistance = limit + 1;
        for (String k : known) {
            if (Math.abs(k.length() - word.length()) >= bestDistance) continue;
            int d = distance(word.toLowerCase(java.util.Locale.ROOT), k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Optimal string alignment distance (insert, delete, substitute, transpose). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
