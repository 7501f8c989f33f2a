// TableGrammar: grammar-aware random sources for TablesFuzzTest -- regexp_table(5)/pcre_table(5) rules
// with if/endif, cidr_table(5) rules, postmap(1) sources, table names as main.cf writes them -- each
// mostly valid, or "sloppy" (with the mistakes postmasters make). Test support for org.postern.policies.table.
package org.postern.policies.table;

import java.util.List;
import org.postern.policies.Fuzz;

/** Static generators; all randomness comes from the case's {@link Fuzz}. */
final class TableGrammar {
    private TableGrammar() {}

    /** Words and tokens of table syntax, for mutations. */
    static final List<String> WORDS = List.of("/", "!", "!/", "/i", "/m", "/x", "/s", "/U", "/A", "/E",
            "/X", "/q", "if", "endif", "if /a/", "if !/a/", "$1", "${1}", "$(2)", "$$", "$0", "$1x", "${", "\\", "\\1",
            "\\d", "\\w", "\\<", "\\>", "\\Q", "\\E", "\\x41", "\\x{263a}", "\\o{101}", "\\g{-1}", "\\k<n>", "(?P<n>",
            "(?<n>", "(?i)", "(?#c)", "(*FAIL)", "(?C1)", "(?|", "(?(1)", "(?R)", "[[:alpha:]]", "[[:bogus:]]", "[^",
            "[]a]", "[a-]", "[z-a]", "[[.a.]]", "[[=a=]]", "{2}", "{2,}", "{,3}", "{3,1}", "{99999999999}", "*", "+", "?",
            "**", "+?", "*+", "^", "$", "|", "(", ")", "()", "(a|b)*", ".*", "REJECT", "OK", "DUNNO", "PREPEND X-A: $1",
            "550 5.7.1 no", "192.168.0.0/16", "[2001:db8::]/32", "::ffff:1.2.3.4", "10.0.0.0/8", "/33", "/129", "0.0.0.0/0",
            "1.2.3.4/24", "[1.2.3.4]", "[::1]/128]", "\"quoted key\"", "\"", "key:", "user@", "<>", ".example.com",
            "\t", " ");

    /** An IPv4 or IPv6 address literal, now and then with junk after it. */
    static String address(Fuzz f) {
        if (f.chance(0.5)) {
            return f.nextInt(256) + "." + f.nextInt(256) + "." + f.nextInt(256) + "." + f.nextInt(256)
                    + (f.chance(0.1) ? f.pick("/8", ".1", "x", "") : "");
        }
        StringBuilder sb = new StringBuilder();
        int words = f.between(1, 8);
        for (int i = 0; i < words; i++) {
            if (i > 0) sb.append(':');
            sb.append(Integer.toHexString(f.nextInt(65536)));
        }
        return f.pick("", "::", "::ffff:", "fe80::") + sb + (words < 8 && f.chance(0.5) ? "::" : "");
    }

    /** A regexp_table(5) / pcre_table(5) source: rules, if/endif blocks, comments, continuation lines. */
    static String patternTable(Fuzz f, boolean pcre) {
        boolean sloppy = f.chance(0.3);
        StringBuilder sb = new StringBuilder();
        int n = f.between(1, 15);
        int open = 0;
        for (int i = 0; i < n; i++) {
            int r = f.nextInt(100);
            if (r < 8) {
                sb.append("# ").append(f.text(30)).append('\n');
            } else if (r < 18) {
                sb.append(sloppy ? f.pick("if ", "IF ", "if\t", "if") : "if ").append(pattern(f, pcre, sloppy))
                        .append(sloppy && f.chance(0.1) ? " x" : "").append('\n');
                open++;
            } else if (r < 26 && (open > 0 || sloppy && f.chance(0.1))) {
                sb.append(sloppy ? f.pick("endif", "ENDIF", "endif ", "endif x", "endifx") : "endif").append('\n');
                open--;
            } else {
                sb.append(pattern(f, pcre, sloppy));
                if (!pcre && f.chance(0.1)) sb.append(pattern(f, false, sloppy));
                sb.append(f.pick(" ", "\t", "  ", sloppy ? "" : " ")).append(result(f, sloppy));
                if (f.chance(0.1)) sb.append('\n').append(f.pick(" ", "\t")).append(result(f, sloppy));
                sb.append('\n');
            }
        }
        while (open-- > 0 && (!sloppy || f.chance(0.9))) sb.append("endif\n");
        return sb.toString();
    }

