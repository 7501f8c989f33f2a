// ContentChecksFuzzTest: fuzzes header_checks/mime_header_checks/nested_header_checks/body_checks --
// ContentChecks.from with mutated and generated tables and MIME settings, then random, mutated and
// broken MIME messages (unterminated boundaries, deep nesting, huge and folded headers, 8-bit, bare CR)
// fed line by line. Oracle: a ConfigException at file:line, or no exception and no hang per message.
package org.postern.policies.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.Origin;
import org.postern.policies.Fuzz;
import org.postern.policies.conf.Config;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.Diagnostic;
import org.postern.policies.table.TableLookupException;
import org.postern.policies.table.Tables;

class ContentChecksFuzzTest {
    private static final Duration LIMIT = Duration.ofSeconds(3);
    private static final CheckLog.Context LOG = new CheckLog.Context("3F2A61C0A1B", "mx.example[192.0.2.1]",
            "a@example.org", "b@example.net", "ESMTP", "mx.example");

    private static final List<byte[]> MESSAGES = new ArrayList<>();
    private static final List<byte[]> TABLES = new ArrayList<>();

    private static final List<String> MESSAGE_WORDS = List.of("Content-Type: multipart/mixed; boundary=\"b\"",
            "Content-Type: message/rfc822", "Content-Type: multipart/digest; boundary=d", "--b", "--b--", "--d",
            "Content-Transfer-Encoding: base64", "Content-Transfer-Encoding: 8bit", "MIME-Version: 1.0", "Subject: x",
            " folded", "\t", ":", "", "boundary=", "Content-Type: text/plain; charset=utf-8", "Name : value", "\r",
            "(comment)", "\"", ";", "=?utf-8?b?w6k=?=", "\u00e9t\u00e9", "X-Postern-Scanned: yes");
    private static final List<String> TABLE_WORDS = List.of("REJECT", "PREPEND X-A: $1", "REPLACE X-B: $1", "IGNORE",
            "STRIP", "HOLD", "DISCARD", "FILTER smtp:[x]", "REDIRECT a@b", "BCC c@d", "WARN $1", "INFO", "PASS", "DUNNO",
            "OK", "REJECT 4.7.1 $1", "REJECT 2.0.0 x", "REJECT $1", "REPLACE $1", "PREPEND", "/^Subject: (.*)/",
            "/^(.*)$/", "/^Content-Type:.*boundary=\"?([^\"]*)/", "/(\\n)/", "$1", "!/x/", "if /^Subject/", "endif");

    @TempDir
    Path tmp;

