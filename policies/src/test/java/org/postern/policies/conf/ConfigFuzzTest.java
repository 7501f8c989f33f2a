// ConfigFuzzTest: fuzzes the main.cf/master.cf loader (Config.load, withOverrides, $name expansion)
// with mutated fixtures, grammar-aware random files, truncations and deep nesting. Oracle: a Config,
// or a ConfigException whose every diagnostic names main.cf/master.cf:LINE -- never another exception or a hang.
package org.postern.policies.conf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.Origin;
import org.postern.policies.Fuzz;

class ConfigFuzzTest {
    private static final Duration LIMIT = Duration.ofSeconds(2);

    /** main.cf and master.cf of every configuration fixture, and of policies/defaults. */
    private static final List<byte[][]> SEEDS = new ArrayList<>();

    private static final List<String> NAMES = Parameters.all().stream().map(Parameter::name).toList();
    private static final List<String> POSTFIX_ONLY = List.of("compatibility_level", "smtpd_tls_loglevel",
            "alias_maps", "inet_interfaces", "content_filter", "maildrop_destination_recipient_limit",
            "smtp_tls_security_level", "biff");
    private static final List<String> MACROS = List.of("site", "empty", "indirect", "a", "b", "x1", "my_macro");

    /** Words and lines of main.cf/master.cf syntax, for mutations. */
    private static final List<String> DICTIONARY = new ArrayList<>(List.of("$", "$$", "${", "$(", "}", ")", "=", " = ",
            "#", "\\", "${site?{yes}:{no}}", "${{1} == {1}?{t}:{f}}", "${{3.6} <level {3.10}?{a}}", "${empty:x}",
            "$myhostname", "$config_directory", "${mydomain}", "$(myorigin)", "yes", "no", "0", "99999999999999999999",
            "10s", "1w", "500ms", "5x", "127.0.0.0/8", "[::1]/128", "!10.0.0.1", "10.0.0.1/33", "[::ffff:1.2.3.4]/100",
            "example.com", ".example.com", "!example.net", "hash:/x", "/file/name", "{a b}", "-o", "-o {a = b}",
            "-o smtpd_tls_security_level=encrypt", "-o syslog_name=postfix/$service_name", "inet", "unix", "smtpd",
            "submission", "[::1]:2525", "127.0.0.1:10025", "n", "y", "-", "100", "?", "1?", "smtpd_banner = x",
            "mynetworks = 10.0.0.0/8", "relay_domains = $mydestination", "myorigin = $site", "site = x",
            "smtp inet n - n - - smtpd", "  -o smtpd_sasl_auth_enable=yes", "mail_name = ${site?$site}"));

    @TempDir
    Path tmp;

    @BeforeAll
    static void seeds() {
        for (String dir : List.of("debian", "postconf/continuation", "postconf/defaults", "postconf/expansion")) {
            Path d = ConfFiles.fixture(dir);
            SEEDS.add(new byte[][] {Fuzz.read(d.resolve("main.cf")), Fuzz.read(d.resolve("master.cf"))});
        }
        Path d = Fuzz.defaults();
        SEEDS.add(new byte[][] {Fuzz.read(d.resolve("main.cf")), Fuzz.read(d.resolve("master.cf"))});
        DICTIONARY.addAll(NAMES.subList(0, 40));
    }

    @Test
    void mutatedFixtures() {
        Fuzz.run("config-mutated", 0xC0F16L, 400, LIMIT, f -> {
            byte[][] seed = f.pick(SEEDS);
            boolean main = f.chance(0.75);
            byte[] mainCf = main ? f.mutate(seed[0], DICTIONARY) : seed[0];
            byte[] masterCf = !main || f.chance(0.3) ? f.mutate(seed[1], DICTIONARY) : seed[1];
            loadAndCheck(f, mainCf, masterCf);
        });
    }

    @Test
    void generatedFiles() {
        Fuzz.run("config-generated", 0xC0F17L, 500, LIMIT, f -> {
            byte[] mainCf = mainCf(f).getBytes(StandardCharsets.UTF_8);
            byte[] masterCf = f.chance(0.3) ? masterCf(f).getBytes(StandardCharsets.UTF_8) : SEEDS.get(2)[1];
            loadAndCheck(f, mainCf, masterCf);
        });
    }

