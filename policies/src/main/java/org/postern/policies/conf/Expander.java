// Expander: Postfix's $name expansion of main.cf values (mac_parse/mac_expand) while a Config is built:
// scans for $name, ${name}, $(name) and $$, expands referenced parameters recursively with memoizing,
// loop detection and nesting/length limits; the ${...?...:...} and {a} == {b} forms are MacroExpression's.
package org.postern.policies.conf;

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
    private final MacroExpression expressions = new MacroExpression(this);

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
    String expand(String text, String owner, boolean[] ok) {
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
            if (!expressions.evaluate(expr, owner, out, ok)) return out.toString();
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

    /** The expanded value of a referenced parameter, null (with a warning) when undefined. */
    String lookup(String name, String owner, boolean[] ok) {
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
    String test(String name, String owner) {
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

    static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    static String abbreviate(String text) {
        return text.length() > 100 ? text.substring(0, 100) + "..." : text;
    }

    private String fail(String owner, boolean[] ok, StringBuilder out, String message) {
        error(owner, ok, message);
        return out.toString();
    }

    boolean error(String owner, boolean[] ok, String message) {
        ok[0] = false;
        sink.add(Diagnostic.error(source.origin(owner), "bad $name expansion in the value of " + owner + ": " + message));
        return false;
    }
}
