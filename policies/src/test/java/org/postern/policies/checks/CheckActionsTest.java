// CheckActionsTest: every header_checks(5) action as Postfix 3.7's cleanup applies it -- the man
// page examples, REJECT texts and status codes, what stops inspection, HOLD/FILTER/REDIRECT/BCC
// bookkeeping, IGNORE/STRIP/PREPEND/REPLACE edits of the output, and the warnings for bad results.
package org.postern.policies.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.Origin;
import org.postern.core.SmtpReply;
import org.postern.policies.conf.ConfigException;

class CheckActionsTest {
    private static final String RULES = """
            /^Subject: reject-default/ REJECT
            /^Subject: reject-text/ REJECT Go away
            /^Subject: reject-4/ REJECT 4.7.1 Try later
            /^Subject: reject-2/ REJECT 2.0.0 Nonsense
            /^Subject: discard/ DISCARD discarded it
            /^Subject: hold/ HOLD held it
            /^X-Hold/ HOLD second hold
            /^Subject: warn/ WARN watch out
            /^Subject: info/ info for the record
            /^X-Ignore:/ IGNORE
            /^X-Strip:/ STRIP stripped
            /^X-Prepend: (.*)/ PREPEND X-Prepended: $1
            /^X-Bad-Prepend/ PREPEND not a header
            /^X-Replace: (.*)/ REPLACE X-Replaced: $1
            /^X-Redirect/ REDIRECT other@example.test
            /^X-Bad-Redirect/ REDIRECT nobody
            /^X-Filter: (.*)/ FILTER $1
            /^X-Bad-Filter/ FILTER nocolon
            /^X-Bcc: (.*)/ BCC $1
            /^X-Dunno/ DUNNO
            /^X-Ok/ OK
            /^X-Pass/ PASS trusted
            /^X-Unknown/ FROBNICATE now
            /^body-prepend/ PREPEND added before
            /^body-replace/ REPLACE replaced body line
            /^body-ignore/ IGNORE
            """;

    @TempDir
    Path dir;
    private ContentChecks checks;

    @BeforeEach
    void setUp() throws ConfigException {
        ChecksFixtures.write(dir, "checks", RULES);
        checks = ChecksFixtures.checks(dir, Map.of("header_checks", "regexp:checks", "body_checks", "regexp:checks"));
    }

    private ChecksFixtures.Run run(String message) {
        return ChecksFixtures.run(checks, message);
    }

    private Origin rule(int line) {
        return new Origin(dir.resolve("checks").toString(), line);
    }

    @Test
    void manPageAttachmentExample() throws IOException, ConfigException {
        ChecksFixtures.write(dir, "header_checks.pcre", """
                /^Content-(Disposition|Type).*name\\s*=\\s*"?([^;]*(\\.|=2E)(
                  ade|adp|asp|bas|bat|chm|cmd|com|cpl|crt|dll|exe|
                  hlp|ht[at]|
                  inf|ins|isp|jse?|lnk|md[betw]|ms[cipt]|nws|
                  \\{[[:xdigit:]]{8}(?:-[[:xdigit:]]{4}){3}-[[:xdigit:]]{12}\\}|
                  ops|pcd|pif|prf|reg|sc[frt]|sh[bsm]|swf|
                  vb[esx]?|vxd|ws[cfh]))(\\?=)?"?\\s*(;|$)/x
                    REJECT Attachment name "$2" may not end with ".$4"
                """);
        ContentChecks pcre = ChecksFixtures.checks(dir, Map.of("header_checks", "pcre:header_checks.pcre"));
        ChecksFixtures.Run r = ChecksFixtures.run(pcre, ChecksFixtures.lines("multipart-rfc822.eml"));
        // The Content-Type of the part matches first; REJECT ends the inspection (Content-Disposition).
        assertThat(r.matches()).singleElement().satisfies(m -> {
            assertThat(m.checks()).isEqualTo("mime_header_checks");
            assertThat(m.input()).isEqualTo("Content-Type: application/octet-stream; name=\"invoice.pdf.exe\"");
            assertThat(m.origin()).isEqualTo(new Origin(dir.resolve("header_checks.pcre").toString(), 1));
        });
        assertThat(r.outcome().reply()).isEqualTo(
                SmtpReply.of(550, "5.7.1", "Attachment name \"invoice.pdf.exe\" may not end with \".exe\""));
        assertThat(r.outcome().replyOrigin()).isEqualTo(r.matches().get(0).origin());
    }

