// AddressList: splits the right-hand side of a canonical(5) or virtual(5) entry into addresses, as
// Postfix's mail_addr_crunch(): commas and white space separate, "Name <addr>" gives addr, (comments)
// are dropped, "quoted strings" stay whole. Used by AddressMap on every table result.
package org.postern.gateway.cleanup;

import java.util.ArrayList;
import java.util.List;

final class AddressList {
    private AddressList() {}

    /** The addresses in {@code value}, in order; empty when it holds none. */
    static List<String> parse(String value) {
        List<String> out = new ArrayList<>();
        for (String element : elements(value)) {
            String e = stripComments(element).strip();
            int lt = lastOutsideQuotes(e, '<');
            if (lt >= 0) {
                int gt = e.indexOf('>', lt);
                String inner = (gt < 0 ? e.substring(lt + 1) : e.substring(lt + 1, gt)).strip();
                if (!inner.isEmpty()) out.add(inner);
                continue;
            }
            out.addAll(words(e));
        }
        return out;
    }

    /** The comma-separated parts, commas inside quotes, comments or angle brackets excluded. */
    private static List<String> elements(String value) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        int depth = 0;
        boolean angle = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (quoted) {
                if (c == '\\' && i + 1 < value.length()) {
                    cur.append(c).append(value.charAt(++i));
                    continue;
                }
                if (c == '"') quoted = false;
            } else if (c == '"' && depth == 0) {
                quoted = true;
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && depth > 0) {
                depth--;
            } else if (c == '<' && depth == 0) {
                angle = true;
            } else if (c == '>' && depth == 0) {
                angle = false;
            } else if (c == ',' && depth == 0 && !angle) {
                out.add(cur.toString());
                cur.setLength(0);
                continue;
            }
            cur.append(c);
        }
        out.add(cur.toString());
        return out;
    }

    /** The element without (comments), nested ones included; quoted text is kept as is. */
    private static String stripComments(String s) {
        StringBuilder out = new StringBuilder();
        boolean quoted = false;
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (depth == 0 && c == '"') quoted = !quoted;
            if (!quoted && c == '(') {
                depth++;
                continue;
            }
            if (!quoted && c == ')' && depth > 0) {
                depth--;
                out.append(' ');
                continue;
            }
            if (depth == 0) out.append(c);
        }
        return out.toString();
    }

    private static int lastOutsideQuotes(String s, char wanted) {
        boolean quoted = false;
        int found = -1;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') quoted = !quoted;
            else if (c == wanted && !quoted) found = i;
        }
        return found;
    }

    /** White-space separated words; a quoted string (with what follows it, e.g. "a b"@x) is one word. */
    private static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted && c == '\\' && i + 1 < s.length()) {
                cur.append(c).append(s.charAt(++i));
                continue;
            }
            if (c == '"') quoted = !quoted;
            if (!quoted && Character.isWhitespace(c)) {
                if (!cur.isEmpty()) out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (!cur.isEmpty()) out.add(cur.toString());
        return out;
    }
}