    /** Every prefix of the small fixtures (a file cut at any byte). */
    @Test
    void truncatedFixtures() {
        for (int s = 1; s < 4; s++) {
            byte[][] seed = SEEDS.get(s);
            for (int file = 0; file < 2; file++) {
                for (int cut = 0; cut <= seed[file].length; cut++) {
                    byte[] main = file == 0 ? java.util.Arrays.copyOf(seed[0], cut) : seed[0];
                    byte[] master = file == 1 ? java.util.Arrays.copyOf(seed[1], cut) : seed[1];
                    String label = "fixture " + s + " file " + file + " cut at " + cut;
                    Fuzz.check(label, LIMIT, f -> loadAndCheck(null, main, master));
                }
            }
        }
    }

    /** Deep nesting, long reference chains and exponential expansion, each alone in main.cf. */
    @Test
    void adversarialValues() {
        List<String> cases = new ArrayList<>();
        for (int n : new int[] {100, 5000, 50000}) {
            cases.add("smtpd_banner = " + "${site?".repeat(n) + "x" + "}".repeat(n) + "\nsite = 1\n");
            cases.add("smtpd_banner = " + "${".repeat(n) + "\n");
            cases.add("smtpd_banner = " + "$(".repeat(n) + "a" + ")".repeat(n) + "\n");
            cases.add("smtpd_banner = " + "${{".repeat(n) + "1} == {1}?{y}}".repeat(n) + "\n");
            cases.add("smtpd_banner = " + "${site?{".repeat(n) + "x" + "}}".repeat(n) + "\nsite = 1\n");
            StringBuilder chain = new StringBuilder("myorigin = $m0\n");
            for (int i = 0; i < n; i++) chain.append("m").append(i).append(" = $m").append(i + 1).append('\n');
            cases.add(chain.toString());
            cases.add("smtp inet n - n - - smtpd " + "{".repeat(n) + "\n");
        }
        StringBuilder doubling = new StringBuilder("myorigin = $m0\n");
        for (int i = 0; i < 64; i++) doubling.append("m").append(i).append(" = $m").append(i + 1).append("$m").append(i + 1).append('\n');
        doubling.append("m64 = xx\n");
        cases.add(doubling.toString());
        StringBuilder wide = new StringBuilder("smtpd_banner = $w0\n");
        for (int i = 0; i < 30; i++) wide.append("w").append(i).append(" = ").append(("$w" + (i + 1) + " ").repeat(8)).append('\n');
        cases.add(wide.toString());
        StringBuilder unknown = new StringBuilder();
        for (int i = 0; i < 20_000; i++) unknown.append("unknown_parameter_").append(i).append(" = $undefined_").append(i).append('\n');
        cases.add(unknown.toString());
        cases.add("message_size_limit = x\n".repeat(20_000) + "smtpd_banner = $nothing\n".repeat(20_000));
        cases.add("smtpd_banner = " + "x".repeat(3_000_000) + "\n");
        cases.add("smtpd_banner = x\n" + " continued\n".repeat(100_000));
        for (String main : cases) {
            byte[] mainCf = main.getBytes(StandardCharsets.UTF_8);
            byte[] masterCf = main.startsWith("smtp inet") ? mainCf : SEEDS.get(2)[1];
            byte[] realMain = main.startsWith("smtp inet") ? new byte[0] : mainCf;
            Fuzz.check("main.cf " + main, LIMIT, f -> loadAndCheck(null, realMain, masterCf));
        }
    }

    /** Loads the two files from a fresh directory and applies the oracle; {@code f} may be null. */
    private void loadAndCheck(Fuzz f, byte[] mainCf, byte[] masterCf) throws Exception {
        if (f != null) {
            f.note("main.cf", mainCf);
            f.note("master.cf", masterCf);
        }
        Path dir = java.nio.file.Files.createTempDirectory(tmp, "etc");
        Fuzz.write(dir.resolve("main.cf"), mainCf);
        Fuzz.write(dir.resolve("master.cf"), masterCf);
        Map<String, Integer> files = Map.of(dir.resolve("main.cf").toString(), Fuzz.lineCount(mainCf),
                dir.resolve("master.cf").toString(), Fuzz.lineCount(masterCf));
        Config config;
        try {
            config = Config.load(dir);
        } catch (ConfigException e) {
            assertThat(e.errors()).as("a ConfigException has errors").isNotEmpty();
            check(f, e.diagnostics(), files);
            if (f != null) f.count("refused");
            return;
        }
        check(f, config.warnings(), files);
        exercise(config);
        if (f != null) f.count("loaded");
        if (f != null && f.chance(0.5)) overrides(f, config, dir, files);
    }