    @Test
    void manPageBodyExample() throws ConfigException {
        ChecksFixtures.write(dir, "body_checks", """
                /^<iframe src=(3D)?cid:.* height=(3D)?0 width=(3D)?0>$/
                    REJECT IFRAME vulnerability exploit
                """);
        ContentChecks body = ChecksFixtures.checks(dir, Map.of("body_checks", "regexp:body_checks"));
        ChecksFixtures.Run r = ChecksFixtures.run(body, ChecksFixtures.lines("multipart-rfc822.eml"));
        assertThat(r.matches()).extracting(CheckResult::where, CheckResult::input)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(CheckResult.Where.BODY,
                        "<iframe src=3Dcid:evil height=3D0 width=3D0>"));
        assertThat(r.outcome().reply()).hasToString("550 5.7.1 IFRAME vulnerability exploit");
        // Refused mail is still written out in full (the cleanup drops the queue file at the end).
        assertThat(r.output()).isEqualTo(ChecksFixtures.lines("multipart-rfc822.eml"));
    }

    @Test
    void rejectTextsAndStatusCodes() {
        assertThat(run("Subject: reject-default\n\nx").outcome().reply())
                .isEqualTo(SmtpReply.of(550, "5.7.1", "message content rejected"));
        ChecksFixtures.Run text = run("Subject: reject-text\n\nx");
        assertThat(text.outcome().reply()).isEqualTo(SmtpReply.of(550, "5.7.1", "Go away"));
        assertThat(text.matches().get(0).text()).isEqualTo("5.7.1 Go away");
        assertThat(text.outcome().replyOrigin()).isEqualTo(rule(2));
        assertThat(run("Subject: reject-4\n\nx").outcome().reply()).isEqualTo(SmtpReply.of(451, "4.7.1", "Try later"));
        ChecksFixtures.Run two = run("Subject: reject-2\n\nx");
        assertThat(two.outcome().reply()).isEqualTo(SmtpReply.of(451, "4.0.0", "Nonsense"));
        assertThat(two.matches().get(0).problem())
                .isEqualTo(rule(4) + ": bad DSN action in 2.0.0 Nonsense -- need 4.x.x or 5.x.x");
    }

    // Found by ContentChecksFuzzTest: a CR copied by $1 made SmtpReply throw while the message streamed in.
    @Test
    void rejectTextFromTheMessageIsOneReplyLineOfAtMost512Octets() throws ConfigException {
        ChecksFixtures.write(dir, "copy", "/^Subject: (.*)/ REJECT 5.7.1 no <$1>\n");
        ContentChecks copy = ChecksFixtures.checks(dir, Map.of("header_checks", "pcre:copy"));
        ChecksFixtures.Run cr = ChecksFixtures.run(copy, List.of("Subject: a\rb", " folded\tc", "", "x"));
        assertThat(cr.outcome().reply()).isEqualTo(SmtpReply.of(550, "5.7.1", "no <a b  folded c>"));
        assertThat(cr.matches().get(0).text()).isEqualTo("5.7.1 no <a b  folded c>");
        ChecksFixtures.Run longer = ChecksFixtures.run(copy, List.of("Subject: " + "\u00e9".repeat(1000), "", "x"));
        String wire = longer.outcome().reply().render();
        assertThat(wire.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSize(512);
        assertThat(wire).startsWith("550 5.7.1 no <\u00e9\u00e9").endsWith("\u00e9\r\n");
    }

    @Test
    void rejectDiscardRedirectAndPassEndTheInspection() {
        for (String first : List.of("Subject: reject-text", "Subject: discard", "X-Redirect: x", "X-Pass: x")) {
            ChecksFixtures.Run r = run(first + "\nX-Ignore: kept now\nSubject: hold\n\nbody-ignore");
            assertThat(r.matches()).as(first).hasSize(1);
            assertThat(r.output()).as(first).containsExactly(first, "X-Ignore: kept now", "Subject: hold", "",
                    "body-ignore");
            assertThat(r.outcome().hold()).isNull();
        }
        assertThat(run("Subject: discard\n\nx").outcome().discarded()).isTrue();
        assertThat(run("X-Redirect: x\n\nx").outcome().redirectAddress()).isEqualTo("other@example.test");
        assertThat(run("X-Pass: x").matches()).extracting(CheckResult::action, CheckResult::logged)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(CheckAction.PASS, true));
    }

    @Test
    void holdOnceAndLoggedOnce() {
        ChecksFixtures.Run r = run("Subject: hold\nX-Hold: again\nSubject: warn\n\nx");
        assertThat(r.matches()).extracting(CheckResult::action, CheckResult::logged).containsExactly(
                org.assertj.core.groups.Tuple.tuple(CheckAction.HOLD, true),
                org.assertj.core.groups.Tuple.tuple(CheckAction.HOLD, false),
                org.assertj.core.groups.Tuple.tuple(CheckAction.WARN, true));
        assertThat(r.outcome().held()).isTrue();
        assertThat(r.outcome().hold().text()).isEqualTo("held it");
        assertThat(r.outcome().refused()).isFalse();
    }

    @Test
    void warnInfoDunnoAndOkChangeNothing() {
        String message = "Subject: warn\nSubject: info\nX-Dunno: 1\nX-Ok: 2\n\nbody";
        ChecksFixtures.Run r = run(message);
        assertThat(r.actions()).containsExactly("WARN watch out", "INFO for the record", "DUNNO", "OK");
        assertThat(r.matches()).extracting(CheckResult::logged).containsExactly(true, true, false, false);
        assertThat(r.output()).isEqualTo(ChecksFixtures.split(message));
        assertThat(r.outcome()).isEqualTo(CheckOutcome.NONE);
    }

    @Test
    void ignoreStripPrependAndReplaceEditTheHeaders() {
        ChecksFixtures.Run r = run("""
                From: a@b
                X-Ignore: folded
                 continuation goes too
                X-Strip: s
                X-Prepend: p
                X-Replace: old
                \tfolded old
                To: c@d

                body""");
        assertThat(r.output()).containsExactly("From: a@b", "X-Prepended: p", "X-Prepend: p",
                "X-Replaced: old", "\tfolded old", "To: c@d", "", "body");
        assertThat(r.matches()).extracting(CheckResult::action, CheckResult::logged).containsExactly(
                org.assertj.core.groups.Tuple.tuple(CheckAction.IGNORE, false),
                org.assertj.core.groups.Tuple.tuple(CheckAction.STRIP, true),
                org.assertj.core.groups.Tuple.tuple(CheckAction.PREPEND, true),
                org.assertj.core.groups.Tuple.tuple(CheckAction.REPLACE, true));
    }

    @Test
    void bodyLinesAreEditedAsPostfixDoes() {
        ChecksFixtures.Run r = run("Subject: s\n\nbody-prepend 1\nbody-replace 2\nbody-ignore 3\nkept 4");
        assertThat(r.output()).containsExactly("Subject: s", "", "added before", "body-prepend 1",
                "replaced body line", "kept 4");
        assertThat(r.matches()).extracting(CheckResult::where).containsOnly(CheckResult.Where.BODY);
    }

    @Test
    void filterRedirectAndBccAreRecorded() {
        ChecksFixtures.Run r = run("X-Filter: scan:[127.0.0.1]:10025\nX-Filter: other:[::1]:10026\n"
                + "X-Bcc: archive@example.test\nX-Bcc: ARCHIVE@example.test\nX-Bcc: archive@example.test\n\nx");
        assertThat(r.outcome().filterNexthop()).isEqualTo("other:[::1]:10026");
        assertThat(r.outcome().bcc()).containsExactly("archive@example.test", "ARCHIVE@example.test");
        ChecksFixtures.Run redirected = run("X-Filter: scan:[127.0.0.1]:10025\nX-Redirect: r\n\nx");
        assertThat(redirected.outcome().filterNexthop()).isNull();
        assertThat(redirected.outcome().redirectAddress()).isEqualTo("other@example.test");
    }

    @Test
    void unusableResultsAreWarningsAndChangeNothing() {
        String message = "X-Bad-Prepend: 1\nX-Bad-Redirect: 2\nX-Bad-Filter: 3\nX-Unknown: 4\nX-Bcc: nobody\n\nx";
        ChecksFixtures.Run r = run(message);
        assertThat(r.matches()).extracting(CheckResult::problem).containsExactly(
                rule(13) + ": bad PREPEND header text \"not a header\" in header_checks map"
                        + " -- need \"headername: headervalue\"",
                rule(16) + ": bad REDIRECT target \"nobody\" in header_checks map -- need user@domain",
                rule(18) + ": bad FILTER command nocolon in header_checks -- need transport:destination",
                rule(23) + ": unknown command in header_checks map: FROBNICATE now",
                rule(19) + ": bad BCC address \"nobody\" in header_checks map -- need user@domain");
        assertThat(r.matches()).allSatisfy(m -> {
            assertThat(m.action()).isEqualTo(CheckAction.DUNNO);
            assertThat(m.logged()).isFalse();
        });
        assertThat(r.output()).isEqualTo(ChecksFixtures.split(message));
        assertThat(r.outcome()).isEqualTo(CheckOutcome.NONE);
    }

    @Test
    void actionWordsAreCaseInsensitiveAndTextIsOptional() {
        CheckAction.Parsed p = CheckAction.parse("reject\t  text with  spaces");
        assertThat(p.action()).isEqualTo(CheckAction.REJECT);
        assertThat(p.text()).isEqualTo("text with  spaces");
        assertThat(CheckAction.parse("Dunno").action()).isEqualTo(CheckAction.DUNNO);
        assertThat(CheckAction.parse("550 go away").action()).isNull();
        assertThat(CheckAction.parse("").action()).isNull();
    }
}
