// PythonSmtpIT: the PythonSmtp wrapper runs python3 scripts (inline and the bundled smtp_send.py)
// against smtp-sink. Integration test of testkit's PythonSmtp (needs python3 and postfix).
package org.postern.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PythonSmtpIT {
    @Test
    void runsAnInlineScriptWithArguments() {
        CommandResult r = PythonSmtp.script("import sys\nprint('args', sys.argv[1:])\nprint('stdin', sys.stdin.read())\n")
                .args("one", "zwei ü").stdin("hallo".getBytes(java.nio.charset.StandardCharsets.UTF_8)).run();
        r.requireSuccess();
        assertThat(r.stdout()).contains("args ['one', 'zwei ü']", "stdin hallo");
    }

    @Test
    void bundledSenderDeliversToTheSink() {
        try (SmtpSink sink = SmtpSink.builder().dumpMessages().start()) {
            CommandResult r = PythonSmtp.resource(PythonSmtp.SEND_SCRIPT)
                    .args("--port", Integer.toString(sink.port()), "--from", "a@sender.test",
                            "--to", "u1@example.test", "--to", "u2@example.test")
                    .stdin(Mails.eightBitUtf8()).run();
            assertThat(r.exitCode()).as(r.describe()).isZero();
            assertThat(r.stdout()).contains("EHLO 250 smtp-sink.test", "SENT 2 of 2");
            sink.awaitMessages(1, Duration.ofSeconds(10));
            SinkMessage m = sink.messages().get(0);
            assertThat(m.recipients()).containsExactly("u1@example.test", "u2@example.test");
            assertThat(m.body()).contains("Grüße aus Köln");
        }
    }

    @Test
    void bundledSenderReportsRefusalWithExitCodeTwo() {
        try (SmtpSink sink = SmtpSink.builder().args("-f", "MAIL").start()) {
            CommandResult r = PythonSmtp.resource(PythonSmtp.SEND_SCRIPT)
                    .args("--port", Integer.toString(sink.port())).stdin(Mails.plain7bit()).run();
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
            assertThat(r.stdout()).contains("SMTP-ERROR 500");
        }
    }

    @Test
    void unknownResourceIsReported() {
        assertThatThrownBy(() -> PythonSmtp.resource("nope.py")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/org/postern/testkit/python/nope.py");
    }

    @Test
    void scriptThatHangsIsKilledAtTheTimeout() {
        assertThatThrownBy(() -> PythonSmtp.script("import time\nprint('waiting', flush=True)\ntime.sleep(60)\n")
                .timeout(Duration.ofSeconds(2)).run())
                .isInstanceOf(AssertionError.class).hasMessageContaining("timed out").hasMessageContaining("waiting");
    }
}
