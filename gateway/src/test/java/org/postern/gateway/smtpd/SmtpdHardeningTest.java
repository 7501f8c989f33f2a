package org.postern.gateway.smtpd;

import org.postern.testkit.Await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.gateway.GatewayHarness;
import org.postern.gateway.queue.QueueFile;
import org.postern.testkit.RawSmtpClient;
import org.postern.testkit.RawSmtpClient.Reply;

/** Each hardening rule of the front smtpd, over a raw socket against a real started gateway. */
class SmtpdHardeningTest {
    @TempDir Path dir;
    GatewayHarness gw;

    @BeforeEach
    void start() throws Exception {
        gw = GatewayHarness.start(dir, "message_size_limit = 100000\nsmtpd_recipient_limit = 3\n"
                + "smtpd_hard_error_limit = 5\nsmtpd_soft_error_limit = 3\nsmtpd_timeout = 2s\n");
    }

    @AfterEach
    void stop() throws Exception {
        gw.close();
    }

    private RawSmtpClient connect() throws Exception {
        return gw.connectGreeted();
    }

    private RawSmtpClient inTransaction() throws Exception {
        RawSmtpClient c = connect();
        assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
        assertThat(c.command("MAIL FROM:<a@sender.test>").code()).isEqualTo(250);
        assertThat(c.command("RCPT TO:<user@example.test>").code()).isEqualTo(250);
        return c;
    }

    @Test
    void acceptsAMessageAndQueuesItDurably() throws Exception {
        try (RawSmtpClient c = inTransaction()) {
            assertThat(c.command("DATA").code()).isEqualTo(354);
            c.send("Subject: hi\r\n\r\n..dot\r\nbody\r\n.\r\n");
            Reply r = c.readReply();
            assertThat(r.code()).isEqualTo(250);
            assertThat(r.text()).startsWith("2.0.0 Ok: queued as ");
            List<QueueFile> q = gw.incomingMessages();
            assertThat(q).hasSize(1);
            assertThat(r.text()).endsWith(q.get(0).envelope().queueId().value());
            String content = GatewayHarness.content(q.get(0));
            assertThat(content).startsWith("Received: from client.test (localhost [127.0.0.1])\r\n");
            assertThat(content).endsWith("Subject: hi\r\n\r\n.dot\r\nbody\r\n");
            assertThat(q.get(0).envelope().sender()).isEqualTo("a@sender.test");
        }
    }

    @Test
    void commandOver512OctetsIsRefused() throws Exception {
        try (RawSmtpClient c = connect()) {
            Reply r = c.command("NOOP " + "x".repeat(600));
            assertThat(r.code()).isEqualTo(500);
            assertThat(r.text()).contains("line too long");
            assertThat(c.command("NOOP").code()).isEqualTo(250); // session goes on, in sync
        }
    }

    @Test
    void bareLfInDataRejectsTheMessageAndSmugglingFindsNoSecondMessage() throws Exception {
        try (RawSmtpClient c = inTransaction()) {
            assertThat(c.command("DATA").code()).isEqualTo(354);
            c.send("Subject: one\r\n\r\nbody\n.\nMAIL FROM:<evil@x.test>\r\nRCPT TO:<victim@example.test>\r\n"
                    + "DATA\r\nSubject: smuggled\r\n\r\nx\r\n.\r\n");
            Reply r = c.readReply();
            assertThat(r.code()).isEqualTo(550);
            assertThat(r.text()).contains("bare <LF>");
            assertThat(c.command("NOOP").code()).isEqualTo(250);
        }
        assertThat(gw.incomingFiles()).isEmpty();
    }

    @Test
    void bareCrInDataIsRejected() throws Exception {
        try (RawSmtpClient c = inTransaction()) {
            assertThat(c.command("DATA").code()).isEqualTo(354);
            c.send("Subject: one\r\n\r\nbody\r.\r\n.\r\n");
            assertThat(c.readReply().text()).contains("bare <CR>");
        }
        assertThat(gw.incomingFiles()).isEmpty();
    }

