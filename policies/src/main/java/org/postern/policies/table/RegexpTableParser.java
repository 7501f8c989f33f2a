// RegexpTableParser: reads regexp_table(5) and pcre_table(5) sources -- "/pattern/flags result",
// "!/pattern/ result", "if /pattern/" ... "endif", any delimiter -- into a RegexpTable. Where Postfix
// skips a bad rule with a warning, Postern refuses the file with an error naming file:line and token.
package org.postern.policies.table;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.postern.policies.conf.Diagnostic;

/** regexp: and pcre: table syntax. */
final class RegexpTableParser {
    private RegexpTableParser() {}

    /** The two pattern languages: POSIX (regexp:) and PCRE (pcre:). */
    enum Dialect {
        REGEXP, PCRE;

        String label() {
            return this == REGEXP ? "regexp" : "pcre";
        }
    }

    /** A pattern as written: its text between the delimiters, negation and flags. */
    private record Written(String body, boolean positive, String flags, String token) {}

    /** Parses {@code lines}; every problem goes to {@code sink} (errors make the caller refuse the table). */
    static RegexpTable parse(String spec, Dialect dialect, List<TableSource.Line> lines, List<Diagnostic> sink) {
        List<RegexpTable.Rule> rules = new ArrayList<>();
        Deque<Integer> open = new ArrayDeque<>();
        for (TableSource.Line line : lines) {
            String text = TableSource.trimEnd(line.text());
            try {
                if (!TableSource.isAlnum(text.charAt(0))) {
                    rules.add(matchRule(line, text, dialect, sink));
                } else if (keyword(text, "if")) {
                    int[] at = {2};
                    RegexpTable.Condition c = compile(pattern(text, at, dialect), dialect, line, sink);
                    open.push(rules.size());
                    rules.add(new RegexpTable.IfRule(line.origin(), c, -1));
                    String extra = text.substring(TableSource.skipSpace(text, at[0]));
                    if (!extra.isEmpty()) throw new IllegalArgumentException(indented("if", extra));
                } else if (keyword(text, "endif")) {
                    String extra = text.substring(TableSource.skipSpace(text, 5));
                    if (!extra.isEmpty()) throw new IllegalArgumentException(indented("endif", extra));
                    if (open.isEmpty()) throw new IllegalArgumentException("endif without matching if");
                    int ifIndex = open.pop();
                    RegexpTable.IfRule f = (RegexpTable.IfRule) rules.get(ifIndex);
                    rules.set(ifIndex, new RegexpTable.IfRule(f.origin(), f.condition(), rules.size()));
                    rules.add(new RegexpTable.EndifRule(line.origin()));
                } else {
                    throw new IllegalArgumentException("unrecognized rule \"" + TableSource.abbreviate(text)
                            + "\": expected /pattern/flags result, if /pattern/flags, or endif");
                }
            } catch (IllegalArgumentException e) {
                sink.add(Diagnostic.error(line.origin(), dialect.label() + " table: " + e.getMessage()));
            }
        }
        for (int index : open) {
            sink.add(Diagnostic.error(rules.get(index).origin(), dialect.label() + " table: if has no matching endif"));
        }
        return new RegexpTable(spec, rules);
    }

