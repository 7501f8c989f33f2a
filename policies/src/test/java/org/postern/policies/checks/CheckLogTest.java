// CheckLogTest: the cleanup's header/body check log lines, character for character as Postfix 3.7
// writes them (cleanup_act_log, the mime-error reject, the map lookup warning), including the
// optional from=/to=/proto=/helo= parts, the 200-character cut and '?' for control characters.
package org.postern.policies.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.postern.core.ClientInfo;
import org.postern.core.Origin;
import org.postern.policies.table.TableEntry;

class CheckLogTest {
    private static final CheckLog.Context CONTEXT = new CheckLog.Context("3F2A61C0A1B", "mx.sender.test[192.0.2.10]",
            "a@sender.test", "c@example.test", "ESMTP", "mx.sender.test");

    private static CheckResult header(String input, String value) {
        return ResultParser.parse(CheckResult.Where.HEADER, "header_checks", input,
                new TableEntry(value, new Origin("/etc/postern/header_checks", 3)));
    }

    @Test
    void rejectLineAsPostfixLogsIt() {
        assertThat(CheckLog.line(header("Subject: buy now", "REJECT no thanks"), CONTEXT)).isEqualTo(
                "3F2A61C0A1B: reject: header Subject: buy now from mx.sender.test[192.0.2.10]; from=<a@sender.test>"
                        + " to=<c@example.test> proto=ESMTP helo=<mx.sender.test>: 5.7.1 no thanks");
        assertThat(CheckLog.line(header("Subject: buy now", "REJECT"), CONTEXT))
                .endsWith("helo=<mx.sender.test>: 5.7.1 message content rejected");
    }

    @Test
    void everyLoggedActionHasItsWord() {
        String tail = " from mx.sender.test[192.0.2.10]; from=<a@sender.test> to=<c@example.test> proto=ESMTP"
                + " helo=<mx.sender.test>";
        assertThat(CheckLog.line(header("X: y", "WARN look"), CONTEXT)).isEqualTo("3F2A61C0A1B: warning: header X: y"
                + tail + ": look");
        assertThat(CheckLog.line(header("X: y", "WARN"), CONTEXT))
                .isEqualTo("3F2A61C0A1B: warning: header X: y" + tail);
        assertThat(CheckLog.line(header("X: y", "INFO i"), CONTEXT)).startsWith("3F2A61C0A1B: info: header X: y");
        assertThat(CheckLog.line(header("X: y", "HOLD h"), CONTEXT)).startsWith("3F2A61C0A1B: hold: header X: y");
        assertThat(CheckLog.line(header("X: y", "DISCARD"), CONTEXT)).startsWith("3F2A61C0A1B: discard: header");
        assertThat(CheckLog.line(header("X: y", "PREPEND A: b"), CONTEXT)).endsWith(tail + ": A: b");
        assertThat(CheckLog.line(header("X: y", "REPLACE A: b"), CONTEXT)).startsWith("3F2A61C0A1B: replace: header");
        assertThat(CheckLog.line(header("X: y", "REDIRECT r@x"), CONTEXT)).startsWith("3F2A61C0A1B: redirect: header");
        assertThat(CheckLog.line(header("X: y", "FILTER smtp:[::1]:25"), CONTEXT)).endsWith(": smtp:[::1]:25");
        assertThat(CheckLog.line(header("X: y", "BCC b@x"), CONTEXT)).startsWith("3F2A61C0A1B: bcc: header");
        assertThat(CheckLog.line(header("X: y", "STRIP"), CONTEXT)).startsWith("3F2A61C0A1B: strip: header");
        assertThat(CheckLog.line(header("X: y", "PASS"), CONTEXT)).startsWith("3F2A61C0A1B: pass: header");
        CheckResult body = ResultParser.parse(CheckResult.Where.BODY, "body_checks", "click here",
                new TableEntry("WARN w", new Origin("/etc/postern/body_checks", 1)));
        assertThat(CheckLog.line(body, CONTEXT)).startsWith("3F2A61C0A1B: warning: body click here from ");
        assertThatThrownBy(() -> CheckLog.line(header("X: y", "IGNORE"), CONTEXT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CheckLog.line(header("X: y", "DUNNO"), CONTEXT))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void missingPiecesAreLeftOutOrUnknown() {
        CheckLog.Context bare = new CheckLog.Context("ABCDEF123", null, "", null, null, null);
        assertThat(CheckLog.line(header("X: y", "INFO i"), bare)).isEqualTo(
                "ABCDEF123: info: header X: y from unknown; from=<>: i");
    }

    @Test
    void foldedAndLongHeadersAreLoggedOnOneLineAndCut() {
        String folded = "Subject: one\n\ttwo";
        assertThat(CheckLog.line(header(folded, "WARN"), CONTEXT)).startsWith("3F2A61C0A1B: warning: header"
                + " Subject: one??two from ");
        String longHeader = "Subject: " + "x".repeat(300);
        String line = CheckLog.line(header(longHeader, "WARN"), CONTEXT);
        assertThat(line).contains("header " + longHeader.substring(0, 200) + " from ")
                .doesNotContain("x".repeat(192));
        assertThat(CheckLog.line(header("Subject: Grüße", "INFO"), CONTEXT)).contains("header Subject: Grüße from");
    }

    @Test
    void contextFromTheSmtpSession() {
        ClientInfo client = new ClientInfo("unknown", "192.0.2.7", 41000, "[192.0.2.7]", "SMTP", null, null, null,
                null);
        assertThat(CheckLog.Context.of("ABCDEF123", client, "s@x", "r@y"))
                .isEqualTo(new CheckLog.Context("ABCDEF123", "unknown[192.0.2.7]", "s@x", "r@y", "SMTP",
                        "[192.0.2.7]"));
    }

    @Test
    void mimeErrorAndLookupProblemLines() {
        assertThat(CheckLog.mimeError(MimeError.EIGHT_BIT_IN_HEADER, "Subject: \u00e9\u00e9", CONTEXT)).isEqualTo(
                "3F2A61C0A1B: reject: mime-error improper use of 8-bit data in message header: Subject: \u00e9\u00e9"
                        + " from mx.sender.test[192.0.2.10]; from=<a@sender.test> to=<c@example.test>");
        assertThat(CheckLog.mimeError(MimeError.NESTING, "x".repeat(150),
                new CheckLog.Context("ABCDEF123", null, null, null, null, null)))
                .isEqualTo("ABCDEF123: reject: mime-error MIME nesting exceeds safety limit: " + "x".repeat(100)
                        + " from unknown; from=<> to=<unknown>");
        assertThat(CheckLog.lookupProblem("ABCDEF123", "body_checks"))
                .isEqualTo("ABCDEF123: body_checks map lookup problem -- message not accepted, try again later");
    }
}
