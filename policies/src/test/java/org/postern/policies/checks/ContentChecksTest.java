// ContentChecksTest: which tables see which lines (section defaults, empty lists, several tables),
// body_checks_size_limit, byte-exact output, table failures, strict_* MIME errors, load errors and
// the shipped /etc/postern tables (policies/defaults) run through ContentChecks.
package org.postern.policies.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.Origin;
import org.postern.core.SmtpReply;
import org.postern.policies.conf.Config;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.table.TableLookupException;
import org.postern.policies.table.Tables;

class ContentChecksTest {
    @TempDir
    Path dir;

    /** A table that tags every non-empty line with its name. */
    private void tagging(String name) {
        ChecksFixtures.write(dir, name, "/^(.+)$/ INFO " + name + "\n");
    }

    private static List<String> seen(ChecksFixtures.Run r) {
        return r.matches().stream().map(m -> m.text() + " <- " + m.checks() + ": " + m.input().lines().findFirst()
                .orElse("")).toList();
    }

    @Test
    void eachSectionHasItsOwnTablesAndTheDefaultsAreHeaderChecks() throws ConfigException {
        tagging("h");
        tagging("m");
        tagging("n");
        List<String> message = ChecksFixtures.lines("multipart-rfc822.eml");
        ContentChecks separate = ChecksFixtures.checks(dir, Map.of("header_checks", "regexp:h",
                "mime_header_checks", "regexp:m", "nested_header_checks", "regexp:n"));
        assertThat(seen(ChecksFixtures.run(separate, message))).containsExactly(
                "h <- header_checks: Received: from mx.sender.test (mx.sender.test [192.0.2.10])",
                "h <- header_checks: From: Sender <sender@sender.test>",
                "h <- header_checks: To: <user@example.test>",
                "h <- header_checks: Subject: Invoice for you",
                "m <- mime_header_checks: MIME-Version: 1.0",
                "m <- mime_header_checks: Content-Type: multipart/mixed; boundary=\"outer-boundary\"",
                "h <- header_checks: X-Mailer: fixture 1.0",
                "m <- mime_header_checks: Content-Type: text/plain; charset=us-ascii",
                "m <- mime_header_checks: Content-Transfer-Encoding: 7bit",
                "m <- mime_header_checks: X-Part-Note: first part",
                "m <- mime_header_checks: Content-Type: message/rfc822",
                "m <- mime_header_checks: Content-Disposition: attachment; filename=\"forwarded.eml\"",
                "n <- nested_header_checks: From: Inner Sender <inner@inner.test>",
                "n <- nested_header_checks: To: someone@inner.test",
                "n <- nested_header_checks: Subject: the inner message",
                "m <- mime_header_checks: Content-Type: text/plain; charset=us-ascii",
                "m <- mime_header_checks: Content-Type: application/octet-stream; name=\"invoice.pdf.exe\"",
                "m <- mime_header_checks: Content-Disposition: attachment; filename=\"invoice.pdf.exe\"",
                "m <- mime_header_checks: Content-Transfer-Encoding: base64");
        ContentChecks defaults = ChecksFixtures.checks(dir, Map.of("header_checks", "regexp:h"));
        List<String> all = seen(ChecksFixtures.run(defaults, message));
        assertThat(all).hasSize(19).allMatch(s -> s.startsWith("h <- "));
        assertThat(all).filteredOn(s -> s.contains("<- nested_header_checks")).hasSize(3);
        ContentChecks noMime = ChecksFixtures.checks(dir, Map.of("header_checks", "regexp:h",
                "mime_header_checks", ""));
        assertThat(seen(ChecksFixtures.run(noMime, message))).hasSize(8).noneMatch(s -> s.contains("mime_"));
    }

    @Test
    void theFirstTableWithAMatchWins() throws ConfigException {
        ChecksFixtures.write(dir, "one", "/^Subject: one/ INFO first table\n");
        ChecksFixtures.write(dir, "two", "/^Subject:/ INFO second table\n");
        ContentChecks c = ChecksFixtures.checks(dir, Map.of("header_checks", "regexp:one, regexp:two"));
        assertThat(ChecksFixtures.run(c, "Subject: one\nSubject: other\n").actions())
                .containsExactly("INFO first table", "INFO second table");
    }

