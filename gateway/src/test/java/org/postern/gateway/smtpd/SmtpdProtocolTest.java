package org.postern.gateway.smtpd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.Envelope;
import org.postern.core.Recipient;
import org.postern.gateway.GatewayHarness;
import org.postern.gateway.queue.QueueFile;
import org.postern.testkit.RawSmtpClient;
import org.postern.testkit.RawSmtpClient.Reply;

/** ESMTP extensions end to end: EHLO list, PIPELINING, BDAT, DSN, SMTPUTF8, graceful stop. */
class SmtpdProtocolTest {
    @TempDir Path dir;
    GatewayHarness gw;

    @BeforeEach
    void start() throws Exception {
        gw = GatewayHarness.start(dir, "smtpd_discard_ehlo_keywords = silent-discard\n");
    }

    @AfterEach
    void stop() throws Exception {
        gw.close();
    }

    private RawSmtpClient connect() throws Exception {
        return gw.connectGreeted();
    }

    @Test
    void ehloListsTheExtensionsInPostfixOrder() throws Exception {
        try (RawSmtpClient c = connect()) {
            Reply r = c.command("EHLO client.test");
            assertThat(r.lines()).containsExactly("mx.postern.test", "PIPELINING", "SIZE 10240000",
                    "ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING");
        }
    }

    @Test
    void pipelinedTransactionGetsRepliesInOrder() throws Exception {
        // from 127.0.0.2: outside mynetworks, so the relay recipient is refused mid-pipeline
        try (RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", gw.port, Duration.ofSeconds(10), "127.0.0.2")) {
            assertThat(c.readReply().code()).isEqualTo(220);
            c.command("EHLO client.test");
            c.send("MAIL FROM:<a@sender.test>\r\nRCPT TO:<u1@example.test>\r\nRCPT TO:<x@elsewhere.test>\r\n"
                    + "RCPT TO:<u2@example.test>\r\nDATA\r\n");
            assertThat(c.readReply().code()).isEqualTo(250);
            assertThat(c.readReply().code()).isEqualTo(250);
            assertThat(c.readReply().code()).isEqualTo(554);
            assertThat(c.readReply().code()).isEqualTo(250);
            assertThat(c.readReply().code()).isEqualTo(354);
            c.send("Subject: p\r\n\r\nx\r\n.\r\nQUIT\r\n");
            assertThat(c.readReply().code()).isEqualTo(250);
            assertThat(c.readReply().code()).isEqualTo(221);
        }
        Envelope env = gw.incomingMessages().get(0).envelope();
        assertThat(env.recipients()).extracting(Recipient::address).containsExactly("u1@example.test", "u2@example.test");
    }