    @Test
    void bareLfCommandDisconnects() throws Exception {
        try (RawSmtpClient c = connect()) {
            c.send("EHLO x\n");
            Reply r = c.readReply();
            assertThat(r.code()).isEqualTo(521);
            assertThat(c.awaitClose(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void longDataLineIsAcceptedAndStoredWhole() throws Exception {
        // Postfix takes lines over line_length_limit (it chops them into records and joins them on delivery)
        String line = "y".repeat(50_000);
        try (RawSmtpClient c = inTransaction()) {
            assertThat(c.command("DATA").code()).isEqualTo(354);
            c.send("Subject: x\r\n\r\n" + line + "\r\n.\r\n");
            assertThat(c.readReply().code()).isEqualTo(250);
        }
        assertThat(GatewayHarness.content(gw.incomingMessages().get(0))).endsWith("\r\n\r\n" + line + "\r\n");
    }

    @Test
    void headerSectionOverLimitIsRefused() throws Exception {
        try (RawSmtpClient c = inTransaction()) {
            assertThat(c.command("DATA").code()).isEqualTo(354);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 1200; i++) sb.append("X-H").append(i).append(": ").append("v".repeat(80)).append("\r\n");
            c.send(sb + "\r\nbody\r\n.\r\n");
            assertThat(c.readReply().text()).contains("header section exceeds 102400");
        }
    }

    @Test
    void clientTalkingBeforeTheBannerIsRejected(@TempDir Path other) throws Exception {
        try (GatewayHarness slow = GatewayHarness.start(other, "smtpd_pregreet_wait = 1s\n")) {
            try (RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", slow.port, Duration.ofSeconds(10))) {
                c.send("EHLO eager.test\r\n");
                Reply r = c.readReply();
                assertThat(r.code()).isEqualTo(554);
                assertThat(r.text()).contains("talking before the greeting");
                assertThat(c.awaitClose(Duration.ofSeconds(5))).isTrue();
            }
        }
    }

    @Test
    void nulInCommandIsRefusedNotCut() throws Exception {
        try (RawSmtpClient c = connect()) {
            c.send("MAIL FROM:<a@sender.test>\0 SIZE=1\r\n".getBytes(StandardCharsets.ISO_8859_1));
            Reply r = c.readReply();
            assertThat(r.code()).isEqualTo(500);
            assertThat(r.text()).contains("NUL");
            assertThat(c.command("RCPT TO:<user@example.test>").code()).isEqualTo(503); // no MAIL was taken
        }
    }

    @Test
    void wrongSequenceIs503() throws Exception {
        try (RawSmtpClient c = connect()) {
            assertThat(c.command("RCPT TO:<user@example.test>").code()).isEqualTo(503);
            assertThat(c.command("DATA").code()).isEqualTo(503);
            assertThat(c.command("MAIL FROM:<a@b.test>").code()).isEqualTo(250);
            assertThat(c.command("MAIL FROM:<a@b.test>").code()).isEqualTo(503);
        }
    }

    @Test
    void tooManyErrorsGives421AndDisconnect() throws Exception {
        try (RawSmtpClient c = connect()) {
            for (int i = 0; i < 4; i++) assertThat(c.command("BOGUS").code()).isEqualTo(502);
            c.sendLine("BOGUS");
            assertThat(c.readReply().code()).isEqualTo(502);
            Reply r = c.readReply();
            assertThat(r.code()).isEqualTo(421);
            assertThat(r.text()).contains("too many errors");
            assertThat(c.awaitClose(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void idleTimeout() throws Exception {
        try (RawSmtpClient c = connect()) {
            Reply r = c.readReply(Duration.ofSeconds(10));
            assertThat(r.code()).isEqualTo(421);
            assertThat(r.text()).contains("timeout exceeded");
            assertThat(c.awaitClose(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void recipientLimit() throws Exception {
        try (RawSmtpClient c = connect()) {
            c.command("MAIL FROM:<a@sender.test>");
            for (int i = 0; i < 3; i++) assertThat(c.command("RCPT TO:<u" + i + "@example.test>").code()).isEqualTo(250);
            Reply r = c.command("RCPT TO:<u9@example.test>");
            assertThat(r.code()).isEqualTo(452);
            assertThat(r.text()).isEqualTo("4.5.3 Error: too many recipients");
        }
    }

    @Test
    void bdatRefusedWith421EndsTheSession(@TempDir Path other) throws Exception {
        try (GatewayHarness gw421 = GatewayHarness.start(other,
                "smtpd_data_restrictions = check_client_access inline:{ { 127.0.0.1 = 421 4.7.0 go away } }\n");
             RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", gw421.port, Duration.ofSeconds(10))) {
            c.readReply();
            c.command("EHLO client.test");
            c.command("MAIL FROM:<a@sender.test>");
            assertThat(c.command("RCPT TO:<u@example.test>").code()).isEqualTo(250);
            c.send("BDAT 5 LAST\r\nhello");
            assertThat(c.readReply().code()).isEqualTo(421);
            assertThat(c.awaitClose(Duration.ofSeconds(5))).as("closed after the 421, as after DATA").isTrue();
        }
    }

    @Test
    void recipientLimitZeroMeansNoLimit(@TempDir Path other) throws Exception {
        try (GatewayHarness unlimited = GatewayHarness.start(other, "smtpd_recipient_limit = 0\n");
             RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", unlimited.port, Duration.ofSeconds(10))) {
            c.readReply();
            c.command("EHLO client.test");
            c.command("MAIL FROM:<a@sender.test>");
            for (int i = 0; i < 5; i++) assertThat(c.command("RCPT TO:<u" + i + "@example.test>").code()).isEqualTo(250);
        }
    }

    @Test
    void sizeLimitOnDeclaredAndOnActualBytes() throws Exception {
        try (RawSmtpClient c = connect()) {
            c.command("EHLO x");
            assertThat(c.command("MAIL FROM:<a@sender.test> SIZE=100001").code()).isEqualTo(552);
            assertThat(c.command("MAIL FROM:<a@sender.test> SIZE=100").code()).isEqualTo(250);
            c.command("RCPT TO:<user@example.test>");
            assertThat(c.command("DATA").code()).isEqualTo(354);
            String line = "z".repeat(998) + "\r\n";
            c.send("Subject: big\r\n\r\n" + line.repeat(150) + ".\r\n");
            Reply r = c.readReply();
            assertThat(r.code()).isEqualTo(552);
            assertThat(r.text()).isEqualTo("5.3.4 Error: message file too big");
        }
        assertThat(gw.incomingFiles()).isEmpty();
    }

    @Test
    void disconnectMidDataLeavesNothing() throws Exception {
        try (RawSmtpClient c = inTransaction()) {
            assertThat(c.command("DATA").code()).isEqualTo(354);
            c.send("Subject: cut\r\n\r\n" + "partial line\r\n".repeat(10_000));
        }
        Await.until("the aborted message's temporary file to go", Duration.ofSeconds(5),
                () -> gw.incomingFiles().isEmpty());
        assertThat(gw.incomingFiles()).isEmpty();
    }

    /**
     * DATA (or BDAT) then gone at once: the session ends while its queue file is still being created on a
     * worker. The file must go too -- else every such client leaves a temporary file and an open descriptor.
     */
    @Test
    void disconnectRightAfterDataLeavesNothing() throws Exception {
        for (int i = 0; i < 20; i++) {
            try (RawSmtpClient c = inTransaction()) {
                c.send(i % 2 == 0 ? "DATA\r\n" : "BDAT 10 LAST\r\n");
            }
        }
        Await.until("no temporary file left", Duration.ofSeconds(5), () -> gw.incomingFiles().isEmpty());
    }

    @Test
    void connectionCountLimitPerClientOutsideMynetworks(@TempDir Path other) throws Exception {
        try (GatewayHarness limited = GatewayHarness.start(other, "smtpd_client_connection_count_limit = 2\n");
             RawSmtpClient a = RawSmtpClient.connect("127.0.0.1", limited.port, Duration.ofSeconds(10), "127.0.0.2");
             RawSmtpClient b = RawSmtpClient.connect("127.0.0.1", limited.port, Duration.ofSeconds(10), "127.0.0.2")) {
            assertThat(a.readReply().code()).isEqualTo(220);
            assertThat(b.readReply().code()).isEqualTo(220);
            try (RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", limited.port, Duration.ofSeconds(10), "127.0.0.2")) {
                Reply r = c.readReply();
                assertThat(r.code()).isEqualTo(421);
                assertThat(r.text()).contains("too many connections from 127.0.0.2");
            }
            try (RawSmtpClient trusted = RawSmtpClient.connect("127.0.0.1", limited.port, Duration.ofSeconds(10))) {
                assertThat(trusted.readReply().code()).isEqualTo(220); // mynetworks is exempt
            }
            a.command("QUIT");
            a.awaitClose(Duration.ofSeconds(5));
            // a slot is free again once the server has noticed the close
            Await.until("a connection slot for 127.0.0.2", Duration.ofSeconds(5), () -> {
                try (RawSmtpClient d = RawSmtpClient.connect("127.0.0.1", limited.port, Duration.ofSeconds(10), "127.0.0.2")) {
                    return d.readReply().code() == 220;
                }
            });
        }
    }

    @Test
    void maxprocLimitsTheSessionsOfAService_mynetworksIncluded(@TempDir Path other) throws Exception {
        try (GatewayHarness limited = GatewayHarness.start(other, "default_process_limit = 2\n");
             RawSmtpClient a = RawSmtpClient.connect("127.0.0.1", limited.port, Duration.ofSeconds(10));
             RawSmtpClient b = RawSmtpClient.connect("127.0.0.1", limited.port, Duration.ofSeconds(10))) {
            assertThat(a.readReply().code()).isEqualTo(220);
            assertThat(b.readReply().code()).isEqualTo(220);
            try (RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", limited.port, Duration.ofSeconds(10))) {
                Reply r = c.readReply();
                assertThat(r.code()).isEqualTo(421);
                assertThat(r.text()).startsWith("4.3.2 ").contains("too many sessions");
                assertThat(c.awaitClose(Duration.ofSeconds(5))).isTrue();
            }
            a.command("QUIT");
            a.awaitClose(Duration.ofSeconds(5));
            Await.until("a session slot", Duration.ofSeconds(5), () -> {
                try (RawSmtpClient d = RawSmtpClient.connect("127.0.0.1", limited.port, Duration.ofSeconds(10))) {
                    return d.readReply().code() == 220;
                }
            });
        }
    }

    /**
     * A slow-drip client: sends {@code text} a byte at a time, after each byte awaiting the server's reply
     * for up to 300 ms; returns the first reply, or null when the server said nothing to the end.
     */
    private static Reply drip(RawSmtpClient c, String text) throws Exception {
        for (char ch : text.toCharArray()) {
            c.send(String.valueOf(ch));
            try {
                return c.readReply(Duration.ofMillis(300));
            } catch (java.net.SocketTimeoutException quiet) {
                // no reply yet: the next byte
            }
        }
        return null;
    }

    @Test
    void aClientDrippingBytesIsCutOffWhenALineTakesLongerThanSmtpdTimeout(@TempDir Path other) throws Exception {
        try (GatewayHarness slow = GatewayHarness.start(other, "smtpd_timeout = 3s\n");
             RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", slow.port, Duration.ofSeconds(10))) {
            assertThat(c.readReply().code()).isEqualTo(220);
            long t0 = System.nanoTime();
            // 22 bytes over 6.6 s: every read comes in time, the line does not (its deadline ends at 3 s)
            Reply r = drip(c, "EHLO slow.client.test\r\n");
            assertThat(r).as("the server's answer while the client still drips").isNotNull();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(4500));
            assertThat(r.code()).isEqualTo(421);
            assertThat(r.text()).endsWith(" Error: timeout exceeded");
            assertThat(c.awaitClose(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void withoutPerRecordDeadlineEachReadRestartsTheTimeout_asPostfixByDefault(@TempDir Path other) throws Exception {
        try (GatewayHarness slow = GatewayHarness.start(other, "smtpd_timeout = 2s\nsmtpd_per_request_deadline = no\n");
             RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", slow.port, Duration.ofSeconds(10))) {
            assertThat(c.readReply().code()).isEqualTo(220);
            Reply r = drip(c, "EHLO a.test\r\n"); // 3.9 s for the line, never 2 s without a byte
            assertThat(r).as("an answer only to the whole line").isNotNull();
            assertThat(r.code()).isEqualTo(250);
        }
    }

    @Test
    void forbiddenHttpCommandIsDropped() throws Exception {
        try (RawSmtpClient c = connect()) {
            c.sendLine("GET / HTTP/1.1");
            assertThat(c.readReply().code()).isEqualTo(221);
            assertThat(c.awaitClose(Duration.ofSeconds(5))).isTrue();
        }
    }
}