    @Test
    void bodyChecksSeeTheFirstBodyChecksSizeLimitOctetsOfEachPart() throws ConfigException {
        tagging("b");
        ContentChecks c = ChecksFixtures.checks(dir, Map.of("body_checks", "regexp:b", "body_checks_size_limit", "12"));
        ChecksFixtures.Run r = ChecksFixtures.run(c, "Content-Type: multipart/mixed; boundary=x\n\n"
                + "preamble\n--x\n\n0123456789\nat offset 12\n--x\n\nnew part\n--x--\n");
        // Blank lines are never looked up. The preamble's "--x" is at offset 10 (looked up), the first
        // part's at 25 (not); each part, and the epilogue after "--x--", starts again at 0.
        assertThat(r.matches()).extracting(CheckResult::input)
                .containsExactly("preamble", "--x", "0123456789", "new part", "--x--");
        ContentChecks unlimited = ChecksFixtures.checks(dir, Map.of("body_checks", "regexp:b",
                "body_checks_size_limit", "0"));
        assertThat(ChecksFixtures.run(unlimited, "\n" + "x\n".repeat(40_000)).matches()).hasSize(40_000);
    }

    @Test
    void untouchedLinesAreWrittenByteForByte() throws ConfigException {
        ChecksFixtures.write(dir, "latin", "/^Subject: caf.+$/ INFO matched as ISO-8859-1\n/^X-Drop/ IGNORE\n");
        ContentChecks c = ChecksFixtures.checks(dir, Map.of("header_checks", "regexp:latin"));
        byte[][] lines = {"Subject: caf\u00e9".getBytes(StandardCharsets.ISO_8859_1),
            "X-Drop: \u00ff\u00fe".getBytes(StandardCharsets.ISO_8859_1),
            "X-Utf8: caf\u00e9".getBytes(StandardCharsets.UTF_8), new byte[0],
            "body \u00e9\u00ff".getBytes(StandardCharsets.ISO_8859_1)};
        List<String> events = new ArrayList<>();
        CheckListener listener = new CheckListener() {
            @Override
            public void matched(CheckResult result) {
                events.add(result.action() + " " + result.input());
            }

            @Override
            public void mimeError(MimeError error, String text) {
                events.add(error.name());
            }

            @Override
            public void lookupFailed(String checks, TableLookupException cause) {
                events.add(checks);
            }
        };
        MessageChecks m = c.start(listener);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MessageChecks.LineSink sink = (b, off, len) -> {
            out.write(b, off, len);
            out.write('\n');
        };
        for (byte[] line : lines) {
            byte[] padded = new byte[line.length + 6]; // offset and length are honoured
            System.arraycopy(line, 0, padded, 3, line.length);
            m.line(padded, 3, line.length, sink);
        }
        m.end(sink);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i : new int[] {0, 2, 3, 4}) {
            expected.writeBytes(lines[i]);
            expected.write('\n');
        }
        assertThat(out.toByteArray()).isEqualTo(expected.toByteArray());
        assertThat(events).containsExactly("INFO Subject: caf\u00e9", "IGNORE X-Drop: \u00ff\u00fe");
    }

    @Test
    void aTableThatCannotAnswerDefersTheMessage() throws ConfigException {
        ChecksFixtures.Run r = ChecksFixtures.run(ChecksFixtures.checks(dir, Map.of("header_checks", "fail:broken")),
                "Subject: a\nSubject: b\n\nbody");
        assertThat(r.events()).singleElement().asString().startsWith("lookup failed header_checks: ");
        assertThat(r.outcome().reply()).isEqualTo(SmtpReply.of(451, "4.3.5", "Server configuration error"));
        assertThat(r.outcome().replyOrigin()).isEqualTo(Origin.builtin("cleanup"));
        assertThat(r.output()).containsExactly("Subject: a", "Subject: b", "", "body");
    }

    @Test
    void strictMimeParametersRejectImproperEightBitData() throws ConfigException {
        List<String> message = ChecksFixtures.lines("utf8-headers.eml");
        assertThat(ChecksFixtures.run(ChecksFixtures.checks(dir, Map.of()), message).outcome().refused()).isFalse();
        ChecksFixtures.Run r = ChecksFixtures.run(ChecksFixtures.checks(dir, Map.of("strict_7bit_headers", "yes")),
                message);
        assertThat(r.events()).containsExactly(
                "mime-error EIGHT_BIT_IN_HEADER: From: J\u00f6rg M\u00fcller <joerg@sender.test>");
        assertThat(r.outcome().reply()).hasToString("550 5.6.0 improper use of 8-bit data in message header");
        // An earlier REJECT keeps its own reply.
        ChecksFixtures.write(dir, "h", "/^From:/ REJECT first\n");
        ChecksFixtures.Run both = ChecksFixtures.run(ChecksFixtures.checks(dir, Map.of("strict_8bitmime", "yes",
                "header_checks", "regexp:h")), message);
        assertThat(both.outcome().reply()).hasToString("550 5.7.1 first");
        ChecksFixtures.Run disabled = ChecksFixtures.run(ChecksFixtures.checks(dir, Map.of("strict_8bitmime", "yes",
                "disable_mime_input_processing", "yes")), message);
        assertThat(disabled.outcome().refused()).isFalse();
    }

    @Test
    void theShippedDefaultTablesWork() throws ConfigException {
        Config config = Config.load(Path.of("defaults").toAbsolutePath());
        ContentChecks defaults = ContentChecks.from(config, new Tables(config.configDir()));
        ChecksFixtures.Run exe = ChecksFixtures.run(defaults, ChecksFixtures.lines("multipart-rfc822.eml"));
        assertThat(exe.matches()).singleElement().satisfies(m -> {
            assertThat(m.checks()).isEqualTo("mime_header_checks");
            assertThat(m.origin().file()).endsWith("mime_header_checks");
        });
        assertThat(exe.outcome().reply())
                .isEqualTo(SmtpReply.of(550, "5.7.1", "Executable attachments are not accepted here (.exe)"));
        ChecksFixtures.Run gtube = ChecksFixtures.run(defaults, "X-Postern-Release: forged\nSubject: t\n\n"
                + "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X\n");
        assertThat(gtube.output()).doesNotContain("X-Postern-Release: forged").contains("Subject: t");
        assertThat(gtube.outcome().reply()).hasToString("550 5.7.1 GTUBE test message refused by body_checks");
    }

    @Test
    void noneInspectsNothing() {
        ContentChecks none = ContentChecks.none();
        assertThat(none.isEmpty()).isTrue();
        ChecksFixtures.Run r = ChecksFixtures.run(none, ChecksFixtures.lines("multipart-rfc822.eml"));
        assertThat(r.output()).isEqualTo(ChecksFixtures.lines("multipart-rfc822.eml"));
        assertThat(r.outcome()).isEqualTo(CheckOutcome.NONE);
    }

    // Found by ContentChecksFuzzTest: the errors of a table named twice were merged in quadratic time.
    @Test
    void aTableWithTensOfThousandsOfBadLinesIsRefusedQuickly() {
        ChecksFixtures.write(dir, "huge", "if 10.0.0.0/8\n".repeat(40_000));
        ConfigException e = assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> {
            try {
                ChecksFixtures.checks(dir, Map.of("header_checks", "pcre:huge", "mime_header_checks", "pcre:huge"));
            } catch (ConfigException expected) {
                return expected;
            }
            throw new AssertionError("expected a ConfigException");
        });
        assertThat(e.errors()).hasSize(40_000); // once each, though named by two parameters
        assertThat(e.errors().get(0).toString()).startsWith(dir.resolve("huge") + ":1: error: pcre table: ");
    }

    @Test
    void tablesThatCannotBeOpenedAreLoadErrors() {
        ChecksFixtures.write(dir, "bad", "/^Subject: ok/ INFO fine\n/unclosed INFO oops\n");
        assertThatThrownBy(() -> ChecksFixtures.checks(dir, Map.of("header_checks", "regexp:missing",
                "body_checks", "regexp:bad")))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).hasSize(2))
                .hasMessageContaining("regexp:missing: cannot open " + dir.resolve("missing"))
                .hasMessageContaining(dir.resolve("bad") + ":2: ");
    }
}