    /** Every getter of a loaded snapshot works: load validated what the getters read. */
    private static void exercise(Config c) throws Exception {
        for (Parameter p : Parameters.all()) {
            String name = p.name();
            switch (p.type()) {
                case BOOL -> c.getBool(name);
                case INT -> c.getInt(name);
                case LONG -> c.getLong(name);
                case TIME -> c.getTime(name);
                default -> c.getList(name);
            }
            assertThat(c.get(name)).isNotNull();
            assertThat(c.raw(name)).isNotNull();
            assertThat(c.originOf(name)).isNotNull();
        }
        for (String a : List.of("127.0.0.1", "::1", "10.1.2.3", "2001:db8::1", "::ffff:192.0.2.1")) {
            if (c.mynetworks() != null) c.mynetworks().contains(InetAddress.getByName(a));
        }
        for (String d : List.of("example.com", "a.example.com", "", ".", "localhost", "x..y")) {
            if (c.mydestination() != null) c.mydestination().matches(d);
            if (c.relayDomains() != null) c.relayDomains().matches(d);
        }
        assertThat(c.services()).isNotNull();
    }

    /** master.cf-style -o overrides on a loaded snapshot. */
    private void overrides(Fuzz f, Config config, Path dir, Map<String, Integer> files) {
        Map<String, String> o = new LinkedHashMap<>();
        int n = f.between(1, 4);
        for (int i = 0; i < n; i++) {
            String name = f.chance(0.8) ? name(f) : f.text(30);
            o.put(name, f.chance(0.8) ? value(f, name, 2, f.chance(0.5)) : f.text(100));
        }
        Origin at = f.chance(0.3) ? Origin.builtin("override") : new Origin(dir.resolve("master.cf").toString(),
                Math.max(1, files.get(dir.resolve("master.cf").toString())));
        f.note("overrides", o + " at " + at);
        try {
            Config derived = config.withOverrides(o, at);
            check(f, derived.warnings(), files);
            exercise(derived);
            f.count("overrides applied");
        } catch (ConfigException e) {
            check(f, e.diagnostics(), files);
            f.count("overrides refused");
        } catch (Exception e) {
            fail("withOverrides threw " + e, e);
        }
    }

    private static void check(Fuzz f, List<Diagnostic> diagnostics, Map<String, Integer> files) {
        for (Diagnostic d : diagnostics) {
            Origin o = d.origin();
            String bad = Fuzz.badOrigin(o.file(), o.line(), o.isBuiltin(), files);
            if (bad == null && f != null) bad = f.badMessage(d.message());
            if (bad == null && (f == null) && d.message().isBlank()) bad = "empty message";
            if (bad != null) fail(bad + "\n  in diagnostic: " + Fuzz.escape(d.toString(), 500));
        }
    }

    // ---- grammar-aware generation ----

    private static String name(Fuzz f) {
        int r = f.nextInt(10);
        if (r < 6) return f.pick(NAMES);
        if (r < 8) return f.pick(POSTFIX_ONLY);
        return f.pick(MACROS);
    }

    static String mainCf(Fuzz f) {
        boolean sloppy = f.chance(0.35);
        StringBuilder sb = new StringBuilder();
        int n = f.between(1, 30);
        for (int i = 0; i < n; i++) {
            int r = f.nextInt(100);
            if (r < 8) {
                sb.append("# ").append(f.text(40).replace('\n', ' ')).append('\n');
            } else if (r < 12) {
                sb.append(f.pick("", " ", "\t", "\r")).append('\n');
            } else if (r < 17 && sloppy) {
                sb.append(f.pick("= x", "name value", " leading = x", "=", "a b = c", "x\t=\t", "\0 = 1", "\ufeffa = b",
                        f.text(60))).append('\n');
            } else {
                String name = name(f);
                String value = value(f, name, 3, sloppy);
                sb.append(name).append(sloppy ? f.pick(" = ", "=", " =", "= ", "\t=\t", " == ") : f.pick(" = ", "=", "\t=\t"))
                        .append(value);
                Parameter p = Parameters.find(name).orElse(null);
                boolean list = p == null || p.type() == Parameter.Type.LIST;
                if ((sloppy || list) && f.chance(0.15)) {
                    sb.append('\n').append(f.pick(" ", "\t", "    ")).append(value(f, name, 2, sloppy));
                }
                if ((sloppy || list) && f.chance(0.05)) sb.append("\n# comment inside\n ").append(value(f, name, 1, sloppy));
                sb.append(f.chance(0.05) ? "\r\n" : "\n");
            }
        }
        if (sloppy && f.chance(0.2)) sb.setLength(f.nextInt(sb.length() + 1)); // cut anywhere
        return f.note("generated main.cf", sb.toString());
    }

