// PcreTranslator: rewrites one pcre: table pattern into java.util.regex syntax, construct by construct
// ([[:alpha:]], (?P<n>, \g{-1}, \x, \o{}, (?#...), a{, the U and E flags), rejecting what Java cannot do
// (recursion, (?|, (?(, verbs) with the token named. Used by PcreRegex when pcre: tables load.
package org.postern.policies.table;

/** One pattern's PCRE (as Postfix 3.7 uses PCRE2) to Java translation; single use. */
final class PcreTranslator {
    private final String re;
    private final PcreRegex.Options o;
    private final StringBuilder out = new StringBuilder();
    private int i;
    private int captures;
    /** The highest group number a back reference names, checked against the compiled pattern. */
    int maxBackref;

    PcreTranslator(String re, PcreRegex.Options o) {
        this.re = re;
        this.o = o;
    }

    /** The Java spelling of the whole pattern; throws IllegalArgumentException naming what Java cannot do. */
    String translate() {
        while (i < re.length()) {
            char c = re.charAt(i);
            if (o.extended() && c == '#') {
                int nl = re.indexOf('\n', i);
                i = nl < 0 ? re.length() : nl;
                continue;
            }
            switch (c) {
                case '\\' -> escape(false);
                case '[' -> characterClass();
                case '(' -> group();
                case '{' -> {
                    int len = quantifierLength(i);
                    if (len > 0) quantifier(re.substring(i, i + len));
                    else emit("\\{", 1);
                }
                case '*', '+', '?' -> quantifier(String.valueOf(c));
                case '$' -> emit(o.dollarEndOnly() && !o.multiline() ? "\\z" : "$", 1);
                case ']', '}' -> emit("\\" + c, 1);
                default -> emit(String.valueOf(c), 1);
            }
        }
        return out.toString();
    }

    private void emit(String text, int consumed) {
        out.append(text);
        i += consumed;
    }

    /** {n}, {n,} or {n,m} at {@code at} (PCRE2 10.42 reads anything else, {,m} too, literally). */
    private int quantifierLength(int at) {
        int j = at + 1;
        int digits = 0;
        while (j < re.length() && Character.isDigit(re.charAt(j))) { j++; digits++; }
        if (digits == 0) return 0;
        if (j < re.length() && re.charAt(j) == ',') {
            j++;
            while (j < re.length() && Character.isDigit(re.charAt(j))) j++;
        }
        return j < re.length() && re.charAt(j) == '}' ? j + 1 - at : 0;
    }

    /** A quantifier, then PCRE's lazy '?' or possessive '+'; flag U swaps greedy and lazy. */
    private void quantifier(String q) {
        emit(q, q.length());
        if (i < re.length() && re.charAt(i) == '+') {
            emit("+", 1);
        } else if (i < re.length() && re.charAt(i) == '?') {
            i++;
            if (!o.ungreedy()) out.append('?');
        } else if (o.ungreedy()) {
            out.append('?');
        }
    }

    private void escape(boolean inClass) {
        if (i + 1 >= re.length()) throw error("\\ at end of pattern");
        char d = re.charAt(i + 1);
        i += 2;
        switch (d) {
            case 'Q' -> {
                int end = re.indexOf("\\E", i);
                String literal = re.substring(i, end < 0 ? re.length() : end);
                literal.codePoints().forEach(cp -> out.append(PosixRegex.quoted(cp)));
                i = end < 0 ? re.length() : end + 2;
            }
            case 'E' -> { }
            case 'x' -> out.append(hex());
            case 'o' -> out.append(octalBraced());
            case '0' -> out.append(octal(2));
            case 'c' -> {
                if (i >= re.length()) throw error("\\c at end of pattern");
                int code = Character.toUpperCase(re.charAt(i++)) ^ 0x40;
                out.append("\\x{").append(Integer.toHexString(code)).append('}');
            }
            case 'd', 'D', 's', 'S', 'w', 'W', 'h', 'H', 'v', 'V', 'a', 'e', 'f', 'n', 'r', 't' ->
                    out.append('\\').append(d);
            case 'p', 'P' -> property(d);
            default -> {
                if (inClass) classEscape(d);
                else outsideEscape(d);
            }
        }
    }

    private void outsideEscape(char d) {
        switch (d) {
            case 'b', 'B', 'A', 'z', 'Z', 'G', 'R', 'X' -> out.append('\\').append(d);
            case 'K' -> { }
            case 'N' -> {
                if (i < re.length() && re.charAt(i) == '{') throw error("\\N{...} is not supported");
                out.append("[^\\n]");
            }
            case 'g' -> backReference();
            case 'k' -> out.append("\\k<").append(name(i < re.length() ? re.charAt(i++) : ' ')).append('>');
            case '1', '2', '3', '4', '5', '6', '7', '8', '9' -> numberEscape(i - 1);
            default -> plain(d);
        }
    }

