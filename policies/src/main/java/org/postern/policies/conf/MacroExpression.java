// MacroExpression: evaluates the inside of one $name / ${...} / $(...) reference of a main.cf value:
// a plain name, ${name?text} / ${name:text}, Postfix 3's ${name?{t1}:{t2}} and ${{a} == {b} ? {t1} : {t2}}
// (== != < <= >= > and <level etc.). Called by Expander, which scans values for $ and recurses.
package org.postern.policies.conf;

import java.math.BigInteger;
import java.util.List;

/** The conditional and comparison forms of Postfix's mac_expand(), for one Expander. */
final class MacroExpression {
    private static final String OPERATOR_CHARS = "<>!=?+-*/~&|%";
    private static final List<String> OPERATORS = List.of("==", "!=", "<", "<=", ">=", ">");

    private final Expander expander;

    MacroExpression(Expander expander) {
        this.expander = expander;
    }

    /** One $name or ${...} expression (without the $ and brackets); appends its expansion; false after a syntax error. */
    boolean evaluate(String expr, String owner, StringBuilder out, boolean[] ok) {
        Cursor cp = new Cursor(expr);
        String lookup;
        char ch;
        cp.skipSpace();
        if (cp.peek() == '{') {
            String left = cp.curly();
            if (left == null) return expander.error(owner, ok, "unbalanced {} in attribute expression: \"" + Expander.abbreviate(expr) + "\"");
            int opStart = cp.pos;
            while (cp.more() && OPERATOR_CHARS.indexOf(cp.peek()) >= 0) cp.pos++;
            String op = expr.substring(opStart, cp.pos);
            if (!OPERATORS.contains(op)) {
                cp.pos = opStart;
                return expander.error(owner, ok, "\"==\" or \"!=\" or \"<\" or \"<=\" or \">=\" or \">\" expected at: \"...{"
                        + left + "}>>>" + cp.rest(20) + "\"");
            }
            int suffixStart = cp.pos;
            while (cp.more() && Character.isLetterOrDigit(cp.peek())) cp.pos++;
            String suffix = expr.substring(suffixStart, cp.pos);
            if (!suffix.isEmpty() && !suffix.equals("level")) {
                return expander.error(owner, ok, "bad operator suffix at: \"..." + op + ">>>" + suffix + "\"");
            }
            cp.skipSpace();
            if (cp.peek() != '{') {
                return expander.error(owner, ok, "\"{expression}\" expected at: \"...{" + left + "} " + op + suffix
                        + ">>>" + cp.rest(20) + "\"");
            }
            String right = cp.curly();
            if (right == null) return expander.error(owner, ok, "unbalanced {} in attribute expression: \"" + Expander.abbreviate(expr) + "\"");
            String l = expander.expand(left, owner, ok);
            String r = expander.expand(right, owner, ok);
            Boolean result = compare(l, op, suffix, r);
            if (result == null) {
                return expander.error(owner, ok, "bad compatibility level in \"{" + l + "} " + op + suffix + " {" + r + "}\"");
            }
            lookup = result ? "true" : "";
            ch = cp.more() ? cp.next() : 0;
            if (ch != 0 && ch != '?' && ch != ':') {
                return expander.error(owner, ok, "\"?\" or \":\" expected at: \"...}>>>" + expr.substring(cp.pos - 1) + "\"");
            }
        } else {
            int start = cp.pos;
            while (true) {
                int k = cp.pos;
                while (k < expr.length() && LogicalLines.isSpace(expr.charAt(k))) k++;
                if (k == expr.length()) {
                    ch = 0;
                    break;
                }
                if (expr.charAt(k) == '?' || expr.charAt(k) == ':') {
                    ch = expr.charAt(k);
                    break;
                }
                if (!Expander.isNameChar(expr.charAt(cp.pos))) {
                    return expander.error(owner, ok, "attribute name syntax error at: \"..."
                            + expr.substring(0, cp.pos) + ">>>" + cp.rest(20) + "\"");
                }
                cp.pos++;
            }
            String name = expr.substring(start, cp.pos);
            if (ch != 0) cp.pos = expr.indexOf(ch, cp.pos) + 1;
            lookup = ch == 0 ? expander.lookup(name, owner, ok) : expander.test(name, owner);
        }
        switch (ch) {
            case '?': {
                String ifTrue = cp.curlyOrRest();
                if (ifTrue == null) return expander.error(owner, ok, "unbalanced {} in attribute expression: \"" + Expander.abbreviate(expr) + "\"");
                if (lookup != null && !lookup.isEmpty()) out.append(expander.expand(ifTrue, owner, ok));
                if (!cp.more()) break;
                if (cp.peek() != ':') {
                    return expander.error(owner, ok, "\":\" expected at: \"..." + ifTrue + "}>>>" + cp.rest(20) + "\"");
                }
                cp.pos++;
            }
            // fall through: ${name?{text1}:{text2}}
            case ':': {
                String ifFalse = cp.curlyOrRest();
                if (ifFalse == null) return expander.error(owner, ok, "unbalanced {} in attribute expression: \"" + Expander.abbreviate(expr) + "\"");
                if (lookup == null || lookup.isEmpty()) out.append(expander.expand(ifFalse, owner, ok));
                if (cp.more()) {
                    return expander.error(owner, ok, "unexpected input at: \"..." + ifFalse + "}>>>" + cp.rest(20) + "\"");
                }
                break;
            }
            default:
                if (lookup != null) out.append(lookup);
        }
        return true;
    }