    /** "/regex/flags", sometimes negated, with another delimiter, or (sloppy) broken. */
    static String pattern(Fuzz f, boolean pcre, boolean sloppy) {
        String delimiter = f.chance(0.85) ? "/" : sloppy ? f.pick("~", "#", "|", "!", "a", "\"") : f.pick("~", "|", "\"");
        String body = regex(f, pcre, 3, sloppy).replace(delimiter, "\\" + delimiter);
        String flags = f.chance(0.6) ? "" : sloppy ? f.pick("i", "m", "x", "s", "U", "A", "E", "X", "ix", "q", "ii", "mx")
                : pcre ? f.pick("i", "m", "s", "U", "A", "E", "ims") : f.pick("i", "m", "x", "im");
        String neg = f.chance(0.15) ? f.pick("!", "! ", "!!") : "";
        String close = !sloppy || f.chance(0.9) ? delimiter : "";
        return neg + delimiter + body + close + flags;
    }

    static String regex(Fuzz f, boolean pcre, int depth, boolean sloppy) {
        StringBuilder sb = new StringBuilder();
        if (f.chance(0.3)) sb.append('^');
        int n = f.between(1, 5);
        for (int i = 0; i < n; i++) {
            sb.append(atom(f, pcre, depth, sloppy));
            if (f.chance(0.35)) {
                sb.append(sloppy ? f.pick("*", "+", "?", "{2}", "{1,3}", "{2,}", "{,2}", "{3,1}", "{", "{x}", "{99999}",
                        "{1000000000}", "**", "*?", "+?", "*+", "?+", "++")
                        : pcre ? f.pick("*", "+", "?", "{2}", "{1,3}", "{2,}", "*?", "+?", "*+", "{2}?")
                        : f.pick("*", "+", "?", "{2}", "{1,3}", "{2,}", "{,2}", "**", "+?"));
            }
            if (f.chance(0.1)) sb.append('|');
        }
        if (f.chance(0.3)) sb.append('$');
        return sb.toString();
    }

    private static String atom(Fuzz f, boolean pcre, int depth, boolean sloppy) {
        int r = f.nextInt(100);
        if (r < 35) return f.pick("a", "b", "x", "Subject", ":", " ", "@", "-", "\u00e9", "0", "example", "\\.", ".");
        if (r < 50) return bracket(f, pcre, sloppy);
        if (r < 62 && depth > 0) {
            String open = pcre ? (sloppy ? f.pick("(", "(?:", "(?i:", "(?=", "(?!", "(?<=", "(?<!", "(?>", "(?P<n>",
                    "(?<n2>", "(?'n3'", "(?|", "(?(1)", "(?#", "(?C1)(", "(*FAIL)(", "(?R)(")
                    : f.pick("(", "(", "(?:", "(?i:", "(?=", "(?!", "(?>", "(?#c)(", "(?C1)("))
                    : sloppy ? f.pick("(", "(", "\\(") : "(";
            return open + regex(f, pcre, depth - 1, sloppy) + (!sloppy || f.chance(0.9) ? ")" : "");
        }
        if (r < 80) {
            if (pcre) {
                return sloppy ? f.pick("\\d", "\\w", "\\s", "\\b", "\\B", "\\A", "\\z", "\\Z", "\\1", "\\2",
                        "\\10", "\\012", "\\x41", "\\x{263a}", "\\x{110000}", "\\o{101}", "\\o{9}", "\\Q.*\\E",
                        "\\Qx", "\\g{-1}", "\\g1", "\\g{+1}", "\\g<1>", "\\k<n>", "\\k{n}", "\\kx", "\\p{L}",
                        "\\p{Bogus}", "\\pL", "\\N", "\\N{U+41}", "\\K", "\\cA", "\\c", "\\e", "\\R", "\\X",
                        "\\y", "\\", "\\8")
                        : f.pick("\\d", "\\w", "\\s", "\\b", "\\B", "\\A", "\\z", "\\Z", "\\012", "\\x41",
                        "\\x{263a}", "\\o{101}", "\\Q.*\\E", "\\p{L}", "\\pL", "\\N", "\\K", "\\cA", "\\e",
                        "\\R", "\\h", "\\.");
            }
            return sloppy ? f.pick("\\w", "\\W", "\\s", "\\b", "\\<", "\\>", "\\`", "\\'", "\\1", "\\9",
                    "\\.", "\\d", "\\n", "\\(", "\\{", "\\}", "\\|", "\\+", "\\?", "\\")
                    : f.pick("\\w", "\\W", "\\s", "\\S", "\\b", "\\B", "\\<", "\\>", "\\`", "\\'",
                    "\\.", "\\(", "\\{", "\\}", "\\|", "\\+", "\\?", "\\*");
        }
        if (r < 90) return f.pick("^", "$", ".*", ".+", "(a|b)*", "(.|\\s)*", "[^\"]*", "(\\w+\\s?)*");
        return sloppy ? f.text(6) : f.pick("a", "xyz", "b");
    }

