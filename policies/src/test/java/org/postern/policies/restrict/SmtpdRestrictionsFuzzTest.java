// SmtpdRestrictionsFuzzTest: fuzzes SmtpdRestrictions.load with random restriction lists (the real
// keyword list plus junk, arguments of every kind, restriction classes that nest and loop, access
// tables whose values are restriction lists, RBL sites and reply templates), then evaluates every
// stage against FakeDns. Oracle: ConfigException at file:line; a verdict, never an internal error.
package org.postern.policies.restrict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.Origin;
import org.postern.policies.Fuzz;
import org.postern.policies.conf.Config;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.Diagnostic;
import org.postern.policies.table.Tables;

class SmtpdRestrictionsFuzzTest {
    private static final Duration LIMIT = Duration.ofSeconds(3);
    private static final String BASE = "mydomain = example.net\nmyhostname = mx.example.net\nmydestination = example.net\n"
            + "relay_domains = relay.example\nmynetworks = 192.0.2.0/24\n";
    private static final List<String> LISTS = List.of("smtpd_client_restrictions", "smtpd_helo_restrictions",
            "smtpd_sender_restrictions", "smtpd_relay_restrictions", "smtpd_recipient_restrictions",
            "smtpd_data_restrictions", "smtpd_end_of_data_restrictions");
    private static final List<String> CLASSES = List.of("cls_a", "cls_b", "permissive", "restrictive");
    private static final List<String> KEYWORDS = new ArrayList<>(Keywords.names());
    private static final List<String> WORDS = new ArrayList<>(List.of(",", " ", "{", "}", "=", ":", "warn_if_reject",
            "hash:access", "cidr:clients.cidr", "regexp:re", "pcre:pc", "inline:{a=OK}", "static:{REJECT x}",
            "zen.example", "bl.example=127.0.0.[2..11]", "127.0.0.1", "inet:127.0.0.1:1", "{ inet:127.0.0.1:1, timeout=1s }",
            "cls_a", "cls_b", "$myhostname", "${cls_a}", "permit", "reject", "reject_rbl", "check_ccert_access"));