    /**
     * \\n outside a class, as PCRE2 reads it: a back reference when n < 10, when it starts with 8
     * or 9, or when at least n groups were opened before it; otherwise up to three octal digits.
     */
    private void numberEscape(int start) {
        int end = start;
        while (end < re.length() && Character.isDigit(re.charAt(end))) end++;
        String digits = re.substring(start, end);
        int n = digits.length() > 6 ? Integer.MAX_VALUE : Integer.parseInt(digits);
        if (n < 10 || digits.charAt(0) >= '8' || n <= captures) {
            maxBackref = Math.max(maxBackref, n);
            out.append("(?:\\").append(n).append(')');
            i = end;
        } else {
            i = start;
            out.append(octal(3));
        }
    }

    private void classEscape(char d) {
        if (d == 'b') {
            out.append("\\x{8}");
        } else if (d >= '1' && d <= '7') {
            i--;
            out.append(octal(3));
        } else {
            plain(d);
        }
    }

    private void plain(char d) {
        if (TableSource.isAlnum(d)) throw error("\\" + d + " is not supported here");
        out.append(PosixRegex.quoted(d));
    }

    /** \xhh (0 to 2 hex digits) or \x{hhh}. */
    private String hex() {
        if (i < re.length() && re.charAt(i) == '{') {
            int close = re.indexOf('}', i);
            if (close < 0) throw error("\\x{ without }");
            String digits = re.substring(i + 1, close);
            i = close + 1;
            return "\\x{" + digits + "}";
        }
        int start = i;
        while (i < re.length() && i - start < 2 && Character.digit(re.charAt(i), 16) >= 0) i++;
        return "\\x{" + (i == start ? "0" : re.substring(start, i)) + "}";
    }

    /** Up to {@code max} octal digits at {@code i} (after \0: \0, \07, \012). */
    private String octal(int max) {
        int start = i;
        while (i < re.length() && i - start < max && re.charAt(i) >= '0' && re.charAt(i) <= '7') i++;
        int value = i == start ? 0 : Integer.parseInt(re.substring(start, i), 8);
        return "\\x{" + Integer.toHexString(value) + "}";
    }

    private String octalBraced() {
        int close = re.indexOf('}', i);
        if (i >= re.length() || re.charAt(i) != '{' || close < 0) throw error("\\o must be followed by {digits}");
        String digits = re.substring(i + 1, close);
        i = close + 1;
        try {
            return "\\x{" + Integer.toHexString(Integer.parseInt(digits, 8)) + "}";
        } catch (NumberFormatException e) {
            throw error("bad octal number in \\o{" + digits + "}");
        }
    }

    private void property(char d) {
        int start = i;
        if (i < re.length() && re.charAt(i) == '{') {
            int close = re.indexOf('}', i);
            if (close < 0) throw error("\\" + d + "{ without }");
            i = close + 1;
        } else if (i < re.length()) {
            i++;
        }
        out.append('\\').append(d).append(re, start, i);
    }

    /** \g{n}, \gn, \g{-n}, \g-n (relative), \g{name}; \g<...> and \g'...' are subroutine calls. */
    private void backReference() {
        if (i >= re.length()) throw error("\\g at end of pattern");
        char c = re.charAt(i);
        if (c == '<' || c == '\'') {
            throw error("subroutine call \\g" + (c == '<' ? "<...>" : "'...'") + " is not supported by Java");
        }
        String ref;
        if (c == '{') {
            int close = re.indexOf('}', i);
            if (close < 0) throw error("\\g{ without }");
            ref = re.substring(i + 1, close);
            i = close + 1;
        } else {
            int start = i;
            if (c == '-' || c == '+') i++;
            while (i < re.length() && Character.isDigit(re.charAt(i))) i++;
            ref = re.substring(start, i);
        }
        if (!ref.matches("[+-]?\\d+")) {
            out.append("\\k<").append(ref).append('>');
            return;
        }
        if (ref.startsWith("+")) throw error("forward relative reference \\g" + ref + " is not supported");
        int n = Integer.parseInt(ref);
        int absolute = n < 0 ? captures + n + 1 : n;
        if (absolute < 1) throw error("reference \\g" + ref + " to a group that does not exist");
        maxBackref = Math.max(maxBackref, absolute);
        out.append("(?:\\").append(absolute).append(')');
    }

    /** A group name after \k or (?P= etc., up to its closing delimiter. */
    private String name(char open) {
        char close = switch (open) {
            case '<' -> '>';
            case '\'' -> '\'';
            case '{' -> '}';
            default -> throw error("expected <name>, 'name' or {name} after \\k");
        };
        int end = re.indexOf(close, i);
        if (end < 0) throw error("unterminated group name");
        String name = re.substring(i, end);
        i = end + 1;
        return name;
    }