    /** Postfix relational operators: numeric when both sides are digits, else string order. */
    static Boolean compare(String l, String op, String suffix, String r) {
        int delta;
        if (suffix.equals("level")) {
            int[] a = level(l);
            int[] b = level(r);
            if (a == null || b == null) return null;
            delta = 0;
            for (int i = 0; i < 3 && delta == 0; i++) delta = Integer.compare(a[i], b[i]);
        } else if (allDigits(l) && allDigits(r)) {
            delta = new BigInteger(l).compareTo(new BigInteger(r));
        } else {
            delta = Integer.signum(l.compareTo(r));
        }
        return switch (op) {
            case "==" -> delta == 0;
            case "!=" -> delta != 0;
            case "<" -> delta < 0;
            case "<=" -> delta <= 0;
            case ">=" -> delta >= 0;
            default -> delta > 0;
        };
    }

    /** A Postfix compatibility level: major[.minor[.patch]]. */
    private static int[] level(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length > 3) return null;
        int[] out = new int[3];
        for (int i = 0; i < parts.length; i++) {
            if (!allDigits(parts[i]) || parts[i].length() > 9) return null;
            out[i] = Integer.parseInt(parts[i]);
        }
        return out;
    }

    private static boolean allDigits(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** Read position within one ${...} expression. */
    private static final class Cursor {
        final String s;
        int pos;

        Cursor(String s) {
            this.s = s;
        }

        boolean more() {
            return pos < s.length();
        }

        char peek() {
            return more() ? s.charAt(pos) : 0;
        }

        char next() {
            return s.charAt(pos++);
        }

        String rest(int max) {
            String r = s.substring(pos);
            return r.length() > max ? r.substring(0, max) : r;
        }

        void skipSpace() {
            while (more() && LogicalLines.isSpace(peek())) pos++;
        }

        /** At '{' (after optional whitespace): the balanced payload, then skips trailing whitespace. */
        String curly() {
            int level = 1;
            int start = pos + 1;
            int j = start;
            for (; j < s.length(); j++) {
                char c = s.charAt(j);
                if (c == '{') level++;
                else if (c == '}' && --level == 0) break;
            }
            if (j >= s.length()) return null;
            pos = j + 1;
            skipSpace();
            return s.substring(start, j);
        }

        /** A {payload} if one follows (after whitespace), else all remaining text (Postfix 2.x form). */
        String curlyOrRest() {
            int save = pos;
            skipSpace();
            if (peek() == '{') return curly();
            pos = save;
            String r = s.substring(pos);
            pos = s.length();
            return r;
        }
    }
}
