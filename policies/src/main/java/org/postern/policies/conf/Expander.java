// Expander: Postfix's $name expansion of main.cf values (mac_parse/mac_expand): $name, ${name},
// $(name), ${name?text}, ${name:text}, ${name?{t1}:{t2}}, ${{a} == {b} ? {t1} : {t2}} with
// == != < <= >= > and <level etc., $$ for a literal $; recursive, with loop detection.
package org.postern.policies.conf;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.postern.core.Origin;

/** Expands parameter values for one configuration build; memoizes each parameter's result. */
final class Expander {

    /** Where raw values come from. */
    interface Source {
        /** The unexpanded value of {@code name}, or null when it is undefined. */
        String raw(String name);

        /** Where the value of {@code name} was set (for diagnostics). */
        Origin origin(String name);
    }

    /** An expanded value; {@code ok} is false when it (or a value it refers to) had an error. */
    record Result(String text, boolean ok) {}

    private static final Result UNDEFINED = new Result(null, true);
    private static final String OPERATOR_CHARS = "<>!=?+-*/~&|%";
    private static final List<String> OPERATORS = List.of("==", "!=", "<", "<=", ">=", ">");
    /** Nesting of $name expressions and references within one expansion, as Postfix's mac_expand() allows. */
    static final int MAX_NESTING = 100;
    /** Longest expanded value: beyond it a value is refused (values that double a macro at every level). */
    static final int MAX_LENGTH = 1_000_000;

    private final Source source;
    private final Predicate<String> isPostfixName;
    private final Set<Diagnostic> sink;
    private final Map<String, Result> memo = new HashMap<>();
    private final LinkedHashSet<String> active = new LinkedHashSet<>();
    private final Set<String> referenced = new LinkedHashSet<>();
    private int nesting;
    private boolean tooLong;

    Expander(Source source, Predicate<String> isPostfixName, Set<Diagnostic> sink) {
        this.source = source;
        this.isPostfixName = isPostfixName;
        this.sink = sink;
    }

    /** The fully expanded value of {@code name}; {@code text() == null} when it is undefined. */
    Result value(String name) {
        Result known = memo.get(name);
        if (known != null) return known;
        if (active.contains(name)) {
            List<String> cycle = new ArrayList<>();
            boolean in = false;
            for (String a : active) {
                in |= a.equals(name);
                if (in) cycle.add(a);
            }
            cycle.add(name);
            sink.add(Diagnostic.error(source.origin(name), "recursive expansion of parameter \"" + name
                    + "\": " + String.join(" -> ", cycle)));
            return new Result("", false);
        }
        active.add(name);
        Result r;
        try {
            String raw = source.raw(name);
            if (raw == null) {
                r = UNDEFINED;
            } else {
                boolean[] ok = {true};
                String text = expand(raw, name, ok);
                r = new Result(text, ok[0]);
            }
        } finally {
            active.remove(name);
        }
        memo.put(name, r);
        return r;
    }

    /** Names looked up through $name (in any form) while expanding, transitively. */
    Set<String> referenced() {
        return referenced;
    }

    /** Expands {@code text}, which belongs to parameter {@code owner}; clears ok[0] on an error. */
    private String expand(String text, String owner, boolean[] ok) {
        if (nesting >= MAX_NESTING) {
            // Postfix mac_expand(): "unreasonable macro call nesting"; also ends reference chains
            error(owner, ok, "unreasonable macro call nesting (more than " + MAX_NESTING + " levels): \""
                    + abbreviate(text) + "\"");
            return "";
        }
        nesting++;
        try {
            return expandLevel(text, owner, ok);
        } finally {
            nesting--;
        }
    }

