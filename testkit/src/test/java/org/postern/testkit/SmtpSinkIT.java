// SmtpSinkIT: the real smtp-sink starts on loopback, counts what RawSmtpClient sends, dumps and
// reads back messages with their envelope, and reports start-up failures with its output.
// Integration test of testkit's SmtpSink (needs Debian's postfix package).
package org.postern.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmtpSinkIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void countsAMessageSentWithRawClient() throws IOException {
        try (SmtpSink sink = SmtpSink.start();
             RawSmtpClient c = RawSmtpClient.connect(sink.port())) {
            assertThat(c.readReply().text()).contains("smtp-sink.test");
            assertThat(c.command("EHLO client.test").lines()).contains("PIPELINING", "8BITMIME");
            assertThat(sink.messageCount()).isZero();
            RawSmtpClient.Reply r = c.sendMessage("a@sender.test", List.of("user@example.test"), Mails.plain7bit());
            assertThat(r.code()).isEqualTo(250);
            sink.awaitMessages(1, WAIT);
            assertThat(sink.messageCount()).isEqualTo(1);
            assertThat(c.command("QUIT").code()).isEqualTo(221);
            assertThat(c.awaitClose(WAIT)).isTrue();
        }
    }

    @Test
    void dumpsMessagesWithEnvelopeAndContent() throws IOException {
        Path dir;
        try (SmtpSink sink = SmtpSink.builder().dumpMessages().start();
             RawSmtpClient c = RawSmtpClient.connect(sink.port())) {
            dir = sink.dumpDirectory();
            c.readReply();
            c.command("EHLO client.test");
            c.sendMessage("a@sender.test", List.of("u1@example.test", "u2@example.test"), Mails.withLeadingDots());
            c.sendMessage("", List.of("u3@example.test"), Mails.eightBitUtf8());
            sink.awaitMessages(2, WAIT);
            List<SinkMessage> msgs = sink.messages();
            assertThat(msgs).hasSize(2);
            SinkMessage first = msgs.stream().filter(m -> m.sender().equals("a@sender.test")).findFirst().orElseThrow();
            assertThat(first.recipients()).containsExactly("u1@example.test", "u2@example.test");
            assertThat(first.clientAddr()).isEqualTo("127.0.0.1");
            assertThat(first.heloArgs()).isEqualTo("client.test");
            assertThat(first.header("Subject")).contains("leading dots");
            // dot-stuffing undone, LF line ends, exactly the message we sent
            assertThat(first.text()).isEqualTo(new String(Mails.withLeadingDots(), StandardCharsets.US_ASCII).replace("\r\n", "\n"));
            SinkMessage second = msgs.stream().filter(m -> m.sender().isEmpty()).findFirst().orElseThrow();
            assertThat(second.body()).contains("Grüße aus Köln");
            assertThat(dir).isDirectory();
        }
        assertThat(dir).doesNotExist();   // own dump directory removed on close
    }

    @Test
    void dumpsIntoAJUnitTempDirEvenAsRoot(@TempDir Path tmp) throws IOException {
        Path dumps = tmp.resolve("dumps");
        try (SmtpSink sink = SmtpSink.builder().dumpTo(dumps).start();
             RawSmtpClient c = RawSmtpClient.connect(sink.port())) {
            c.readReply();
            c.command("HELO client.test");
            c.sendMessage("a@sender.test", List.of("user@example.test"), Mails.plain7bit());
            sink.awaitMessages(1, WAIT);
            assertThat(sink.messages()).singleElement().satisfies(m -> assertThat(m.protocol()).isEqualTo("SMTP"));
        }
        try (var files = Files.list(dumps)) {
            assertThat(files).hasSize(1);   // a given dump directory is kept
        }
    }

    @Test
    void awaitMessagesFailsWithSinkOutputWhenNothingArrives() {
        try (SmtpSink sink = SmtpSink.start()) {
            assertThatThrownBy(() -> sink.awaitMessages(1, Duration.ofMillis(300)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("got 0 of 1")
                    .hasMessageContaining("smtp-sink");
        }
    }

    @Test
    void busyFixedPortFailsWithSmtpSinksOwnMessage() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> SmtpSink.builder().port(taken.getLocalPort()).start())
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("Address already in use");
        }
    }

    @Test
    void closeStopsTheProcess() {
        SmtpSink sink = SmtpSink.start();
        ProcessHandle h = ProcessHandle.of(sink.pid()).orElseThrow();
        sink.close();
        assertThat(h.isAlive()).isFalse();
        assertThatThrownBy(() -> RawSmtpClient.connect(sink.port())).isInstanceOf(IOException.class);
    }

    @Test
    void extraArgumentsReachSmtpSink() throws IOException {
        try (SmtpSink sink = SmtpSink.builder().args("-r", "RCPT").start();
             RawSmtpClient c = RawSmtpClient.connect(sink.port())) {
            c.readReply();
            c.command("HELO client.test");
            c.command("MAIL FROM:<a@sender.test>");
            assertThat(c.command("RCPT TO:<user@example.test>").code()).isEqualTo(450);
        }
    }
}