    private static String bracket(Fuzz f, boolean pcre, boolean sloppy) {
        StringBuilder sb = new StringBuilder("[");
        if (f.chance(0.3)) sb.append('^');
        int n = f.between(1, 4);
        for (int i = 0; i < n; i++) {
            sb.append(sloppy ? f.pick("a-z", "A-Z", "0-9", "z-a", "a", "]", "-", "[:alpha:]", "[:digit:]", "[:space:]",
                    "[:bogus:]", "[:word:]", "[:^alpha:]", "[.a.]", "[.ab.]", "[=e=]", "\\d", "\\w-z", "\\", "\\]",
                    "\u00e9", "[", "[:", "x-", "+/")
                    : pcre ? f.pick("a-z", "A-Z", "0-9", "a", "[:alpha:]", "[:digit:]", "[:space:]", "[:word:]",
                    "[:^alpha:]", "\\d", "\\w", "\\]", "\u00e9", "+/", ".")
                    : f.pick("a-z", "A-Z", "0-9", "a", "[:alpha:]", "[:digit:]", "[:space:]", "[.a.]", "[=e=]",
                    "\u00e9", "+/", ".", "\\"));
        }
        sb.append(!sloppy || f.chance(0.95) ? "]" : "");
        return sb.toString();
    }

    static String result(Fuzz f) {
        return result(f, true);
    }

    /** A table result: access(5) and header_checks(5) actions, with $n references (some bad when sloppy). */
    static String result(Fuzz f, boolean sloppy) {
        if (!sloppy) {
            return f.pick("OK", "REJECT", "DUNNO", "550 5.7.1 no", "PREPEND X-Tag: yes", "REPLACE X-New: z", "HOLD",
                    "DISCARD", "WARN w", "IGNORE", "FILTER smtp:[x]", "REDIRECT a@b", "REJECT $$5");
        }
        String head = f.pick("OK", "REJECT", "DUNNO", "550 5.7.1", "PREPEND X-Tag:", "REPLACE X-New:", "FILTER smtp:[x]",
                "REDIRECT a@b", "HOLD", "DISCARD", "WARN", "IGNORE", "first=", "", "550");
        String tail = f.pick("", " $1", " ${1}", " $(2)", " $1x", " $$", " $", " ${", " ${1", " $0", " $99",
                " $12345678901", " text", " ${a}", " $1$2$3", " \u00e9", " " + f.text(20));
        return head + tail;
    }

    /** A cidr_table(5) source. */
    static String cidrTable(Fuzz f) {
        StringBuilder sb = new StringBuilder();
        int n = f.between(1, 15);
        for (int i = 0; i < n; i++) {
            int r = f.nextInt(100);
            if (r < 8) {
                sb.append("#").append(f.text(20)).append('\n');
            } else if (r < 18) {
                sb.append(f.pick("if ", "IF ", "if !", "if\t!!", "if")).append(network(f)).append('\n');
            } else if (r < 26) {
                sb.append(f.pick("endif", "endif x", "ENDIF", "endif\t")).append('\n');
            } else {
                sb.append(f.pick("", "!", "! ", "!!")).append(network(f)).append(f.pick(" ", "\t", "", "  "))
                        .append(result(f, f.chance(0.2))).append('\n');
            }
        }
        return sb.toString();
    }

