// TablesFuzzTest: fuzzes lookup tables -- hash:/texthash: (postmap source), regexp:, pcre:, cidr:,
// inline:{...}, static:{...} -- with mutated fixtures, grammar-aware random rules and random specs,
// then looks random keys up. Oracle: a table or a ConfigException at file:line; find() gives an entry
// or a TableLookupException (a runaway pattern must end in one) -- never another exception or a hang.
package org.postern.policies.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.Origin;
import org.postern.policies.Fuzz;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.Diagnostic;

class TablesFuzzTest {
    private static final Duration LIMIT = Duration.ofSeconds(2);

    /** Table type and a source file of that type (fixtures, and the shipped defaults uncommented). */
    private record Seed(String type, byte[] content) {}

    private static final List<Seed> SEEDS = new ArrayList<>();

    private static final List<String> DICTIONARY = List.of("/", "!", "!/", "/i", "/m", "/x", "/s", "/U", "/A", "/E",
            "/X", "/q", "if", "endif", "if /a/", "if !/a/", "$1", "${1}", "$(2)", "$$", "$0", "$1x", "${", "\\", "\\1",
            "\\d", "\\w", "\\<", "\\>", "\\Q", "\\E", "\\x41", "\\x{263a}", "\\o{101}", "\\g{-1}", "\\k<n>", "(?P<n>",
            "(?<n>", "(?i)", "(?#c)", "(*FAIL)", "(?C1)", "(?|", "(?(1)", "(?R)", "[[:alpha:]]", "[[:bogus:]]", "[^",
            "[]a]", "[a-]", "[z-a]", "[[.a.]]", "[[=a=]]", "{2}", "{2,}", "{,3}", "{3,1}", "{99999999999}", "*", "+", "?",
            "**", "+?", "*+", "^", "$", "|", "(", ")", "()", "(a|b)*", ".*", "REJECT", "OK", "DUNNO", "PREPEND X-A: $1",
            "550 5.7.1 no", "192.168.0.0/16", "[2001:db8::]/32", "::ffff:1.2.3.4", "10.0.0.0/8", "/33", "/129", "0.0.0.0/0",
            "1.2.3.4/24", "[1.2.3.4]", "[::1]/128]", "\"quoted key\"", "\"", "key:", "user@", "<>", ".example.com",
            "\t", " ");

    @TempDir
    Path tmp;