    private static RegexpTable.MatchRule matchRule(TableSource.Line line, String text, Dialect dialect,
                                                List<Diagnostic> sink) {
        int[] at = {0};
        Written first = pattern(text, at, dialect);
        Written second = null;
        if (dialect == Dialect.REGEXP && at[0] < text.length() && text.charAt(at[0]) == '!') {
            second = pattern(text, at, dialect);
        }
        String result = text.substring(TableSource.skipSpace(text, at[0]));
        if (result.isEmpty()) throw new IllegalArgumentException("no result after " + first.token());
        Replacement replacement;
        try {
            replacement = Replacement.parse(result);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad result \"" + result + "\": " + e.getMessage());
        }
        if (replacement.maxGroup() > 0 && !first.positive()) {
            throw new IllegalArgumentException("$number found in the result of negated pattern " + first.token()
                    + ": a pattern that did not match has no groups");
        }
        RegexpTable.Condition c = compile(first, dialect, line, sink);
        int groups = c.pattern().matcher("").groupCount();
        if (replacement.maxGroup() > groups) {
            throw new IllegalArgumentException("out of range replacement index \"$" + replacement.maxGroup() + "\": "
                    + first.token() + " has " + groups + " () group" + (groups == 1 ? "" : "s"));
        }
        return new RegexpTable.MatchRule(line.origin(), c, second == null ? null : compile(second, dialect, line, sink),
                replacement);
    }

    /** A ! negation (any number, with spaces), a delimiter, the pattern and its flags, from at[0]. */
    private static Written pattern(String text, int[] at, Dialect dialect) {
        int p = at[0];
        int tokenStart = TableSource.skipSpace(text, p);
        boolean positive = true;
        for (; p < text.length(); p++) {
            char c = text.charAt(p);
            if (c == '!') positive = !positive;
            else if (!TableSource.isSpace(c)) break;
        }
        if (p >= text.length()) throw new IllegalArgumentException("no pattern in \"" + text + "\"");
        char delimiter = text.charAt(p++);
        int bodyStart = p;
        while (p < text.length()) {
            char c = text.charAt(p);
            if (c == '\\') {
                if (p + 1 >= text.length()) break;
                p++;
            } else if (c == delimiter) {
                break;
            }
            p++;
        }
        if (p >= text.length()) {
            throw new IllegalArgumentException("no closing delimiter \"" + delimiter + "\" in \""
                    + TableSource.abbreviate(text.substring(tokenStart)) + "\"");
        }
        String body = text.substring(bodyStart, p++);
        int flagsStart = p;
        while (p < text.length() && !TableSource.isSpace(text.charAt(p))
                && !(dialect == Dialect.REGEXP && text.charAt(p) == '!')) {
            p++;
        }
        at[0] = p;
        return new Written(body, positive, text.substring(flagsStart, p), text.substring(tokenStart, p));
    }

    /** Compiles over bytes (see RegexpTable#bytes), as Postfix's engines see the pattern. */
    private static RegexpTable.Condition compile(Written w, Dialect dialect, TableSource.Line line,
                                                 List<Diagnostic> sink) {
        String body = RegexpTable.bytes(w.body());
        if (dialect == Dialect.REGEXP) {
            boolean icase = true;
            boolean newline = false;
            boolean extended = true;
            for (char f : w.flags().toCharArray()) {
                switch (f) {
                    case 'i' -> icase = !icase;
                    case 'm' -> newline = !newline;
                    case 'x' -> extended = !extended;
                    default -> throw unknownFlag(f, w);
                }
            }
            boolean i = icase;
            boolean m = newline;
            boolean x = extended;
            Pattern p = asWritten(() -> PosixRegex.compile(body, i, m, x));
            return new RegexpTable.Condition(p, w.positive(), false);
        }
        boolean caseless = true;
        boolean multiline = false;
        boolean dotall = true;
        boolean extended = false;
        boolean anchored = false;
        boolean dollarEndOnly = false;
        boolean ungreedy = false;
        for (char f : w.flags().toCharArray()) {
            switch (f) {
                case 'i' -> caseless = !caseless;
                case 'm' -> multiline = !multiline;
                case 's' -> dotall = !dotall;
                case 'x' -> extended = !extended;
                case 'A' -> anchored = !anchored;
                case 'E' -> dollarEndOnly = !dollarEndOnly;
                case 'U' -> ungreedy = !ungreedy;
                case 'X' -> sink.add(Diagnostic.warning(line.origin(),
                        "pcre table: ignoring obsolete regexp option \"X\" in " + w.token()));
                default -> throw unknownFlag(f, w);
            }
        }
        PcreRegex.Options options = new PcreRegex.Options(caseless, multiline, dotall, extended, dollarEndOnly, ungreedy);
        Pattern p = asWritten(() -> PcreRegex.compile(body, options));
        return new RegexpTable.Condition(p, w.positive(), anchored);
    }

    /** Runs a compiler on the byte form; its error message gets the pattern back as written. */
    private static Pattern asWritten(Supplier<Pattern> compiler) {
        try {
            return compiler.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(RegexpTable.text(e.getMessage()), e);
        }
    }

    private static IllegalArgumentException unknownFlag(char f, Written w) {
        return new IllegalArgumentException("unknown regexp option \"" + f + "\" in " + w.token());
    }

    /** True when {@code text} starts with {@code word} (any case) not followed by a letter or digit. */
    private static boolean keyword(String text, String word) {
        return text.regionMatches(true, 0, word, 0, word.length())
                && (text.length() == word.length() || !TableSource.isAlnum(text.charAt(word.length())));
    }

    private static String indented(String keyword, String extra) {
        return "text after " + keyword + ": \"" + TableSource.abbreviate(extra) + "\" (a line that starts with"
                + " whitespace continues the line before it: do not indent the rules between if and endif)";
    }
}