    private static ExecutorService io;
    private static ScheduledExecutorService timer;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        io = Executors.newCachedThreadPool();
        timer = Executors.newSingleThreadScheduledExecutor();
        WORDS.addAll(KEYWORDS);
    }

    @AfterAll
    static void stop() {
        io.shutdownNow();
        timer.shutdownNow();
    }

    @Test
    void generatedLists() {
        Fuzz.run("restrictions-generated", 0x5E571C7L, 400, LIMIT, f -> loadAndEvaluate(f, mainCf(f)));
    }

    @Test
    void mutatedLists() {
        Fuzz.run("restrictions-mutated", 0x5E571C8L, 300, LIMIT, f -> loadAndEvaluate(f, f.mutate(mainCf(f), WORDS)));
    }

    /** Lists and classes built to be deep, long, self-referring or fanning out. */
    @Test
    void adversarialLists() {
        List<String> cases = new ArrayList<>();
        cases.add("smtpd_recipient_restrictions = " + "permit_mynetworks, ".repeat(20_000) + "reject_unauth_destination\n");
        cases.add("smtpd_recipient_restrictions = " + "bogus_restriction_name_here, ".repeat(20_000) + "reject\n");
        cases.add("smtpd_recipient_restrictions = " + "{".repeat(50_000) + "\n");
        cases.add("smtpd_recipient_restrictions = warn_if_reject " + "warn_if_reject ".repeat(20_000) + "reject\n");
        StringBuilder chain = new StringBuilder("smtpd_restriction_classes =");
        for (int i = 0; i < 300; i++) chain.append(" c").append(i);
        chain.append("\nsmtpd_recipient_restrictions = c0, reject\n");
        for (int i = 0; i < 300; i++) chain.append("c").append(i).append(" = c").append(i + 1).append(", permit_mynetworks\n");
        chain.append("c300 = reject\n");
        cases.add(chain.toString());
        StringBuilder fan = new StringBuilder("smtpd_restriction_classes = fan\nsmtpd_recipient_restrictions = fan, reject\nfan = $m0\n");
        for (int i = 0; i < 9; i++) fan.append("m").append(i).append(" = ").append(("$m" + (i + 1) + " ").repeat(10)).append('\n');
        fan.append("m9 = permit_mynetworks\n");
        cases.add(fan.toString());
        cases.add("smtpd_restriction_classes = loop\nloop = $loop2\nloop2 = $loop\nsmtpd_recipient_restrictions = loop, reject\n");
        cases.add("default_rbl_reply = $rbl_code " + "${rbl_reason?".repeat(20_000) + "x" + "}".repeat(20_000)
                + "\nsmtpd_recipient_restrictions = reject_rbl_client bl.example, reject\n");
        cases.add("default_rbl_reply = $rbl_code " + "${rbl_reason?{".repeat(20_000)
                + "\nsmtpd_recipient_restrictions = reject_rbl_client bl.example, reject\n");
        cases.add("smtpd_recipient_restrictions = reject_rbl_client bl.example=" + "1".repeat(100_000) + ", reject\n");
        cases.add("smtpd_recipient_restrictions = check_policy_service {" + " x=y,".repeat(20_000) + "}, reject\n");
        for (String main : cases) {
            Fuzz.check("main.cf " + main, Duration.ofSeconds(10), f -> loadAndEvaluate(f, main));
        }
    }

    // ---- oracle ----

    private void loadAndEvaluate(Fuzz f, String mainCf) throws Exception {
        Path dir = Files.createTempDirectory(tmp, "r");
        Map<String, Integer> files = new LinkedHashMap<>();
        writeTables(f, dir, files);
        byte[] main = (BASE + mainCf).getBytes(StandardCharsets.UTF_8);
        f.note("main.cf", main);
        files.put(Fuzz.write(dir.resolve("main.cf"), main).toString(), Fuzz.lineCount(main));
        files.put(Fuzz.write(dir.resolve("master.cf"), "smtp inet n - n - - smtpd\n".getBytes(StandardCharsets.UTF_8))
                .toString(), 1);
        Config config;
        try {
            config = Config.load(dir);
        } catch (ConfigException e) {
            check(f, e.diagnostics(), files);
            f.count("main.cf refused");
            return;
        }
        FakeDns dns = dns();
        RestrictionServices services = new RestrictionServices(io, timer, Clock.systemUTC(),
                d -> CompletableFuture.completedFuture(null));
        Tables tables = new Tables(dir);
        SmtpdRestrictions r;
        try {
            r = SmtpdRestrictions.load(config, tables, dns, services);
        } catch (ConfigException e) {
            assertThat(e.errors()).isNotEmpty();
            check(f, e.diagnostics(), files);
            f.count("restrictions refused");
            return;
        }
        try (r) {
            check(f, r.warnings(), files);
            check(f, tables.warnings(), files);
            f.count("restrictions loaded");
            if (mainCf.contains("policy_service")) return; // no sockets in the fuzz run
            evaluate(f, r);
        }
    }

    private static void evaluate(Fuzz f, SmtpdRestrictions r) {
        int sessions = f.between(1, 3);
        for (int s = 0; s < sessions; s++) {
            SessionFacts.Builder b = SessionFacts.builder(Stage.CONNECT, FakeDns.literal(f.pick("198.51.100.7",
                    "192.0.2.1", "127.0.0.2", "::1", "2001:db8::5", "::ffff:198.51.100.7")));
            b.clientPort(40000).clientName(f.pick("client.example.org", "unknown", "", "x..y", "\u00e9.example", "a b"))
                    .reverseClientName(f.pick("client.example.org", "unknown", "rev.example"))
                    .server("192.0.2.25", 25).instance("1a2b.3c4d.0");
            if (f.chance(0.2)) b.sasl("PLAIN", f.pick("alice", "bob", "x\r\ny", ""), null);
            if (f.chance(0.2)) b.tls("TLSv1.3", "TLS_AES_128_GCM_SHA256", 128);
            verdict(f, "connect", r.connect(b.build()));
            b.stage(Stage.HELO).helo(f.pick("client.example.org", "localhost", "[192.0.2.1]", "x", "", "a..b",
                    "bad_name", "\u00e9t\u00e9.example", "-x.example", "a".repeat(300) + ".example"), f.pick("ESMTP", "SMTP"));
            verdict(f, "helo", r.helo(b.build()));
            b.stage(Stage.MAIL).sender(f.pick("", "alice@example.net", "user@example.org", "postmaster",
                    "a%b@relay.example", "x@[192.0.2.1]", "x@", "@x", "user+ext@relay.example", "\u00e9@ex.example",
                    "owner-list@example.net", "a".repeat(2000) + "@example.org", "x@bl.example"));
            verdict(f, "mail", r.mail(b.build()));
            int rcpts = f.between(1, 3);
            for (int i = 0; i < rcpts; i++) {
                b.stage(Stage.RCPT).recipientCount(i).recipient(f.pick("user@example.net", "user@relay.example",
                        "user@elsewhere.example", "postmaster", "a!b@relay.example", "a%b@example.net", "x@[192.0.2.1]",
                        "user", "User+Tag@Relay.Example", "\u00e9@relay.example", "x@relay.example."));
                verdict(f, "rcpt", r.rcpt(b.build()));
            }
            b.stage(Stage.DATA).recipientCount(rcpts);
            verdict(f, "data", r.data(b.build()));
            b.stage(Stage.END_OF_DATA).messageSize(1234);
            verdict(f, "end of data", r.endOfData(b.build()));
        }
    }

    private static void verdict(Fuzz f, String stage, CompletionStage<Verdict> v) {
        Verdict verdict;
        try {
            verdict = v.toCompletableFuture().get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(stage + ": no verdict: " + e, e);
        }
        for (LogEvent e : verdict.log()) {
            if (e.line().contains("internal error")) fail(stage + ": " + e.line());
        }
        if (verdict.reply() != null) assertThat(verdict.reply().render()).endsWith("\r\n");
        f.count(verdict.accepted() ? "accepted" : "refused " + verdict.reply().code());
    }

    private static void check(Fuzz f, List<Diagnostic> diagnostics, Map<String, Integer> files) {
        for (Diagnostic d : diagnostics) {
            Origin o = d.origin();
            String bad = Fuzz.badOrigin(o.file(), o.line(), o.isBuiltin(), files);
            if (bad == null) bad = f.badMessage(d.message());
            if (bad != null) fail(bad + "\n  in diagnostic: " + Fuzz.escape(d.toString(), 500));
        }
    }

    // ---- inputs ----

    private static FakeDns dns() {
        FakeDns dns = new FakeDns();
        dns.a("7.100.51.198.bl.example", "127.0.0.2").txt("7.100.51.198.bl.example", "listed\r\nsee $url \u00e9");
        dns.a("7.100.51.198.zen.example", "127.0.0.10", "127.0.0.4");
        dns.a("client.example.org.dbl.example", "127.0.1.2").txt("client.example.org.dbl.example", "bad ${name}");
        dns.a("example.org.dbl.example", "127.0.1.2");
        dns.a("client.example.org", "198.51.100.7").mx("example.org", 10, "mx.example.org").a("mx.example.org", "192.0.2.9");
        dns.broken("tempfail.example").broken("7.100.51.198.broken.example").exists("example.net");
        return dns;
    }

    /** access (hash:), clients.cidr, re (regexp:) and pc (pcre:) tables whose values are access results. */
    private static void writeTables(Fuzz f, Path dir, Map<String, Integer> files) {
        StringBuilder access = new StringBuilder();
        for (String key : List.of("example.org", "alice@example.net", "198.51.100.7", "198.51.100", "client.example.org",
                "user@relay.example", "relay.example", "postmaster@", "<>", "localhost", "bob")) {
            if (f.chance(0.6)) access.append(key).append(' ').append(accessValue(f)).append('\n');
        }
        String[][] tables = {{"access", access.toString()},
            {"clients.cidr", "198.51.100.0/24 " + accessValue(f) + "\n::/0 " + accessValue(f) + "\n"},
            {"re", "/^(.*)@(.*)$/ " + accessValue(f) + "\n/client/ " + accessValue(f) + "\n"},
            {"pc", "/^(?<u>[^@]+)@relay\\.example$/ " + accessValue(f) + "\n/./ " + accessValue(f) + "\n"},
            {"logins", "alice@example.net alice, bob\n@relay.example carol\n"}};
        for (String[] t : tables) {
            byte[] content = t[1].getBytes(StandardCharsets.UTF_8);
            if (f.chance(0.1)) content = f.mutate(content, WORDS);
            f.note(t[0], content);
            files.put(Fuzz.write(dir.resolve(t[0]), content).toString(), Fuzz.lineCount(content));
        }
    }

    /** An access(5) result: actions, reply codes, restriction lists and class names. */
    private static String accessValue(Fuzz f) {
        return switch (f.nextInt(4)) {
            case 0 -> f.pick("OK", "REJECT", "REJECT no thanks", "DUNNO", "DEFER", "DEFER_IF_PERMIT x", "DEFER_IF_REJECT",
                    "HOLD", "DISCARD", "FILTER smtp:[x]", "FILTER", "REDIRECT a@b", "REDIRECT x", "BCC c@d", "PREPEND X-A: b",
                    "PREPEND bad", "WARN w", "INFO i", "RELAY", "12345", "550 5.7.1 denied", "450 4.1.1 later", "250 ok",
                    "599", "5.7.1", "REJECT 4.7.1 mixed", "REJECT 2.0.0 odd", "hash:access", "REJECT x\ry");
            case 1 -> f.pick(CLASSES);
            case 2 -> list(f, 1);
            default -> f.text(30);
        };
    }

    /** A main.cf fragment: some restriction lists, classes, and the parameters they read. */
    static String mainCf(Fuzz f) {
        boolean sloppy = f.chance(0.25);
        StringBuilder sb = new StringBuilder();
        for (String list : LISTS) {
            if (!f.chance(0.5)) continue;
            sb.append(list).append(" = ").append(list(f, 2, sloppy));
            if (!sloppy && list.equals("smtpd_relay_restrictions")) sb.append(", reject_unauth_destination");
            sb.append('\n');
        }
        if (f.chance(0.5)) {
            List<String> classes = new ArrayList<>();
            for (String c : CLASSES) if (f.chance(0.6)) classes.add(c);
            if (sloppy && f.chance(0.3)) classes.add(f.pick("undefined_class", "permit", "reject_unauth_destination", "{x}"));
            sb.append("smtpd_restriction_classes = ").append(String.join(f.pick(", ", " "), classes)).append('\n');
            for (String c : classes) {
                if (!sloppy || f.chance(0.9)) sb.append(c).append(" = ").append(list(f, 2, sloppy)).append('\n');
            }
        }
        if (!sloppy) sb.append("smtpd_sender_login_maps = hash:logins\n");
        String[][] settings = {{"smtpd_delay_reject", "yes", "no"}, {"smtpd_sasl_auth_enable", "yes", "no"},
            {"default_rbl_reply", template(f)}, {"rbl_reply_maps", "inline:{ bl.example = " + template(f).replace(",", " ")
                + " }", "hash:access", "static:{" + template(f) + "}"},
            {"maps_rbl_reject_code", "554", "450", "200", "999", "0"}, {"reject_code", "554", "0", "700", "450"},
            {"access_map_reject_code", "554", "100", "599"}, {"relay_domains_reject_code", "554", "400", "101"},
            {"relay_recipient_maps", "hash:access", "inline:{user@relay.example=x}", "static:{x}", "fail:x", "nope:x"},
            {"smtpd_sender_login_maps", "hash:logins", "regexp:re", "", "hash:missing"},
            {"rbl_tempfail_action", "defer", "defer_if_permit"}, {"recipient_delimiter", "+", "-+", ""},
            {"smtpd_null_access_lookup_key", "<>", "", "MAILER-DAEMON"}, {"allow_untrusted_routing", "yes", "no"},
            {"smtpd_reject_unlisted_sender", "yes", "no"}, {"smtpd_relay_before_recipient_restrictions", "yes", "no"},
            {"parent_domain_matches_subdomains", "", "smtpd_access_maps"}};
        for (String[] s : settings) {
            if (f.chance(sloppy ? 0.2 : 0.1)) {
                sb.append(s[0]).append(" = ").append(s.length == 1 ? s[0] : s[1 + f.nextInt(s.length - 1)]).append('\n');
            }
        }
        return f.note("generated main.cf", sb.toString());
    }

    static String list(Fuzz f, int depth) {
        return list(f, depth, true);
    }

    /** A restriction list: real keywords with arguments of every kind, classes, bare tables; junk when sloppy. */
    static String list(Fuzz f, int depth, boolean sloppy) {
        StringBuilder sb = new StringBuilder();
        int n = f.between(0, 6);
        for (int i = 0; i < n; i++) {
            if (i > 0) sb.append(f.pick(", ", " ", ",", "\t", " ,\n  "));
            int r = f.nextInt(100);
            if (r < 60 || !sloppy && r >= 80) {
                String k = f.pick(KEYWORDS);
                Keywords.Keyword kw = Keywords.find(k);
                sb.append(f.chance(0.05) ? k.toUpperCase(java.util.Locale.ROOT) : k);
                if (kw.arg() != Keywords.Arg.NONE && (!sloppy || f.chance(0.95))) {
                    sb.append(' ').append(argument(f, kw.arg(), sloppy));
                }
            } else if (r < 70) {
                sb.append(f.pick(CLASSES));
            } else if (r < 75) {
                sb.append("warn_if_reject");
            } else if (r < 80) {
                sb.append(f.pick("hash:access", "cidr:clients.cidr", "regexp:re", "pcre:pc", "inline:{x=OK}"));
            } else if (r < 85) {
                sb.append(f.pick("check_client_mx_access hash:access", "permit_mx_backup", "reject_maps_rbl",
                        "check_ccert_access", "reject_unverified_recipient"));
            } else if (r < 95) {
                sb.append(f.pick("reject_unauth_destinaton", "permit_mynetwork", "frobnicate", "{", "}", "{ permit }",
                        "$myhostname", "=", "REJECT", "OK", "\u00e9", "warn_if_reject,"));
            } else {
                sb.append(depth > 0 ? "{ " + list(f, depth - 1, true) + " }" : f.text(10));
            }
        }
        return sb.toString();
    }

    private static String argument(Fuzz f, Keywords.Arg kind, boolean sloppy) {
        if (!sloppy) {
            return switch (kind) {
                case TABLE -> f.pick("hash:access", "cidr:clients.cidr", "regexp:re", "pcre:pc", "inline:{ a = OK }",
                        "static:{ REJECT static }", "proxy:hash:access", "regexp:{ {/x/ OK} }");
                case SITE -> f.pick("bl.example", "zen.example=127.0.0.[2..11]", "dbl.example", "broken.example",
                        "tempfail.example", "bl.example=127.0.0.2", "zen.example=127.0.[0;1].[2..4;10]");
                case SECONDS -> f.pick("0", "1", "99");
                case SERVICE -> f.pick("inet:127.0.0.1:1", "{ inet:127.0.0.1:1, timeout=1s }");
                case NONE -> "";
            };
        }
        return switch (kind) {
            case TABLE -> f.pick("hash:access", "cidr:clients.cidr", "regexp:re", "pcre:pc", "inline:{ a = OK }",
                    "static:{ REJECT static }", "hash:missing", "nope:x", "proxy:hash:access", "fail:x", "permit", "",
                    "hash:", ":x", "inline:{", "regexp:{ {/x/ OK} }");
            case SITE -> f.pick("bl.example", "zen.example=127.0.0.[2..11]", "dbl.example", "broken.example",
                    "tempfail.example", "bl.example=127.0.0.2", "zen.example=127.0.[0;1].[2..4;10]", "", "=127.0.0.2",
                    "bl..example", "bl.example=", "bl.example=127.0.0.[5..2]", "bl.example=1.2.3", "x_y.example",
                    "-bad.example", "bl.example=127.0.0.256", "a".repeat(70) + ".example", "bl.example=[", "\u00e9.example");
            case SECONDS -> f.pick("0", "1", "99", "999999", "1000000", "x", "", "-1", "\u0663");
            case SERVICE -> f.pick("inet:127.0.0.1:1", "unix:/nonexistent/policy", "{ inet:127.0.0.1:1, timeout=1s }",
                    "{ inet:127.0.0.1:1, default_action=DUNNO, try_limit=1 }", "inet:host", "inet::25",
                    "inet:127.0.0.1:99999", "{", "{ }", "{ inet:127.0.0.1:1, timeout=0 }", "{ inet:127.0.0.1:1, bogus=1 }",
                    "{ unix:\u0000x }", "unix:", "tcp:x:1", "{ inet:127.0.0.1:1, timeout=999999999999w }");
            case NONE -> "";
        };
    }

    /** An RBL reply template, valid or not. */
    static String template(Fuzz f) {
        String t = f.pick("$rbl_code Service unavailable; $rbl_class [$rbl_what] blocked using $rbl_domain${rbl_reason?; $rbl_reason}",
                "554 5.7.1 blocked $client", "${rbl_code} ${rbl_reason?{$rbl_reason}:{no reason}}", "$rbl_code $bogus",
                "blocked", "450 4.7.1 later", "$rbl_code 2.0.0 odd", "$rbl_code ${rbl_reason", "$rbl_code $", "599 x",
                "$rbl_code " + f.text(20), "$rbl_code $sender_name@$sender_domain $recipient $helo_name",
                "$rbl_code x\ry", "$rbl_code ${client_name:{unknown}}");
        return f.chance(0.2) ? f.mutate(t, List.of("$", "{", "}", "?", ":", "$rbl_code", "${rbl_reason?")) : t;
    }
}