    static String value(Fuzz f, String name, int depth) {
        return value(f, name, depth, true);
    }

    /** A plausible value for {@code name} (by its declared type), with $name expressions mixed in. */
    static String value(Fuzz f, String name, int depth, boolean sloppy) {
        Parameter p = Parameters.find(name).orElse(null);
        Parameter.Type type = p == null ? Parameter.Type.STRING : p.type();
        boolean typed = type != Parameter.Type.STRING && type != Parameter.Type.LIST || p != null && !p.choices().isEmpty();
        if (sloppy && f.chance(0.25)) return expression(f, depth, true);
        if (!sloppy && typed && f.chance(0.2)) { // a conditional whose both branches are valid values
            String a = plain(f, p, false);
            String b = plain(f, p, false);
            return f.pick("${" + name(f) + "?{" + a + "}:{" + b + "}}", "${{" + f.pick("1", "a", "3.6") + "} "
                    + f.pick("==", "<", "<level", ">=") + " {" + f.pick("2", "a", "3.10") + "}?{" + a + "}:{" + b + "}}");
        }
        String v = plain(f, p, sloppy);
        if (f.chance(0.2) && (sloppy || !typed)) v = v + " " + expression(f, depth, sloppy);
        return sloppy ? v : v.replace('\n', ' ');
    }

    private static String plain(Fuzz f, Parameter p, boolean sloppy) {
        if (p == null) return f.chance(0.5) ? f.text(30) : list(f, 2, sloppy, null);
        return switch (p.type()) {
            case BOOL -> sloppy ? f.pick("yes", "no", "true", "FALSE", "Yes", "maybe", "", "y", "1")
                    : f.pick("yes", "no", "true", "FALSE", "Yes");
            case INT, LONG -> sloppy ? f.pick("0", "1", "100", "2147483647", "2147483648", "9223372036854775807",
                    "9223372036854775808", "99999999999999999999", "-1", "1e3", "\u0663", "\uff11", "", " 1", "0x10")
                    : f.pick("0", "1", "100", "554", "450", "2147483647");
            case TIME -> sloppy ? f.pick("0", "1", "10", "999999999999999", "9223372036854775807") + f.pick("", "s", "m",
                    "h", "d", "w", "ms", "x", "S", "1s", " ", "\u0663")
                    : f.pick("0", "1", "10", "300") + f.pick("", "s", "m", "h", "d", "w", "ms");
            default -> !p.choices().isEmpty() ? f.pick(p.choices()) + (sloppy && f.chance(0.1) ? "x" : "")
                    : list(f, 2, sloppy, p.name());
        };
    }

    /** Entries of a list value: networks for mynetworks, domains for domain lists, anything elsewhere. */
    private static String list(Fuzz f, int depth, boolean sloppy, String parameter) {
        StringBuilder sb = new StringBuilder();
        int n = f.between(0, 5);
        boolean networks = "mynetworks".equals(parameter);
        boolean domains = "mydestination".equals(parameter) || "relay_domains".equals(parameter);
        for (int i = 0; i < n; i++) {
            if (i > 0) sb.append(f.pick(", ", " ", ",", "\t", " ,  "));
            int r = sloppy ? f.nextInt(10) : networks ? 0 : domains ? 3 : f.nextInt(10);
            if (r < 3) sb.append(sloppy ? f.pick("127.0.0.0/8", "[::1]/128", "10.0.0.0/33", "!192.0.2.1",
                    "::ffff:1.2.3.4/104", "1.2.3.4/24", "[fe80::1]", "[::1]/", "1.2.3.256", "/etc/x", "hash:/etc/x", "[]",
                    "!", "1.2.3.4/0") : f.pick("127.0.0.0/8", "[::1]/128", "!192.0.2.1", "10.0.0.0/8", "[fe80::1]",
                    "[::ffff:127.0.0.0]/104", "0.0.0.0/0"));
            else if (r < 6) sb.append(sloppy ? f.pick("example.com", ".example.com", "!sub.example.com", "localhost", ".",
                    "..", "$myhostname", "localhost.$mydomain", "a..b", "EXAMPLE.COM.") : f.pick("example.com",
                    ".example.com", "!sub.example.com", "localhost", "$myhostname", "localhost.$mydomain", "EXAMPLE.COM."));
            else if (r < 8) sb.append(f.pick("permit_mynetworks", "reject_unauth_destination", "check_client_access",
                    "hash:$config_directory/access", "{ a b }", "{", "}", "inline:{a=b}"));
            else sb.append(depth > 0 ? expression(f, depth - 1, sloppy) : sloppy ? f.text(10) : "word");
        }
        return sb.toString();
    }