    private String expandLevel(String text, String owner, boolean[] ok) {
        StringBuilder out = new StringBuilder();
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c != '$') {
                out.append(c);
                i++;
                continue;
            }
            if (i + 1 < n && text.charAt(i + 1) == '$') {
                out.append('$');
                i += 2;
                continue;
            }
            i++;
            String expr;
            if (i < n && (text.charAt(i) == '{' || text.charAt(i) == '(')) {
                char open = text.charAt(i);
                char close = open == '{' ? '}' : ')';
                int level = 1;
                int j = i + 1;
                while (j < n && level > 0) {
                    if (text.charAt(j) == open) level++;
                    else if (text.charAt(j) == close) level--;
                    j++;
                }
                if (level > 0) return fail(owner, ok, out, "truncated macro reference: \"" + abbreviate(text) + "\"");
                expr = text.substring(i + 1, j - 1);
                i = j;
            } else {
                int j = i;
                while (j < n && isNameChar(text.charAt(j))) j++;
                expr = text.substring(i, j);
                i = j;
            }
            if (expr.isEmpty()) return fail(owner, ok, out, "empty macro name: \"" + abbreviate(text) + "\"");
            if (!expression(expr, owner, out, ok)) return out.toString();
            if (out.length() > MAX_LENGTH) {
                ok[0] = false;
                if (!tooLong) {
                    tooLong = true; // once: every value that refers to this one is too long as well
                    error(owner, ok, "the expanded value is longer than " + MAX_LENGTH + " characters: \""
                            + abbreviate(text) + "\"");
                }
                return out.substring(0, MAX_LENGTH);
            }
        }
        return out.toString();
    }

    /** One $name or ${...} expression; appends its expansion; false after a syntax error. */
    private boolean expression(String expr, String owner, StringBuilder out, boolean[] ok) {
        Cursor cp = new Cursor(expr);
        String lookup;
        char ch;
        cp.skipSpace();
        if (cp.peek() == '{') {
            String left = cp.curly();
            if (left == null) return error(owner, ok, "unbalanced {} in attribute expression: \"" + abbreviate(expr) + "\"");
            int opStart = cp.pos;
            while (cp.more() && OPERATOR_CHARS.indexOf(cp.peek()) >= 0) cp.pos++;
            String op = expr.substring(opStart, cp.pos);
            if (!OPERATORS.contains(op)) {
                cp.pos = opStart;
                return error(owner, ok, "\"==\" or \"!=\" or \"<\" or \"<=\" or \">=\" or \">\" expected at: \"...{"
                        + left + "}>>>" + cp.rest(20) + "\"");
            }
            int suffixStart = cp.pos;
            while (cp.more() && Character.isLetterOrDigit(cp.peek())) cp.pos++;
            String suffix = expr.substring(suffixStart, cp.pos);
            if (!suffix.isEmpty() && !suffix.equals("level")) {
                return error(owner, ok, "bad operator suffix at: \"..." + op + ">>>" + suffix + "\"");
            }
            cp.skipSpace();
            if (cp.peek() != '{') {
                return error(owner, ok, "\"{expression}\" expected at: \"...{" + left + "} " + op + suffix
                        + ">>>" + cp.rest(20) + "\"");
            }
            String right = cp.curly();
            if (right == null) return error(owner, ok, "unbalanced {} in attribute expression: \"" + abbreviate(expr) + "\"");
            String l = expand(left, owner, ok);
            String r = expand(right, owner, ok);
            Boolean result = compare(l, op, suffix, r);
            if (result == null) {
                return error(owner, ok, "bad compatibility level in \"{" + l + "} " + op + suffix + " {" + r + "}\"");
            }
            lookup = result ? "true" : "";
            ch = cp.more() ? cp.next() : 0;
            if (ch != 0 && ch != '?' && ch != ':') {
                return error(owner, ok, "\"?\" or \":\" expected at: \"...}>>>" + expr.substring(cp.pos - 1) + "\"");
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
                if (!isNameChar(expr.charAt(cp.pos))) {
                    return error(owner, ok, "attribute name syntax error at: \"..."
                            + expr.substring(0, cp.pos) + ">>>" + cp.rest(20) + "\"");
                }
                cp.pos++;
            }
            String name = expr.substring(start, cp.pos);
            if (ch != 0) cp.pos = expr.indexOf(ch, cp.pos) + 1;
            lookup = ch == 0 ? lookup(name, owner, ok) : test(name, owner);
        }
        switch (ch) {
            case '?': {
                String ifTrue = cp.curlyOrRest();
                if (ifTrue == null) return error(owner, ok, "unbalanced {} in attribute expression: \"" + abbreviate(expr) + "\"");
                if (lookup != null && !lookup.isEmpty()) out.append(expand(ifTrue, owner, ok));
                if (!cp.more()) break;
                if (cp.peek() != ':') {
                    return error(owner, ok, "\":\" expected at: \"..." + ifTrue + "}>>>" + cp.rest(20) + "\"");
                }
                cp.pos++;
            }
            // fall through: ${name?{text1}:{text2}}
            case ':': {
                String ifFalse = cp.curlyOrRest();
                if (ifFalse == null) return error(owner, ok, "unbalanced {} in attribute expression: \"" + abbreviate(expr) + "\"");
                if (lookup == null || lookup.isEmpty()) out.append(expand(ifFalse, owner, ok));
                if (cp.more()) {
                    return error(owner, ok, "unexpected input at: \"..." + ifFalse + "}>>>" + cp.rest(20) + "\"");
                }
                break;
            }
            default:
                if (lookup != null) out.append(lookup);
        }
        return true;
    }

    /** The expanded value of a referenced parameter, null (with a warning) when undefined. */
    private String lookup(String name, String owner, boolean[] ok) {
        referenced.add(name);
        Result r = value(name);
        if (!r.ok()) ok[0] = false;
        if (r.text() == null) warnUndefined(name, owner);
        return r.text();
    }

    /**
     * Names that {@code raw} refers to ($name, ${name...}, $(name...), also inside conditional
     * text), found without expanding -- as postconf does to tell used parameters from unused ones.
     */
    static Set<String> scanNames(String raw) {
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < raw.length(); i++) {
            if (raw.charAt(i) != '$') continue;
            if (i + 1 < raw.length() && raw.charAt(i + 1) == '$') {
                i++;
                continue;
            }
            int j = i + 1;
            if (j < raw.length() && (raw.charAt(j) == '{' || raw.charAt(j) == '(')) j++;
            while (j < raw.length() && LogicalLines.isSpace(raw.charAt(j))) j++;
            int start = j;
            while (j < raw.length() && isNameChar(raw.charAt(j))) j++;
            if (j > start) names.add(raw.substring(start, j));
        }
        return names;
    }

    /**
     * For ${name?..} and ${name:..}: the unexpanded value, as Postfix tests it (so "a = $b" with
     * an empty b still counts as non-empty); null (with a warning) when undefined.
     */
    private String test(String name, String owner) {
        referenced.add(name);
        String raw = source.raw(name);
        if (raw == null) warnUndefined(name, owner);
        return raw;
    }

    private void warnUndefined(String name, String owner) {
        String what = isPostfixName.test(name)
                ? "refers to \"" + name + "\", a Postfix parameter that Postern does not use and that is not set here"
                : "refers to undefined parameter \"" + name + "\"";
        sink.add(Diagnostic.warning(source.origin(owner), "the value of " + owner + " " + what + "; it expands to empty"));
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

    static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    private static String abbreviate(String text) {
        return text.length() > 100 ? text.substring(0, 100) + "..." : text;
    }

    private String fail(String owner, boolean[] ok, StringBuilder out, String message) {
        error(owner, ok, message);
        return out.toString();
    }

    private boolean error(String owner, boolean[] ok, String message) {
        ok[0] = false;
        sink.add(Diagnostic.error(source.origin(owner), "bad $name expansion in the value of " + owner + ": " + message));
        return false;
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