    @BeforeAll
    static void seeds() throws Exception {
        for (String name : List.of("access", "regexp", "pcre", "cidr")) {
            String type = name.equals("access") ? "hash" : name;
            SEEDS.add(new Seed(type, Fuzz.read(TableFixtures.fixture(name))));
        }
        Path d = Fuzz.defaults();
        String[][] shipped = {{"cidr", "client_access.cidr"}, {"hash", "sender_access"}, {"hash", "recipient_access"},
            {"hash", "relocated"}, {"texthash", "transport"}, {"hash", "virtual"}, {"regexp", "header_checks"},
            {"regexp", "mime_header_checks"}, {"regexp", "body_checks"}};
        for (String[] s : shipped) {
            String text = Files.readString(d.resolve(s[1])).replaceAll("(?m)^#(?=[^\\s#])", "");
            SEEDS.add(new Seed(s[0], text.getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void mutatedFiles() {
        Fuzz.run("tables-mutated", 0x7AB1E5L, 700, LIMIT, f -> {
            Seed seed = f.pick(SEEDS);
            String type = seed.type().equals("hash") ? f.pick("hash", "texthash", "btree", "lmdb") : seed.type();
            if (type.equals("regexp") && f.chance(0.2)) type = "pcre";
            openAndLookUp(f, type, f.mutate(seed.content(), DICTIONARY));
        });
    }

    @Test
    void generatedPatternTables() {
        Fuzz.run("tables-generated-regexp", 0x7AB1E6L, 700, LIMIT, f -> {
            String type = f.pick("regexp", "pcre");
            openAndLookUp(f, type, patternTable(f, type.equals("pcre")).getBytes(StandardCharsets.UTF_8));
        });
    }

    @Test
    void generatedCidrAndIndexedTables() {
        Fuzz.run("tables-generated-cidr-hash", 0x7AB1E7L, 500, LIMIT, f -> {
            boolean cidr = f.chance(0.5);
            String text = cidr ? cidrTable(f) : indexedTable(f);
            openAndLookUp(f, cidr ? "cidr" : f.pick("hash", "texthash"), text.getBytes(StandardCharsets.UTF_8));
        });
    }

    /** Table names as main.cf gives them: inline:{...}, static:{...}, the inline form of pattern tables, junk. */
    @Test
    void randomSpecs() {
        Fuzz.run("tables-specs", 0x7AB1E8L, 1000, LIMIT, f -> {
            Path dir = Files.createTempDirectory(tmp, "t");
            Fuzz.write(dir.resolve("table"), "a OK\n".getBytes(StandardCharsets.UTF_8));
            String spec = f.note("spec", spec(f));
            open(f, dir, spec, Map.of(dir.resolve("table").toString(), 1));
        });
    }

    /** Patterns that backtrack or recurse without end on long keys must end in a TableLookupException. */
    @Test
    void runawayPatterns() {
        String[] rules = {"/^(a|b)*$/ OK", "/^(a|b)*c/ OK", "/(.|\\n)*x/ OK", "/^(a+)+$/ OK", "/^(\\w+\\s?)*$/ OK",
            "/^((ab)*)*c/ OK", "/^(?:a|b|ab)*$/ OK", "/(x+x+)+y/ OK", "/^([^:]+:)*z/ OK", "/(a*)*(a*)*(a*)*b/ OK",
            "/^(a|aa)+$/ OK", "/^(.*)*$/ OK", "/^([[:alnum:]]|[[:space:]])*[@]/ OK"};
        String[] keys = {"ab".repeat(50_000), "a".repeat(100_000), "x".repeat(30_000), "a:".repeat(30_000),
            "word ".repeat(20_000), "Subject: " + "a\n b".repeat(20_000)};
        for (String type : List.of("regexp", "pcre")) {
            for (String rule : rules) {
                for (String key : keys) {
                    Fuzz.check(type + " " + rule + " on a " + key.length() + "-char key " + key.substring(0, 10),
                            Duration.ofSeconds(10), f -> {
                        f.note("rule", rule);
                        f.note("key", key);
                        LookupTable t = open(f, Files.createTempDirectory(tmp, "r"), type + ":{ {" + rule + "} }", null);
                        if (t != null) lookUp(f, t, key, Map.of());
                    });
                }
            }
        }
    }

    /** Pattern text that is long, deeply nested or stacks operators (each alone in a table). */
    @Test
    void adversarialPatterns() {
        List<String> bodies = new ArrayList<>();
        for (int n : new int[] {1000, 20_000}) {
            bodies.add("a" + "*".repeat(n));
            bodies.add("a" + "{1}".repeat(n));
            bodies.add("a" + "+?".repeat(n));
            bodies.add("(".repeat(n) + "a" + ")".repeat(n));
            bodies.add("(?:".repeat(n) + "a" + ")".repeat(n));
            bodies.add("(".repeat(n));
            bodies.add("[".repeat(n));
            bodies.add("\\(".repeat(n) + "a" + "\\)".repeat(n));
            bodies.add("a|".repeat(n) + "b");
            bodies.add("[[:alpha:]".repeat(n) + "]");
            bodies.add("\\Q" + "x".repeat(n));
            bodies.add("(?#" + "c".repeat(n) + ")");
            bodies.add("x{" + "9".repeat(n) + "}");
            bodies.add("\\" + "1".repeat(n));
        }
        for (String type : List.of("regexp", "pcre")) {
            for (String body : bodies) {
                Fuzz.check(type + " /" + body + "/", Duration.ofSeconds(10), f -> {
                    byte[] table = ("/" + body + "/ OK $$\nif /" + body + "/\n/x/ OK\nendif\n").getBytes(StandardCharsets.UTF_8);
                    openAndLookUp(f, type, table);
                });
            }
        }
    }

    /** Every prefix of the small fixtures. */
    @Test
    void truncatedFixtures() {
        for (Seed seed : SEEDS.subList(0, 4)) {
            for (int cut = 0; cut <= seed.content().length; cut += 3) {
                byte[] content = java.util.Arrays.copyOf(seed.content(), cut);
                Fuzz.check(seed.type() + " cut at " + cut, LIMIT, f -> openAndLookUp(f, seed.type(), content));
            }
        }
    }

    // ---- oracle ----

    private void openAndLookUp(Fuzz f, String type, byte[] content) throws Exception {
        f.note(type + " table", content);
        Path dir = Files.createTempDirectory(tmp, "t");
        Path file = Fuzz.write(dir.resolve("table"), content);
        LookupTable t = open(f, dir, type + ":table", Map.of(file.toString(), Fuzz.lineCount(content)));
        if (t == null) return;
        List<String> keys = keys(f, new String(content, StandardCharsets.UTF_8), type.equals("cidr"));
        for (String key : keys) lookUp(f, t, key, Map.of(file.toString(), Fuzz.lineCount(content)));
    }

    /** Opens {@code spec}; null when refused (after checking every diagnostic's place and text). */
    private static LookupTable open(Fuzz f, Path dir, String spec, Map<String, Integer> files) {
        Map<String, Integer> places = new java.util.HashMap<>(files == null ? Map.of() : files);
        places.put(TableFixtures.MAIN_CF.file(), -1);
        Tables tables = new Tables(dir);
        try {
            LookupTable t = tables.open(spec, TableFixtures.MAIN_CF);
            check(f, tables.warnings(), places);
            assertThat(t.spec()).isNotNull();
            f.count("opened");
            return t;
        } catch (ConfigException e) {
            assertThat(e.errors()).isNotEmpty();
            check(f, e.diagnostics(), places);
            f.count("refused");
            return null;
        }
    }

    private static void lookUp(Fuzz f, LookupTable t, String key, Map<String, Integer> files) {
        f.note("key", key);
        try {
            Optional<TableEntry> e = t.find(key);
            if (e.isPresent()) {
                assertThat(e.get().value()).isNotNull();
                Origin o = e.get().origin();
                if (!o.equals(TableFixtures.MAIN_CF) && !files.isEmpty()) {
                    String bad = Fuzz.badOrigin(o.file(), o.line(), o.isBuiltin(), files);
                    if (bad != null) fail("entry found for \"" + Fuzz.escape(key, 100) + "\": " + bad);
                }
                f.count("found");
            } else {
                f.count("not found");
            }
        } catch (TableLookupException e) {
            assertThat(e.getMessage()).contains(t.spec());
            f.count("lookup error");
        }
    }

    private static void check(Fuzz f, List<Diagnostic> diagnostics, Map<String, Integer> places) {
        for (Diagnostic d : diagnostics) {
            Origin o = d.origin();
            String bad = Fuzz.badOrigin(o.file(), o.line(), o.isBuiltin(), places);
            if (bad == null) bad = f.badMessage(d.message());
            if (bad != null) fail(bad + "\n  in diagnostic: " + Fuzz.escape(d.toString(), 500));
        }
    }

    // ---- keys ----

    private static List<String> keys(Fuzz f, String content, boolean cidr) {
        List<String> keys = new ArrayList<>();
        for (String line : content.split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (words.length > 0 && !words[0].isEmpty() && f.chance(0.3)) keys.add(words[0]);
        }
        int n = f.between(3, 10);
        for (int i = 0; i < n; i++) {
            int r = f.nextInt(10);
            if (r < 3) keys.add(cidr || f.chance(0.3) ? address(f) : f.text(60));
            else if (r < 5) keys.add(f.pick("Subject: make money fast", "postmaster@example.com", "owner-list@example.com",
                    "user+spam@example.net", "1.2.3.4", "2001:db8::1", "Content-Type: application/x; name=\"a.exe\"",
                    "a.example.org", "", "<>", "x.y", "Example.COM", "QUOTED USER", "ab@example.com",
                    "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X", "\u00e9t\u00e9@exemple.fr"));
            else if (r < 6) keys.add(Fuzz.repeat(f.pick("ab", "a", "x ", "a:", "Subject: a\n b", "\u00e9", "(", "1.2."),
                    f.pick(100, 1000, 20_000)));
            else keys.add(f.mutate(keys.isEmpty() ? "key" : f.pick(keys), DICTIONARY));
        }
        return keys;
    }

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

    // ---- grammar-aware generation ----

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
                "pcre:{ {/(x)/ OK $1} }", "cidr:{ {10.0.0.0/8 OK} }", "hash:table", "proxy:hash:table"), DICTIONARY);
    }
}