    @Test
    void bdatChunksMakeOneMessageByteForByte() throws Exception {
        String part1 = "Subject: chunked\r\n\r\nline one\r\n.not stuffed\r\n";
        String part2 = "\u00e9t\u00e9 8bit\r\n";
        byte[] b2 = part2.getBytes(StandardCharsets.UTF_8);
        try (RawSmtpClient c = connect()) {
            c.command("EHLO client.test");
            c.command("MAIL FROM:<a@sender.test> BODY=8BITMIME");
            c.command("RCPT TO:<u@example.test>");
            c.send("BDAT " + part1.length() + "\r\n" + part1);
            Reply r = c.readReply();
            assertThat(r.code()).isEqualTo(250);
            c.send(("BDAT " + b2.length + " LAST\r\n").getBytes(StandardCharsets.US_ASCII));
            c.send(b2);
            assertThat(c.readReply().text()).startsWith("2.0.0 Ok: queued as");
            c.command("MAIL FROM:<a@sender.test>");
            c.command("RCPT TO:<u@example.test>");
            c.send("BDAT 0 LAST\r\n");
            assertThat(c.readReply().code()).isEqualTo(250);
        }
        List<QueueFile> q = gw.incomingMessages();
        assertThat(q).hasSize(2);
        QueueFile first = q.stream().filter(f -> {
            try {
                return GatewayHarness.content(f).contains("chunked");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }).findFirst().orElseThrow();
        byte[] all = (part1 + part2).getBytes(StandardCharsets.UTF_8);
        String stored = GatewayHarness.content(first);
        assertThat(stored).endsWith(new String(all, StandardCharsets.ISO_8859_1));
        assertThat(first.envelope().body()).isEqualTo(Envelope.BodyType.EIGHT_BIT_MIME);
    }

    @Test
    void bdatWithoutRecipientsIsConsumedAndRefused() throws Exception {
        try (RawSmtpClient c = connect()) {
            c.command("EHLO client.test");
            c.send("BDAT 12 LAST\r\nRCPT TO:<>\r\nNOOP\r\n");
            assertThat(c.readReply().code()).isEqualTo(503);
            assertThat(c.readReply().code()).isEqualTo(250); // the NOOP after the 10 chunk bytes
        }
    }

    @Test
    void dsnParametersAreKeptForTheNextHop() throws Exception {
        try (RawSmtpClient c = connect()) {
            c.command("EHLO client.test");
            assertThat(c.command("MAIL FROM:<a@sender.test> RET=HDRS ENVID=abc+2Bdef").code()).isEqualTo(250);
            assertThat(c.command("RCPT TO:<u@example.test> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;u+40example.test").code())
                    .isEqualTo(250);
            c.command("DATA");
            assertThat(c.command("Subject: dsn\r\n\r\nx\r\n.").code()).isEqualTo(250);
        }
        Envelope env = gw.incomingMessages().get(0).envelope();
        assertThat(env.ret()).isEqualTo(Envelope.Ret.HDRS);
        assertThat(env.envid()).isEqualTo("abc+def");
        Recipient r = env.recipients().get(0);
        assertThat(r.notifyOn()).isEqualTo(Set.of(Recipient.Notify.SUCCESS, Recipient.Notify.DELAY));
        assertThat(r.orcpt()).isEqualTo("rfc822;u@example.test");
    }

    @Test
    void smtputf8AddressesNeedTheParameter() throws Exception {
        try (RawSmtpClient c = connect()) {
            c.command("EHLO client.test");
            assertThat(c.command("MAIL FROM:<j\u00f6rg@sender.test>").code()).isEqualTo(553);
            assertThat(c.command("MAIL FROM:<j\u00f6rg@sender.test> SMTPUTF8").code()).isEqualTo(250);
            assertThat(c.command("RCPT TO:<b\u00fccher@example.test>").code()).isEqualTo(250);
            c.command("DATA");
            assertThat(c.command("Subject: utf8\r\n\r\nx\r\n.").code()).isEqualTo(250);
        }
        Envelope env = gw.incomingMessages().get(0).envelope();
        assertThat(env.smtputf8()).isTrue();
        assertThat(env.sender()).isEqualTo("j\u00f6rg@sender.test");
    }

    @Test
    void stopLetsAMessageInProgressFinishThenSays421() throws Exception {
        try (RawSmtpClient busy = connect(); RawSmtpClient idle = connect()) {
            busy.command("EHLO client.test");
            busy.command("MAIL FROM:<a@sender.test>");
            busy.command("RCPT TO:<u@example.test>");
            busy.command("DATA");
            busy.send("Subject: in flight\r\n\r\n");
            CompletableFuture<Void> stopping = gw.gateway.stop(Duration.ofSeconds(10)).toCompletionStage().toCompletableFuture();
            Reply bye = idle.readReply();
            assertThat(bye.code()).isEqualTo(421);
            busy.send("last line\r\n.\r\n");
            assertThat(busy.readReply().code()).isEqualTo(250);
            assertThat(busy.command("NOOP").code()).isEqualTo(421);
            stopping.get();
        }
        assertThat(gw.incomingMessages()).hasSize(1);
    }
}
