// SwaksIT: the Swaks wrapper drives the real swaks against smtp-sink: plain, AUTH PLAIN/LOGIN,
// PIPELINING, custom 8-bit DATA, and the TLS failure exit code when STARTTLS is not offered.
// Integration test of testkit's Swaks (needs swaks and postfix).
package org.postern.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SwaksIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void sendsAMessageAndReturnsTheTranscript() {
        try (SmtpSink sink = SmtpSink.builder().dumpMessages().start()) {
            CommandResult r = Swaks.server(sink.host(), sink.port()).from("a@sender.test").to("user@example.test")
                    .helo("client.test").header("X-Test", "swaks").run();
            assertThat(r.exitCode()).as(r.describe()).isZero();
            assertThat(r.output()).contains("<-  220 smtp-sink.test", " -> MAIL FROM:<a@sender.test>", "<-  250 2.0.0 Ok");
            sink.awaitMessages(1, WAIT);
            SinkMessage m = sink.messages().get(0);
            assertThat(m.recipients()).containsExactly("user@example.test");
            assertThat(m.header("X-Test")).contains("swaks");
        }
    }

    /**
     * smtp-sink advertises AUTH PLAIN LOGIN but answers 250 instead of 235/334, so swaks reports an
     * AUTH failure (28): enough to check that the wrapper sends the right mechanism and credentials.
     */
    @Test
    void sendsAuthPlainAndLogin() {
        try (SmtpSink sink = SmtpSink.start()) {
            CommandResult plain = Swaks.server(sink.host(), sink.port()).auth("PLAIN", "alice", "secret").run();
            // base64("\0alice\0secret")
            assertThat(plain.output()).as(plain.describe()).contains(" -> AUTH PLAIN AGFsaWNlAHNlY3JldA==");
            assertThat(plain.exitCode()).as(plain.describe()).isEqualTo(28);
            CommandResult login = Swaks.server(sink.host(), sink.port()).auth("LOGIN", "alice", "secret").run();
            assertThat(login.output()).as(login.describe()).contains(" -> AUTH LOGIN");
            assertThat(login.exitCode()).as(login.describe()).isEqualTo(28);
            assertThat(sink.messageCount()).isZero();
        }
    }

    @Test
    void pipelinesAndSendsRawEightBitData() {
        try (SmtpSink sink = SmtpSink.builder().dumpMessages().start()) {
            CommandResult r = Swaks.server(sink.host(), sink.port()).pipeline().data(Mails.eightBitUtf8()).run();
            assertThat(r.exitCode()).as(r.describe()).isZero();
            assertThat(r.output()).contains("Grüße aus Köln");
            sink.awaitMessages(1, WAIT);
            assertThat(sink.messages().get(0).body()).contains("Grüße aus Köln");
        }
    }

    @Test
    void requiredTlsFailsWhenStarttlsIsNotOffered() {
        try (SmtpSink sink = SmtpSink.start()) {
            CommandResult r = Swaks.server(sink.host(), sink.port()).tls().run();
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(29);
            assertThat(sink.messageCount()).isZero();
        }
    }

    @Test
    void connectionRefusedIsExitCodeTwo() {
        CommandResult r = Swaks.server("127.0.0.1", FreePort.next()).timeout(Duration.ofSeconds(10)).run();
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
    }
}
