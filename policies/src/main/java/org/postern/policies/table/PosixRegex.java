// PosixRegex: compiles the POSIX regular expressions of regexp: tables (and later header_checks)
// to java.util.regex with glibc's meaning, as Postfix's regcomp() gives them: extended syntax (or
// basic with flag x), case-insensitive by default, brackets where \ is literal, [[:alpha:]] classes.
package org.postern.policies.table;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * POSIX ERE/BRE to Java translation. What glibc and Java do differently is rewritten (bracket
 * expressions, $ at the end only, a* * and a+? as nested repetitions, \< \> \` \'); what glibc
 * rejects is rejected; and \d, \n and the other backslash-letters that glibc does not know (which
 * match nothing in a case-insensitive Postfix regexp table) are load errors.
 */
final class PosixRegex {
    private PosixRegex() {}

    private static final Map<String, String> CLASSES = Map.ofEntries(
            Map.entry("alpha", "\\p{Alpha}"), Map.entry("digit", "\\p{Digit}"), Map.entry("alnum", "\\p{Alnum}"),
            Map.entry("upper", "\\p{Upper}"), Map.entry("lower", "\\p{Lower}"), Map.entry("space", "\\s"),
            Map.entry("blank", "\\p{Blank}"), Map.entry("punct", "\\p{Punct}"), Map.entry("print", "\\p{Print}"),
            Map.entry("graph", "\\p{Graph}"), Map.entry("cntrl", "\\p{Cntrl}"), Map.entry("xdigit", "\\p{XDigit}"));

    /**
     * Compiles {@code re} with regexp_table(5) flags.
     *
     * @param icase    flag i (on by default): case-insensitive
     * @param newline  flag m (off by default): ^ $ match at newlines, . and [^x] do not match newline
     * @param extended flag x (on by default): extended syntax; off gives basic (BRE) syntax
     * @throws IllegalArgumentException naming the offending part of {@code re}
     */
    static Pattern compile(String re, boolean icase, boolean newline, boolean extended) {
        Translator t = new Translator(re, extended, newline);
        String java = t.translate();
        int flags = Pattern.UNIX_LINES | (icase ? Pattern.CASE_INSENSITIVE : 0)
                | (newline ? Pattern.MULTILINE : Pattern.DOTALL);
        Pattern p;
        try {
            p = Pattern.compile(java, flags);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("bad regular expression \"" + re + "\": " + e.getDescription());
        }
        if (t.maxBackref > p.matcher("").groupCount()) {
            throw new IllegalArgumentException("invalid back reference \\" + t.maxBackref + " in \"" + re + "\"");
        }
        return p;
    }

    /**
     * A PCRE POSIX class name inside [...] ("alpha", "^digit", "word", "ascii") as Java class
     * syntax, or null when unknown.
     */
    static String pcreClass(String name) {
        boolean negated = name.startsWith("^");
        String bare = negated ? name.substring(1) : name;
        if (bare.equals("word")) return negated ? "\\W" : "\\w";
        String java = bare.equals("ascii") ? "\\p{ASCII}" : CLASSES.get(bare);
        if (java == null) return null;
        if (bare.equals("space")) java = "\\p{Space}";
        return negated ? "\\P" + java.substring(2) : java;
    }

    /** {@code c} as a Java regex literal, inside or outside [...], whatever the flags. */
    static String quoted(int c) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return Character.toString(c);
        if (c > ' ' && c < 0x7f && c != '#') return "\\" + (char) c;
        if (c >= 0x80 && !Character.isWhitespace(c) && !Character.isISOControl(c)) return Character.toString(c);
        return "\\x{" + Integer.toHexString(c) + "}";
    }

    private static final class Translator {
        private final String re;
        private final boolean extended;
        private final boolean newline;
        private final StringBuilder out = new StringBuilder();
        private final Deque<Integer> groups = new ArrayDeque<>();
        private int i;
        private int lastAtom = -1;
        private boolean quantified;
        private boolean branchStart = true;
        int maxBackref;

        Translator(String re, boolean extended, boolean newline) {
            this.re = re;
            this.extended = extended;
            this.newline = newline;
        }

        String translate() {
            while (i < re.length()) {
                if (extended) ere();
                else bre();
            }
            if (!groups.isEmpty()) throw error("unmatched " + (extended ? "(" : "\\("));
            return out.toString();
        }

        private void ere() {
            char c = re.charAt(i);
            switch (c) {
                case '\\' -> escape();
                case '[' -> atom(bracket());
                case '.' -> step(".");
                case '(' -> { i++; open(); }
                case ')' -> { i++; close(); }
                case '|' -> { i++; alternation(); }
                case '*', '+', '?' -> { i++; quantify(String.valueOf(c), "'" + c + "'"); }
                case '{' -> { i++; interval("}"); }
                case '^' -> { i++; anchor("^"); }
                case '$' -> { i++; anchor(newline ? "$" : "\\z"); }
                default -> step(quoted(c));
            }
        }

        private void bre() {
            char c = re.charAt(i);
            switch (c) {
                case '\\' -> escape();
                case '[' -> atom(bracket());
                case '.' -> step(".");
                case '*' -> {
                    i++;
                    if (lastAtom < 0) atom("\\*");
                    else quantify("*", "'*'");
                }
                case '^' -> {
                    i++;
                    if (branchStart) anchor("^");
                    else atom("\\^");
                }
                case '$' -> {
                    i++;
                    boolean end = i == re.length() || re.startsWith("\\)", i) || re.startsWith("\\|", i);
                    if (end) anchor(newline ? "$" : "\\z");
                    else atom("\\$");
                }
                default -> step(quoted(c));
            }
        }

        private void escape() {
            if (i + 1 >= re.length()) throw error("trailing backslash");
            char d = re.charAt(i + 1);
            i += 2;
            if (!extended) {
                switch (d) {
                    case '(' -> { open(); return; }
                    case ')' -> { close(); return; }
                    case '{' -> { interval("\\}"); return; }
                    case '}' -> throw error("unmatched \\}");
                    case '|' -> { alternation(); return; }
                    case '+', '?' -> { quantify(String.valueOf(d), "'\\" + d + "'"); return; }
                    default -> { }
                }
            }
            switch (d) {
                case '1', '2', '3', '4', '5', '6', '7', '8', '9' -> {
                    maxBackref = Math.max(maxBackref, d - '0');
                    atom("(?:\\" + d + ")");
                }
                case 'w', 'W', 's', 'S' -> atom("\\" + d);
                case 'b', 'B' -> anchor("\\" + d);
                case '<' -> anchor("\\b(?=\\w)");
                case '>' -> anchor("\\b(?<=\\w)");
                case '`' -> anchor("\\A");
                case '\'' -> anchor("\\z");
                default -> {
                    if (TableSource.isAlnum(d)) {
                        throw error("\\" + d + " is not a POSIX regular expression operator (with Postfix it matches"
                                + " nothing); use a bracket expression such as [0-9] or [[:space:]], or a pcre: table");
                    }
                    atom(quoted(d));
                }
            }
        }

        /** Parses {m}, {m,}, {m,n} or {,n} (the opening brace is consumed) closed by {@code close}. */
        private void interval(String close) {
            int end = re.indexOf(close, i);
            String body = end < 0 ? null : re.substring(i, end);
            if (body == null || !body.matches("\\d*(,\\d*)?") || body.isEmpty() || body.equals(",")) {
                String open = extended ? "{" : "\\{";
                throw error("invalid interval \"" + open + (end < 0 ? re.substring(i) : body + close)
                        + "\": expected " + open + "n" + close + ", " + open + "n," + close + " or " + open + "n,m" + close
                        + (extended ? " (write \\{ for a literal brace)" : ""));
            }
            i = end + close.length();
            int comma = body.indexOf(',');
            String min = comma < 0 ? body : body.substring(0, comma);
            String max = comma < 0 ? null : body.substring(comma + 1);
            if (min.isEmpty()) min = "0";
            if (max != null && !max.isEmpty() && Long.parseLong(max) < Long.parseLong(min)) {
                throw error("invalid interval \"{" + body + "}\": the maximum is below the minimum");
            }
            quantify("{" + min + (max == null ? "" : "," + max) + "}", "interval {" + body + "}");
        }

        private void quantify(String q, String what) {
            if (lastAtom < 0) throw error(what + " has nothing to repeat");
            if (quantified) {
                out.insert(lastAtom, "(?:");
                out.append(')');
            }
            out.append(q);
            quantified = true;
            branchStart = false;
        }

        private void open() {
            groups.push(out.length());
            out.append('(');
            lastAtom = -1;
            quantified = false;
            branchStart = true;
        }

        private void close() {
            if (groups.isEmpty()) {
                throw error(extended ? "unmatched ) (write \\) for a literal parenthesis)" : "unmatched \\)");
            }
            out.append(')');
            lastAtom = groups.pop();
            quantified = false;
            branchStart = false;
        }

        private void alternation() {
            out.append('|');
            lastAtom = -1;
            quantified = false;
            branchStart = true;
        }

        private void anchor(String text) {
            out.append(text);
            lastAtom = -1;
            quantified = false;
        }

        private void step(String text) {
            i++;
            atom(text);
        }

        private void atom(String text) {
            lastAtom = out.length();
            out.append(text);
            quantified = false;
            branchStart = false;
        }

        /** A bracket expression starting at '[' as a Java character class. */
        private String bracket() {
            i++;
            boolean negated = i < re.length() && re.charAt(i) == '^';
            if (negated) i++;
            StringBuilder cls = new StringBuilder();
            boolean first = true;
            while (true) {
                if (i >= re.length()) throw error("unmatched [");
                char c = re.charAt(i);
                if (c == ']' && !first) {
                    i++;
                    break;
                }
                first = false;
                if (c == '[' && i + 1 < re.length() && re.charAt(i + 1) == ':') {
                    int close = re.indexOf(":]", i + 2);
                    if (close < 0) throw error("unterminated [:");
                    String name = re.substring(i + 2, close);
                    String java = CLASSES.get(name);
                    if (java == null) throw error("invalid character class name \"[:" + name + ":]\"");
                    cls.append(java);
                    i = close + 2;
                    if (i + 1 < re.length() && re.charAt(i) == '-' && re.charAt(i + 1) != ']') {
                        throw error("invalid range end: a character class cannot start a range");
                    }
                    continue;
                }
                char lo = element();
                if (i + 1 < re.length() && re.charAt(i) == '-' && re.charAt(i + 1) != ']') {
                    i++;
                    if (re.startsWith("[:", i)) throw error("invalid range end: a character class cannot end a range");
                    char hi = element();
                    if (hi < lo) throw error("invalid range end in \"[" + lo + "-" + hi + "]\"");
                    cls.append(quoted(lo)).append('-').append(quoted(hi));
                } else {
                    cls.append(quoted(lo));
                }
            }
            return "[" + (negated ? "^" : "") + cls + (negated && newline ? "\\n" : "") + "]";
        }

        /** One character of a bracket expression: plain, [.c.] or [=c=] (one character: the C locale). */
        private char element() {
            char c = re.charAt(i);
            if (c == '[' && i + 1 < re.length() && (re.charAt(i + 1) == '.' || re.charAt(i + 1) == '=')) {
                char kind = re.charAt(i + 1);
                int close = re.indexOf(kind + "]", i + 2);
                if (close < 0) throw error("unterminated [" + kind);
                String name = re.substring(i + 2, close);
                if (name.length() != 1) {
                    throw error("collating element \"[" + kind + name + kind + "]\" is not supported (one character only)");
                }
                i = close + 2;
                return name.charAt(0);
            }
            i++;
            return c;
        }

        private IllegalArgumentException error(String message) {
            return new IllegalArgumentException(message + " in regular expression \"" + re + "\"");
        }
    }
}