    private static String network(Fuzz f) {
        String a = f.chance(0.9) ? address(f) : f.text(20);
        String mask = f.chance(0.5) ? "" : "/" + f.pick("0", "8", "16", "24", "32", "33", "64", "128", "129", "", "x",
                "0008", "99999999999", "-1");
        return f.chance(0.2) ? "[" + a + "]" + (f.chance(0.5) ? mask : "") + f.pick("", "", "x", "]")
                : f.chance(0.05) ? "[" + a + mask + "]" : a + mask;
    }

    /** A postmap(1) source for an indexed table. */
    static String indexedTable(Fuzz f) {
        boolean sloppy = f.chance(0.3);
        StringBuilder sb = new StringBuilder();
        int n = f.between(1, 20);
        for (int i = 0; i < n; i++) {
            String key = sloppy ? f.pick("example.com", "\"quoted user\"@example.com", "\"unbalanced", "a\\ b", "key:",
                    f.text(20), "\\", "a\\\"b", "\u00c9X.example")
                    : f.pick("example.com", ".example.com", "user@", "user@example.net", "1.2.3", "2001:db8:", "<>",
                    "\"quoted user\"@example.com", "a\\ b", "KEY", "\u00c9X.example", "ab@example.com");
            sb.append(key).append(sloppy ? f.pick(" ", "\t", "", "  ") : f.pick(" ", "\t")).append(result(f, sloppy));
            if (f.chance(0.1)) sb.append("\n ").append(sloppy ? f.text(10) : "more");
            sb.append(f.chance(0.1) ? "\r\n" : "\n");
        }
        return sb.toString();
    }

    /** A table name as written in main.cf. */
    static String spec(Fuzz f) {
        int r = f.nextInt(10);
        if (r < 2) {
            StringBuilder sb = new StringBuilder("inline:{");
            int n = f.between(0, 5);
            for (int i = 0; i < n; i++) {
                sb.append(f.pick("", " ", ", ")).append(f.pick("a=OK", "{ b = REJECT text }", "c = ", "=x", "d",
                        "{e=f", "k v=w", "{ g = {nested} }", f.text(12)));
            }
            return sb.append(f.pick("}", "", "}}", "} x")).toString();
        }
        if (r < 3) return "static:" + f.pick("OK", "{ REJECT with spaces }", "{", "{}", "", "{ a } b", "{{x}}", f.text(12));
        if (r < 6) {
            String type = f.pick("regexp", "pcre", "cidr");
            StringBuilder sb = new StringBuilder(type + ":{");
            int n = f.between(0, 4);
            for (int i = 0; i < n; i++) {
                String rule = type.equals("cidr") ? network(f) + " " + result(f)
                        : pattern(f, type.equals("pcre"), f.chance(0.3)) + " " + result(f);
                sb.append(f.pick(" {", "{", " ", ", {")).append(rule).append(f.pick("}", "", "}}"));
                if (f.chance(0.1)) sb.append(f.pick(" {if /a/}", " {endif}", ",{}"));
            }
            return sb.append(f.pick(" }", "}", "", "}}")).toString();
        }
        if (r < 7) return "proxy:".repeat(f.pick(1, 2, 100, 20_000)) + f.pick("hash:table", "inline:{a=b}", "", "proxy");
        if (r < 8) return f.pick("hash", "texthash", "regexp", "pcre", "cidr", "btree", "ldap", "mysql", "unix", "foo",
                "", "HASH", "fail", "static", "inline") + f.pick(":", "") + f.pick("table", "/nonexistent", "", "{",
                "{a=b}", "table\0x", "tab le", "..", "/", "{}", "table.db", ":table");
        return f.mutate(f.pick("inline:{ a=OK, { b = REJECT text } }", "static:{ text }", "regexp:{ {/a/ OK}, {/b/ REJECT} }",
                "pcre:{ {/(x)/ OK $1} }", "cidr:{ {10.0.0.0/8 OK} }", "hash:table", "proxy:hash:table"), WORDS);
    }
}
