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
            openAndLookUp(f, type, f.mutate(seed.content(), TableGrammar.WORDS));
        });
    }

    @Test
    void generatedPatternTables() {
        Fuzz.run("tables-generated-regexp", 0x7AB1E6L, 700, LIMIT, f -> {
            String type = f.pick("regexp", "pcre");
            openAndLookUp(f, type, TableGrammar.patternTable(f, type.equals("pcre")).getBytes(StandardCharsets.UTF_8));
        });
    }

    @Test
    void generatedCidrAndIndexedTables() {
        Fuzz.run("tables-generated-cidr-hash", 0x7AB1E7L, 500, LIMIT, f -> {
            boolean cidr = f.chance(0.5);
            String text = cidr ? TableGrammar.cidrTable(f) : TableGrammar.indexedTable(f);
            openAndLookUp(f, cidr ? "cidr" : f.pick("hash", "texthash"), text.getBytes(StandardCharsets.UTF_8));
        });
    }

    /** Table names as main.cf gives them: inline:{...}, static:{...}, the inline form of pattern tables, junk. */
    @Test
    void randomSpecs() {
        Fuzz.run("tables-specs", 0x7AB1E8L, 1000, LIMIT, f -> {
            Path dir = Files.createTempDirectory(tmp, "t");
            Fuzz.write(dir.resolve("table"), "a OK\n".getBytes(StandardCharsets.UTF_8));
            String spec = f.note("spec", TableGrammar.spec(f));
            open(f, dir, spec, Map.of(dir.resolve("table").toString(), 1));
            if (f.chance(0.3)) { // postern map -q KEY SPEC, and -q - with keys on standard input
                String key = f.note("key", f.text(30));
                MapQuery.Outcome o = f.chance(0.5) ? MapQuery.query(key, List.of(spec), dir)
                        : MapQuery.queryKeys(key + "\n" + f.text(30), List.of(spec, "inline:{a=b}"), dir, f.pick("hash", "x"));
                assertThat(o.exitStatus()).isBetween(0, 1);
                for (String line : o.stderr().lines().toList()) {
                    String bad = f.badMessage(line);
                    if (bad != null) fail(bad);
                }
            }
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
            if (r < 3) keys.add(cidr || f.chance(0.3) ? TableGrammar.address(f) : f.text(60));
            else if (r < 5) keys.add(f.pick("Subject: make money fast", "postmaster@example.com", "owner-list@example.com",
                    "user+spam@example.net", "1.2.3.4", "2001:db8::1", "Content-Type: application/x; name=\"a.exe\"",
                    "a.example.org", "", "<>", "x.y", "Example.COM", "QUOTED USER", "ab@example.com",
                    "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X", "\u00e9t\u00e9@exemple.fr"));
            else if (r < 6) keys.add(Fuzz.repeat(f.pick("ab", "a", "x ", "a:", "Subject: a\n b", "\u00e9", "(", "1.2."),
                    f.pick(100, 1000, 20_000)));
            else keys.add(f.mutate(keys.isEmpty() ? "key" : f.pick(keys), TableGrammar.WORDS));
        }
        return keys;
    }
}
