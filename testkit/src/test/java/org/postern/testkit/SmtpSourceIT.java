// SmtpSourceIT: the SmtpSource wrapper drives the real smtp-source against smtp-sink with parallel
// sessions and reports a refused connection. Integration test of testkit's SmtpSource (needs postfix).
package org.postern.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmtpSourceIT {
    @Test
    void sendsAllMessagesInParallelSessions() {
        try (SmtpSink sink = SmtpSink.builder().dumpMessages().start()) {
            CommandResult r = SmtpSource.to(sink.host(), sink.port()).sessions(4).messages(40).size(2048)
                    .from("a@sender.test").rcpt("user@example.test").subject("load").run();
            r.requireSuccess();
            sink.awaitMessages(40, Duration.ofSeconds(20));
            assertThat(sink.messageCount()).isEqualTo(40);
            SinkMessage m = sink.messages().get(0);
            assertThat(m.sender()).isEqualTo("a@sender.test");
            assertThat(m.recipients()).containsExactly("user@example.test");
            assertThat(m.header("Subject")).contains("load");
            assertThat(m.content().length).isGreaterThan(2048);
        }
    }

    @Test
    void sendsAPreformattedFileWithSeveralMessagesPerConnection(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws java.io.IOException {
        java.nio.file.Path f = tmp.resolve("m.eml");
        java.nio.file.Files.write(f, Mails.withLeadingDots());
        try (SmtpSink sink = SmtpSink.builder().dumpMessages().start()) {
            SmtpSource.to(sink.host(), sink.port()).messages(3).reuseConnections().messageFile(f).run().requireSuccess();
            sink.awaitMessages(3, Duration.ofSeconds(10));
            assertThat(sink.messages()).allSatisfy(m -> assertThat(m.body()).startsWith(".starts with a dot\n.\n..two dots\nend\n"));
        }
    }

    @Test
    void refusedConnectionIsANonZeroExit() {
        CommandResult r = SmtpSource.to("127.0.0.1", FreePort.next()).timeout(Duration.ofSeconds(20)).run();
        assertThat(r.exitCode()).as(r.describe()).isNotZero();
        assertThat(r.output()).containsIgnoringCase("connect");
    }
}