    @BeforeAll
    static void seeds() throws Exception {
        for (String name : List.of("folded.eml", "utf8-headers.eml", "nested-multipart.eml", "multipart-rfc822.eml",
                "no-body.eml")) {
            MESSAGES.add(ChecksFixtures.message(name));
        }
        Path d = Fuzz.defaults();
        for (String name : List.of("header_checks", "mime_header_checks", "body_checks")) {
            TABLES.add(Files.readAllBytes(d.resolve(name)));
        }
        TABLES.add(("/^Subject: (.*)/ REJECT $1\n/^X-Tag: (.*)/ PREPEND X-Copy: $1\n/^Received:/ IGNORE\n"
                + "/^(From|To): (.*)/ REPLACE X-$1: $2\n/^(.*)$/ WARN line $1\n/^X-Bcc: (.*)/ BCC $1@example.com\n"
                + "/^X-Redirect: (.*)/ REDIRECT $1\n/^X-Hold/ HOLD held\n/^X-Discard/ DISCARD\n"
                + "/^X-Filter: (.*)/ FILTER $1\n/^Content-Type:.*name=\"?([^\"]*)/ REJECT 5.7.1 bad name $1\n")
                .getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void mutatedMessages() {
        Fuzz.run("checks-mutated", 0xC4EC5L, 400, LIMIT, f -> {
            ContentChecks checks = checks(f);
            if (checks == null) return;
            byte[] message = f.mutate(f.pick(MESSAGES), MESSAGE_WORDS);
            feed(f, checks, message);
        });
    }

    @Test
    void generatedMessages() {
        Fuzz.run("checks-generated", 0xC4EC6L, 400, LIMIT, f -> {
            ContentChecks checks = checks(f);
            if (checks == null) return;
            StringBuilder sb = new StringBuilder();
            message(f, sb, f.between(0, 4), "b");
            byte[] message = sb.toString().getBytes(StandardCharsets.UTF_8);
            if (f.chance(0.3)) message = f.mutate(message, MESSAGE_WORDS);
            feed(f, checks, message);
        });
    }

    /** Messages built to stress the parser: nesting past the limit, endless headers, never-closed parts. */
    @Test
    void adversarialMessages() throws Exception {
        Path dir = Files.createTempDirectory(tmp, "adv");
        Files.write(dir.resolve("hc"), TABLES.get(3));
        Files.writeString(dir.resolve("bc"), "/^(a|b)*c/ REJECT $1\n/(.|\\n)*x/ WARN\n/^--(.*)/ WARN $1\n");
        ContentChecks checks = ContentChecks.from(Config.defaults(dir).withOverrides(Map.of("header_checks", "pcre:hc",
                "body_checks", "pcre:bc", "strict_8bitmime", "yes", "strict_mime_encoding_domain", "yes")), new Tables(dir));
        List<String> cases = new ArrayList<>();
        StringBuilder deep = new StringBuilder();
        for (int i = 0; i < 5000; i++) deep.append("Content-Type: multipart/mixed; boundary=b").append(i).append("\n\n--b").append(i).append('\n');
        cases.add(deep.toString());
        StringBuilder rfc822 = new StringBuilder();
        for (int i = 0; i < 5000; i++) rfc822.append("Content-Type: message/rfc822\n\n");
        cases.add(rfc822.toString());
        cases.add("Subject: x\n" + " y\n".repeat(200_000) + "\nbody\n");
        cases.add("Subject: " + "ab".repeat(500_000) + "\n\n" + "ab".repeat(500_000) + "\n");
        cases.add("Content-Type: multipart/mixed; boundary=" + "b".repeat(100_000) + "\n\n--" + "b".repeat(100_000) + "\n");
        cases.add("Content-Type: multipart/mixed;" + " boundary=x;".repeat(50_000) + "\n\n--x\n");
        cases.add("Content-Type: multipart/mixed; boundary=\"\"\n\n--\n---\n----\n");
        cases.add("Content-Type: " + "(".repeat(100_000) + "\n\n");
        cases.add("Content-Type: multipart/mixed; boundary=\"" + "\\".repeat(100_001) + "\n\n");
        cases.add("X: \u00e9\r\u0000\n\n\u00ff\n".repeat(10_000));
        for (String message : cases) {
            Fuzz.check("message " + message, Duration.ofSeconds(10), f -> feed(f, checks, message.getBytes(StandardCharsets.UTF_8)));
        }
    }

    // ---- oracle ----

    /** ContentChecks for random tables and MIME settings; null when the configuration was refused. */
    private ContentChecks checks(Fuzz f) throws Exception {
        Path dir = Files.createTempDirectory(tmp, "c");
        Map<String, Integer> files = new LinkedHashMap<>();
        Map<String, String> o = new LinkedHashMap<>();
        for (String p : List.of(ContentChecks.HEADER_CHECKS, ContentChecks.MIME_HEADER_CHECKS,
                ContentChecks.NESTED_HEADER_CHECKS, ContentChecks.BODY_CHECKS)) {
            if (!f.chance(p.equals(ContentChecks.HEADER_CHECKS) || p.equals(ContentChecks.BODY_CHECKS) ? 0.8 : 0.3)) continue;
            byte[] table;
            int r = f.nextInt(10);
            if (r < 4) table = f.pick(TABLES);
            else if (r < 7) table = f.mutate(f.pick(TABLES), TABLE_WORDS);
            else table = table(f).getBytes(StandardCharsets.UTF_8);
            f.note(p, table);
            Path file = Fuzz.write(dir.resolve(p), table);
            files.put(file.toString(), Fuzz.lineCount(table));
            String type = r < 7 ? f.pick("regexp:", "pcre:", "pcre:", "proxy:pcre:") : f.pick("pcre:", "proxy:pcre:");
            o.put(p, type + p + (f.chance(0.1) ? ", static:{ WARN all }" : ""));
        }
        for (String[] setting : new String[][] {{"strict_8bitmime", "yes", "no"}, {"strict_7bit_headers", "yes", "no"},
            {"strict_8bitmime_body", "yes", "no"}, {"strict_mime_encoding_domain", "yes", "no"},
            {"disable_mime_input_processing", "yes", "no"}, {"header_size_limit", "1", "10", "100", "102400"},
            {"mime_nesting_limit", "0", "1", "3", "100"}, {"mime_boundary_length_limit", "0", "1", "5", "2048"},
            {"body_checks_size_limit", "0", "1", "100", "51200"}}) {
            if (f.chance(0.3)) o.put(setting[0], setting[1 + f.nextInt(setting.length - 1)]);
        }
        f.note("settings", o.toString());
        Config config = Config.defaults(dir).withOverrides(o);
        files.put(Origin.builtin("override").file(), 0);
        Tables tables = new Tables(dir);
        try {
            ContentChecks c = ContentChecks.from(config, tables);
            check(f, tables.warnings(), files);
            f.count("checks loaded");
            return c;
        } catch (ConfigException e) {
            check(f, e.diagnostics(), files);
            f.count("checks refused");
            return null;
        }
    }

    private static void check(Fuzz f, List<Diagnostic> diagnostics, Map<String, Integer> files) {
        for (Diagnostic d : diagnostics) {
            Origin o = d.origin();
            String bad = Fuzz.badOrigin(o.file(), o.line(), o.isBuiltin(), files);
            if (bad == null) bad = f.badMessage(d.message());
            if (bad != null) fail(bad + "\n  in diagnostic: " + Fuzz.escape(d.toString(), 500));
        }
    }

    /** Feeds the message's lines (CRLF or LF ends removed) and checks what comes out. */
    private static void feed(Fuzz f, ContentChecks checks, byte[] message) {
        f.note("message", message);
        List<CheckResult> matches = new ArrayList<>();
        List<MimeError> errors = new ArrayList<>();
        CheckListener listener = new CheckListener() {
            @Override
            public void matched(CheckResult r) {
                matches.add(r);
                if (r.logged()) assertThat(CheckLog.line(r, LOG)).doesNotContain("\n", "\r");
                assertThat(r.action() == CheckAction.REJECT).isEqualTo(r.reply() != null);
            }

            @Override
            public void mimeError(MimeError error, String text) {
                errors.add(error);
                assertThat(CheckLog.mimeError(error, text, LOG)).doesNotContain("\n", "\r");
            }

            @Override
            public void lookupFailed(String parameter, TableLookupException cause) {
                assertThat(CheckLog.lookupProblem(LOG.queueId(), parameter)).contains(parameter);
                f.count("lookup failed");
            }
        };
        List<byte[]> in = new ArrayList<>();
        for (byte[] line : Fuzz.lines(message)) {
            int n = line.length;
            if (n > 0 && line[n - 1] == '\r') line = Arrays.copyOf(line, n - 1);
            in.add(line);
        }
        List<byte[]> out = new ArrayList<>();
        MessageChecks.LineSink sink = (b, off, len) -> out.add(Arrays.copyOfRange(b, off, off + len));
        MessageChecks m = checks.start(listener);
        byte[] padded = new byte[0];
        for (byte[] line : in) {
            if (f.chance(0.5)) {
                m.line(line, 0, line.length, sink);
            } else { // the same line inside a larger buffer, as the cleanup reads it
                padded = new byte[line.length + 7];
                System.arraycopy(line, 0, padded, 3, line.length);
                m.line(padded, 3, line.length, sink);
            }
        }
        m.end(sink);
        m.end(sink);
        CheckOutcome outcome = m.outcome();
        assertThat(outcome).isNotNull();
        if (outcome.refused()) assertThat(outcome.reply().render()).endsWith("\r\n");
        f.count(outcome.refused() ? "refused" : outcome.discarded() ? "discarded" : outcome.held() ? "held" : "accepted");
        boolean edited = matches.stream().anyMatch(r -> switch (r.action()) {
            case IGNORE, STRIP, PREPEND, REPLACE -> true;
            default -> false;
        });
        if (!edited && message.length < checks.mimeOptions().headerSizeLimit()) untouched(in, out);
    }

    /** Without IGNORE/STRIP/PREPEND/REPLACE the lines come out as fed, plus at most one inserted empty line. */
    private static void untouched(List<byte[]> in, List<byte[]> out) {
        int i = 0;
        int o = 0;
        boolean inserted = false;
        while (i < in.size() || o < out.size()) {
            if (i < in.size() && o < out.size() && Arrays.equals(in.get(i), out.get(o))) {
                i++;
                o++;
            } else if (!inserted && o < out.size() && out.get(o).length == 0) {
                inserted = true;
                o++;
            } else {
                fail("output differs from input at input line " + (i + 1) + " / output line " + (o + 1) + ": "
                        + (i < in.size() ? "\"" + Fuzz.escape(new String(in.get(i), StandardCharsets.ISO_8859_1), 200) + "\"" : "end")
                        + " vs " + (o < out.size() ? "\"" + Fuzz.escape(new String(out.get(o), StandardCharsets.ISO_8859_1), 200) + "\"" : "end"));
            }
        }
    }

    // ---- grammar-aware generation ----

    /** A header/body checks table (pcre: syntax): rules on headers and MIME structure, every action, $n. */
    static String table(Fuzz f) {
        StringBuilder sb = new StringBuilder();
        int n = f.between(1, 10);
        for (int i = 0; i < n; i++) {
            boolean groups = f.chance(0.7);
            String pattern = groups ? f.pick("/^Subject: (.*)/", "/^(Content-[a-z-]+):(.*)$/", "/^From: .*<(.*)>/",
                    "/(.*)/", "/^(\\w+)\\s*:/", "/^--(.*)/", "/boundary=\"?([^\";]+)/", "/(a|b)*c/", "/^(.)(.)(.)/",
                    "/^Received:(?:.|\\n)*by (\\S+)/", "/^\\s+(.*)/", "/(\\r)/", "/^X-[^:]*: (.*)/", "/(\\x{e9}+)/",
                    "/([\\x00-\\x1f])/")
                    : f.pick("/^$/", "!/^X-/", "/^MIME-Version:/", "/[\\x80-\\xff]/", "/\\x{e9}/", "/^Subject:/");
            String action = f.pick("REJECT", "REJECT 4.7.1 try", "REJECT 2.1.0 odd", "REJECT 5.7.1", "PREPEND X-A: b",
                    "PREPEND not a header", "REPLACE X-B: c", "IGNORE", "STRIP", "HOLD", "DISCARD", "FILTER smtp:[x]",
                    "FILTER nocolon", "REDIRECT a@example.com", "REDIRECT x", "BCC b@example.com", "WARN w", "INFO", "PASS",
                    "DUNNO", "OK", "PREPEND", "BOGUS", "", "REJECT " + "x".repeat(600));
            if (groups && f.chance(0.7)) {
                action = f.pick("REJECT $1", "REJECT 4.7.1 try $1", "PREPEND X-A: $1", "PREPEND $1", "REPLACE X-B: $1",
                        "REPLACE $1", "HOLD $1", "FILTER smtp:[$1]", "REDIRECT $1@example.com", "BCC $1", "WARN $1",
                        "INFO $1", "REJECT 5.7.1 <$1>", "PREPEND X-C: ${1}x");
            }
            if (f.chance(0.1)) sb.append("if /^").append(f.pick("Subject", "Content", "X")).append("/\n");
            sb.append(pattern).append(f.pick("", "", "i", "m", "s")).append(' ').append(action).append('\n');
            if (f.chance(0.1)) sb.append("endif\n");
        }
        return sb.toString();
    }

    /** A message: headers, then a body that is text, a multipart (maybe broken) or an attached message. */
    static void message(Fuzz f, StringBuilder sb, int depth, String boundary) {
        String kind = depth <= 0 ? "text" : f.pick("text", "multipart", "multipart", "rfc822", "digest");
        String b = boundary + depth;
        int headers = f.between(0, 6);
        for (int i = 0; i < headers; i++) sb.append(header(f)).append(f.chance(0.05) ? "\r\n" : "\n");
        switch (kind) {
            case "multipart", "digest" -> sb.append("Content-Type: multipart/").append(kind.equals("digest") ? "digest" : "mixed")
                    .append(f.pick("; boundary=", "; boundary=\"", ";\n boundary=", "; BOUNDARY = ", "; (c) boundary=",
                            "; boundary=", "; charset=x; boundary="))
                    .append(b).append(f.pick("", "\"", "; x=y", " (comment)", "")).append('\n');
            case "rfc822" -> sb.append("Content-Type: message/rfc822").append(f.pick("", "; x=y", "\n Content-Transfer-Encoding: base64"))
                    .append('\n');
            default -> sb.append(f.chance(0.5) ? "Content-Type: text/plain; charset=utf-8\n" : "");
        }
        if (f.chance(0.3)) {
            sb.append("Content-Transfer-Encoding: ").append(f.pick("7bit", "8bit", "binary", "base64",
                    "quoted-printable", "x-uuencode", "", "(c) 7bit", "\"8bit\"")).append('\n');
        }
        if (f.chance(0.95)) sb.append(f.pick("\n", "\r\n", "\n", " \n", "not a header\n"));
        switch (kind) {
            case "multipart", "digest" -> {
                if (f.chance(0.5)) sb.append("preamble ").append(f.text(20)).append('\n');
                int parts = f.between(0, 3);
                for (int i = 0; i < parts; i++) {
                    sb.append("--").append(f.chance(0.9) ? b : f.pick(boundary, b + "x", b.substring(1), ""))
                            .append(f.pick("", "", " ", "\t", "x")).append('\n');
                    message(f, sb, depth - 1, boundary);
                }
                if (f.chance(0.7)) sb.append("--").append(b).append("--").append(f.pick("", " ", "--")).append('\n');
                if (f.chance(0.3)) sb.append("epilogue\n");
            }
            case "rfc822" -> message(f, sb, depth - 1, boundary);
            default -> {
                int lines = f.between(0, 6);
                for (int i = 0; i < lines; i++) sb.append(bodyLine(f)).append(f.chance(0.05) ? "\r\n" : "\n");
            }
        }
    }

    private static String header(Fuzz f) {
        String name = f.pick("Subject", "From", "To", "Received", "X-Tag", "X-Bcc", "X-Redirect", "X-Hold", "X-Filter",
                "Content-Type", "Content-Disposition", "Content-Transfer-Encoding", "MIME-Version", "content-type",
                "Name ", "X-\u00e9", "", " Subject", "X:Y", "Content-ID");
        StringBuilder sb = new StringBuilder(name).append(f.pick(": ", ":", " : ", ": \t", ""));
        sb.append(f.pick("hello", "=?utf-8?b?w6k=?=", "\u00e9t\u00e9", "a (comment (nested)) b", "\"quoted \\\" string\"",
                "attachment; filename=\"a.exe\"", "text/plain; name=\"x.pdf.exe\"", "multipart/mixed", "application/x; name=a.exe",
                "1.0", "", f.text(40), "\u0000\u0001", "x\ry", "a\r", "\u00e9\r\u00e9"));
        int folds = f.chance(0.2) ? f.between(1, 4) : 0;
        for (int i = 0; i < folds; i++) sb.append('\n').append(f.pick(" ", "\t", "  ")).append(f.text(30));
        if (f.chance(0.03)) sb.append(" ").append(Fuzz.repeat("long ", f.pick(1000, 50_000, 150_000)));
        return sb.toString();
    }

    private static String bodyLine(Fuzz f) {
        return f.pick("hello", "", ".", "--b1", "--b1--", "--", "---", "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X",
                "\u00e9t\u00e9", "begin 644 x.exe", "ab".repeat(f.pick(1, 10, 5000)), f.text(80), "\u0000", "x\ry");
    }
}