    private void group() {
        String rest = re.substring(i);
        if (rest.startsWith("(*")) {
            int close = re.indexOf(')', i);
            String verb = close < 0 ? rest : re.substring(i, close + 1);
            if (verb.equals("(*FAIL)") || verb.equals("(*F)")) {
                emit("(?!)", verb.length());
                return;
            }
            throw error("backtracking control verb or start option " + verb + " is not supported by Java");
        }
        if (!rest.startsWith("(?")) {
            captures++;
            emit("(", 1);
            return;
        }
        char c = rest.length() > 2 ? rest.charAt(2) : ')';
        if (c == '#') {
            int close = re.indexOf(')', i);
            if (close < 0) throw error("missing ) after (?# comment");
            i = close + 1;
        } else if (c == 'C') {
            skipCallout();
        } else if (c == 'P' && rest.startsWith("(?P<") || c == '\'' || c == '<' && !rest.startsWith("(?<=")
                && !rest.startsWith("(?<!")) {
            i += c == 'P' ? 3 : 2;
            captures++;
            out.append("(?<").append(name(re.charAt(i++))).append('>');
        } else if (rest.startsWith("(?P=")) {
            int close = re.indexOf(')', i);
            if (close < 0) throw error("missing ) after (?P=");
            out.append("\\k<").append(re, i + 4, close).append('>');
            i = close + 1;
        } else if (c == ':' || c == '=' || c == '!' || c == '>' || c == '<') {
            emit(rest.substring(0, c == '<' ? 4 : 3), c == '<' ? 4 : 3);
        } else if (c == '|') {
            throw error("branch reset group (?|...) is not supported by Java");
        } else if (c == '(') {
            throw error("conditional group (?(...)...) is not supported by Java");
        } else if (c == 'R' || c == '&' || c == 'P' || Character.isDigit(c)
                || (c == '+' || c == '-') && rest.length() > 3 && Character.isDigit(rest.charAt(3))) {
            throw error("recursion or subroutine call " + rest.substring(0, Math.min(rest.length(), 5))
                    + "... is not supported by Java");
        } else {
            inlineOptions();
        }
    }

    /** (?C), (?Cn), (?C"text") ...: callouts do nothing without a callout function; dropped. */
    private void skipCallout() {
        int j = i + 3;
        if (j < re.length() && "`'\"^%#${".indexOf(re.charAt(j)) >= 0) {
            char open = re.charAt(j);
            int end = re.indexOf(open == '{' ? '}' : open, j + 1);
            if (end < 0) throw error("unterminated callout string");
            j = end + 1;
        } else {
            while (j < re.length() && Character.isDigit(re.charAt(j))) j++;
        }
        if (j >= re.length() || re.charAt(j) != ')') throw error("bad callout syntax");
        i = j + 1;
    }

    /** (?imsx-imsx) or (?imsx-imsx: -- the letters Java reads the same way; others are errors. */
    private void inlineOptions() {
        int j = i + 2;
        while (j < re.length() && re.charAt(j) != ')' && re.charAt(j) != ':') {
            char f = re.charAt(j);
            if ("imsx-".indexOf(f) < 0 || f == 'x' && j + 1 < re.length() && re.charAt(j + 1) == 'x') {
                throw error("inline option (?" + f + ") is not supported (Java reads it differently or not at all)");
            }
            j++;
        }
        if (j >= re.length()) throw error("unterminated (? group");
        emit(re.substring(i, j + 1), j + 1 - i);
    }

    private void characterClass() {
        out.append('[');
        i++;
        if (i < re.length() && re.charAt(i) == '^') emit("^", 1);
        boolean first = true;
        boolean classBefore = false;
        while (true) {
            if (i >= re.length()) throw error("missing terminating ] for character class");
            char c = re.charAt(i);
            if (c == ']' && !first) {
                emit("]", 1);
                return;
            }
            first = false;
            if (c == '-' && classBefore && i + 1 < re.length() && re.charAt(i + 1) != ']') {
                throw error("invalid range in character class: a class such as \\d cannot start a range");
            }
            classBefore = false;
            if (c == '[' && i + 1 < re.length() && re.charAt(i + 1) == ':') {
                int close = re.indexOf(":]", i + 2);
                if (close >= 0) {
                    String java = PosixRegex.pcreClass(re.substring(i + 2, close));
                    if (java == null) throw error("unknown POSIX class name [:" + re.substring(i + 2, close) + ":]");
                    out.append(java);
                    i = close + 2;
                    classBefore = true;
                    continue;
                }
            }
            if (c == '\\') {
                char d = i + 1 < re.length() ? re.charAt(i + 1) : ' ';
                classBefore = "dDsSwWhHvVpP".indexOf(d) >= 0;
                escape(true);
            } else if (c == '-') {
                emit("-", 1);
            } else {
                emit(PosixRegex.quoted(c), 1);
            }
        }
    }

    private IllegalArgumentException error(String message) {
        return new IllegalArgumentException(message + " in \"" + re + "\"");
    }
}