    static String expression(Fuzz f, int depth) {
        return expression(f, depth, true);
    }

    /** A $name expression: $name, ${name}, $(name), ${name?x}, ${name:x}, ${name?{a}:{b}}, ${{a} op {b}?..}. */
    static String expression(Fuzz f, int depth, boolean sloppy) {
        String name = sloppy && f.chance(0.1) ? f.pick("", " ", "1a", "a-b", "${x}", "na me") : name(f);
        String inner = depth > 0 && f.chance(0.5) ? expression(f, depth - 1, sloppy)
                : sloppy ? f.pick("x", "", "{", "}", ":", "?", "$$", "a b") : f.pick("x", "", "$$", "a b");
        String inner2 = depth > 0 && f.chance(0.5) ? expression(f, depth - 1, sloppy)
                : sloppy ? f.pick("y", "", "{z}", "}{") : f.pick("y", "", "{z}");
        return switch (f.nextInt(sloppy ? 11 : 8)) {
            case 0 -> "$" + name;
            case 1 -> "${" + name + "}";
            case 2 -> "$(" + name + ")";
            case 3 -> "${" + name + "?" + inner + "}";
            case 4 -> "${" + name + ":" + inner + "}";
            case 5 -> "${" + name + "?{" + inner + "}:{" + inner2 + "}}";
            case 6 -> "${" + f.pick("", " ") + name + f.pick("", " ") + "?" + f.pick("", " ") + "{" + inner + "}"
                    + f.pick("", " ") + ":" + f.pick("", " ") + "{" + inner2 + "}" + (sloppy ? f.pick("", "}", "x") : "") + "}";
            case 7 -> "${{" + inner + "} " + (sloppy ? f.pick("==", "!=", "<", "<=", ">=", ">", "<level", "<=level", "=<",
                    "===", "", "?", "lt") : f.pick("==", "!=", "<", "<=", ">=", ">")) + " {" + inner2 + "}"
                    + (sloppy ? f.pick("?{t}:{f}", "?{t}", ":{f}", "", "x", "?t:f", "?{t}:{f}x") : f.pick("?{t}:{f}", "?{t}", ":{f}"))
                    + "}";
            case 8 -> "$" + f.pick("{", "(", "") + f.text(8);
            case 9 -> "$$" + name;
            default -> "${{" + f.pick("1", "01", "99999999999999999999999", "3.6", "3.10.1", "1.2.3.4", "a", "")
                    + "} " + f.pick("<level", ">=level", "==", "<") + " {" + f.pick("2", "3.7", "", "x.y", "1.2.3")
                    + "}?{a}:{b}}";
        };
    }

    static String masterCf(Fuzz f) {
        StringBuilder sb = new StringBuilder();
        int n = f.between(1, 6);
        for (int i = 0; i < n; i++) {
            if (f.chance(0.1)) {
                sb.append(f.pick("#", "", " ", "  -o x=y", f.text(40))).append('\n');
                continue;
            }
            sb.append(f.pick("smtp", "submission", "smtps", "127.0.0.1:2525", "[::1]:25", "10025", "[::1]", "host:",
                    ":25", "0", "65536", "localhost:587", "bad_host:25", "[1.2.3.4]:26", "99999", f.text(12)));
            sb.append(' ').append(f.pick("inet", "unix", "inet", "fifo", "pass", "unix-dgram", "tcp", ""));
            for (int k = 0; k < 3; k++) sb.append(' ').append(f.pick("n", "y", "-", "-", "x", "no"));
            sb.append(' ').append(f.pick("-", "0", "60", "60?", "?", "1000000000"));
            sb.append(' ').append(f.pick("-", "0", "100", "1000000000", "99999999999", "x", "-1"));
            sb.append(' ').append(f.pick("smtpd", "smtpd", "cleanup", "smtp", "local", f.text(8)));
            int args = f.between(0, 4);
            for (int a = 0; a < args; a++) {
                String name = name(f);
                sb.append(f.chance(0.3) ? "\n  " : " ").append(switch (f.nextInt(6)) {
                    case 0 -> "-o " + name + "=" + value(f, name, 1);
                    case 1 -> "-o { " + name + " = " + value(f, name, 1) + " }";
                    case 2 -> "-o" + name + "=x";
                    case 3 -> "-o";
                    case 4 -> "{ " + f.text(10) + " }";
                    default -> f.pick("-v", "-o =x", "-o name", "{", "}", "-o {a=b");
                });
            }
            sb.append('\n');
        }
        return f.note("generated master.cf", sb.toString());
    }
}
