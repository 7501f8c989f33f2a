// SmtpTransportTest: the client's dialogue against a scripted peer -- PIPELINING proven (the peer
// answers nothing until DATA arrives), stepwise SMTP, per-recipient RCPT outcomes, MAIL/DATA refusals,
// LMTP's reply per recipient (TCP and UNIX socket), HELO fallback with quoted-printable downgrade.
package org.postern.gateway.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postern.core.Envelope;
import org.postern.gateway.smtp.RecipientResult.Status;

class SmtpTransportTest extends ClientTestBase {

    @Test
    void pipelinesMailRcptAndDataAndDecidesEachRecipient() throws Exception {
        List<String> batch = new ArrayList<>();
        byte[][] received = new byte[1][];
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> {
            s.greetAndEhlo("PIPELINING", "SIZE 10000000", "8BITMIME", "ENHANCEDSTATUSCODES");
            // Nothing is answered before DATA: a client that waits for the MAIL reply never gets here.
            for (String l; !(l = s.readLine()).equals("DATA"); ) batch.add(l);
            s.send("250 2.1.0 Ok", "250 2.1.5 Ok", "550 5.1.1 <r1@example.test>: Recipient address rejected",
                    "450 4.2.0 <r2@example.test>: greylisted", "250 2.1.5 Ok", "354 End data with <CR><LF>.<CR><LF>");
            received[0] = s.readData(null);
            s.send("250 2.0.0 Ok: queued as 4XyZ");
            s.expect("QUIT");
            s.send("221 2.0.0 Bye");
        })) {
            transport(settings().mailTimeout(java.time.Duration.ofSeconds(5)).build());
            QueuedMessage m = queue(MESSAGE, "r0@example.test", "r1@example.test", "r2@example.test", "r3@example.test");
            DeliveryReport r = deliver(m, Destination.smtp("127.0.0.1", peer.port()));
            peer.awaitSessions(1);
            assertThat(batch).containsExactly("MAIL FROM:<a@sender.test> SIZE=" + m.contentLength(),
                    "RCPT TO:<r0@example.test>", "RCPT TO:<r1@example.test>", "RCPT TO:<r2@example.test>",
                    "RCPT TO:<r3@example.test>");
            assertThat(received[0]).isEqualTo(QueuedMessages.readAll(m));
            assertThat(r.results()).extracting(RecipientResult::status)
                    .containsExactly(Status.SENT, Status.BOUNCED, Status.DEFERRED, Status.SENT);
            assertThat(r.result(0).diagnostic()).isEqualTo("250 2.0.0 Ok: queued as 4XyZ");
            assertThat(r.result(1).diagnostic()).isEqualTo("host 127.0.0.1[127.0.0.1] said: 550 5.1.1 <r1@example.test>: "
                    + "Recipient address rejected (in reply to RCPT TO command)");
            assertThat(r.result(2).dsn()).isEqualTo("4.2.0");
            assertThat(r.relay()).isEqualTo("127.0.0.1[127.0.0.1]:" + peer.port());
            assertThat(r.connectionUse()).isEqualTo(1);
            assertThat(r.dsnOffered()).isFalse();
            assertThat(r.tls()).isNull();
            assertThat(r.queueId()).isEqualTo(m.queueId());
        }
    }

    @Test
    void withoutPipeliningEachCommandWaitsForItsReply() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> s.serve("DSN", "8BITMIME"))) {
            transport(settings().build());
            QueuedMessage m = QueuedMessages.queue(vertx, dir.resolve("spool"), MESSAGE.getBytes(StandardCharsets.US_ASCII),
                    id -> new Envelope(id, java.time.Instant.EPOCH, QueuedMessages.CLIENT, "a@sender.test",
                            List.of(new org.postern.core.Recipient("r0@example.test",
                                    java.util.Set.of(org.postern.core.Recipient.Notify.SUCCESS), null)),
                            -1, Envelope.BodyType.EIGHT_BIT_MIME, false, Envelope.Ret.HDRS, "env id"));
            DeliveryReport r = deliver(m, Destination.smtp("127.0.0.1", peer.port()));
            peer.awaitSessions(1);
            assertThat(r.result(0).status()).isEqualTo(Status.SENT);
            assertThat(r.dsnOffered()).isTrue();
            List<String> t = peer.sessions().get(0).transcript;
            assertThat(t).containsSubsequence("C: MAIL FROM:<a@sender.test> BODY=8BITMIME RET=HDRS ENVID=env+20id",
                    "S: 250 2.1.0 Ok", "C: RCPT TO:<r0@example.test> NOTIFY=SUCCESS ORCPT=rfc822;r0@example.test",
                    "S: 250 2.1.5 Ok", "C: DATA", "S: 354 End data with <CR><LF>.<CR><LF>", "C: .",
                    "S: 250 2.0.0 Ok: queued as M1", "C: QUIT");
            assertThat(peer.sessions().get(0).messages.get(0)).isEqualTo(QueuedMessages.readAll(m));
        }
    }

    @Test
    void refusedMailFromDecidesAllAndThePipelinedRestIsConsumed() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> {
            s.greetAndEhlo("PIPELINING");
            s.expect("MAIL");
            s.expect("RCPT");
            s.expect("RCPT");
            s.expect("DATA");
            s.send("553 5.7.1 <a@sender.test>: Sender address rejected", "503 5.5.1 need MAIL", "503 5.5.1 need MAIL",
                    "503 5.5.1 need RCPT");
            s.expect("QUIT");
            s.send("221 Bye");
        })) {
            transport(settings().build());
            DeliveryReport r = deliver(queue(MESSAGE, "r0@example.test", "r1@example.test"),
                    Destination.smtp("127.0.0.1", peer.port()));
            peer.awaitSessions(1);
            assertThat(r.results()).extracting(RecipientResult::status).containsOnly(Status.BOUNCED);
            assertThat(r.result(1).diagnostic()).endsWith("553 5.7.1 <a@sender.test>: Sender address rejected "
                    + "(in reply to MAIL FROM command)");
        }
    }

    @Test
    void dataRefusedTemporarilyDefersTheAcceptedAndKeepsTheRcptBounce() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> {
            s.greetAndEhlo();
            s.expect("MAIL");
            s.send("250 ok");
            s.expect("RCPT TO:<r0@");
            s.send("250 ok");
            s.expect("RCPT TO:<r1@");
            s.send("550 no");
            s.expect("DATA");
            s.send("451 4.3.0 try later");
            s.expect("QUIT");
            s.send("221 Bye");
        })) {
            transport(settings().build());
            DeliveryReport r = deliver(queue(MESSAGE, "r0@example.test", "r1@example.test"),
                    Destination.smtp("127.0.0.1", peer.port()));
            peer.awaitSessions(1);
            assertThat(r.results()).extracting(RecipientResult::status).containsExactly(Status.DEFERRED, Status.BOUNCED);
            assertThat(r.result(0).diagnostic()).endsWith("451 4.3.0 try later (in reply to DATA command)");
        }
    }

    @Test
    void lmtpGivesEachAcceptedRecipientItsOwnEndOfDataReply() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> {
            s.send("220 lmtp.test LMTP");
            s.expect("LHLO client.postern.test");
            s.send("250-lmtp.test", "250-PIPELINING", "250 ENHANCEDSTATUSCODES");
            s.expect("MAIL");
            for (int i = 0; i < 4; i++) s.expect("RCPT");
            s.expect("DATA");
            s.send("250 2.1.0 Ok", "250 2.1.5 Ok", "250 2.1.5 Ok", "550 5.1.1 unknown", "250 2.1.5 Ok", "354 go");
            s.readData(null);
            s.send("250 2.0.0 <r0@example.test> Saved", "452 4.2.2 <r1@example.test> Quota exceeded",
                    "552 5.2.2 <r3@example.test> Mailbox full");
            s.expect("QUIT");
            s.send("221 Bye");
        })) {
            transport(settings().build());
            DeliveryReport r = deliver(queue(MESSAGE, "r0@example.test", "r1@example.test", "r2@example.test",
                    "r3@example.test"), Destination.lmtp("127.0.0.1", peer.port()));
            peer.awaitSessions(1);
            assertThat(r.results()).extracting(RecipientResult::status)
                    .containsExactly(Status.SENT, Status.DEFERRED, Status.BOUNCED, Status.BOUNCED);
            assertThat(r.result(0).diagnostic()).isEqualTo("250 2.0.0 <r0@example.test> Saved");
            assertThat(r.result(1).diagnostic()).endsWith("Quota exceeded (in reply to end of DATA command)");
            assertThat(r.result(2).diagnostic()).endsWith("(in reply to RCPT TO command)");
            assertThat(r.result(3).dsn()).isEqualTo("5.2.2");
        }
    }

    @Test
    void lmtpOverAUnixDomainSocket() throws Exception {
        Path socket = dir.resolve("lmtp.sock");
        try (ScriptedPeer peer = ScriptedPeer.unix(socket, s -> s.serve("PIPELINING"))) {
            transport(settings().build());
            QueuedMessage m = queue(MESSAGE, "r0@example.test", "r1@example.test");
            DeliveryReport r = deliver(m, Destination.parse("lmtp", "unix:" + socket));
            peer.awaitSessions(1);
            assertThat(r.results()).extracting(RecipientResult::status).containsOnly(Status.SENT);
            assertThat(r.relay()).isEqualTo("localhost[" + socket + "]");
            assertThat(peer.sessions().get(0).transcript).contains("C: LHLO client.postern.test");
            assertThat(peer.sessions().get(0).messages.get(0)).isEqualTo(QueuedMessages.readAll(m));
        }
    }

    @Test
    void heloFallbackAndQuotedPrintableForAPeerWithout8BitMime() throws Exception {
        String content = "From: a@sender.test\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Köln\r\n";
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> {
            s.send("220 old.test");
            s.expect("EHLO");
            s.send("502 5.5.2 Error: command not recognized");
            s.expect("HELO client.postern.test");
            s.send("250 old.test");
            s.expect("MAIL FROM:<a@sender.test>");
            s.send("250 ok");
            s.expect("RCPT");
            s.send("250 ok");
            s.expect("DATA");
            s.send("354 go");
            s.messages.add(s.readData(null));
            s.send("250 queued");
            s.expect("QUIT");
            s.send("221 bye");
        })) {
            transport(settings().build());
            QueuedMessage m = queue(content.getBytes(StandardCharsets.UTF_8), id -> new Envelope(id, java.time.Instant.EPOCH,
                    QueuedMessages.CLIENT, "a@sender.test", List.of(org.postern.core.Recipient.of("r0@example.test")), -1,
                    Envelope.BodyType.EIGHT_BIT_MIME, false, null, null));
            DeliveryReport r = deliver(m, Destination.smtp("127.0.0.1", peer.port()));
            peer.awaitSessions(1);
            assertThat(r.result(0).status()).isEqualTo(Status.SENT);
            assertThat(peer.sessions().get(0).transcript).contains("C: MAIL FROM:<a@sender.test>");
            String sent = new String(peer.sessions().get(0).messages.get(0), StandardCharsets.ISO_8859_1);
            assertThat(sent).contains("Content-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe aus K=C3=B6ln\r\n")
                    .doesNotContain("8bit");
        }
    }

    @Test
    void binaryMimeGoesAsOneBdatChunkByteForByte() throws Exception {
        byte[] content = "MIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\n\r\n\u0000\n.\r\n\r.\rend"
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[][] got = new byte[1][];
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> {
            s.greetAndEhlo("PIPELINING", "CHUNKING", "BINARYMIME", "8BITMIME");
            s.expect("MAIL FROM:<a@sender.test> BODY=BINARYMIME");
            s.expect("RCPT");
            s.send("250 ok", "250 ok");
            s.expect("BDAT " + content.length + " LAST");
            got[0] = s.readBytes(content.length);
            s.send("250 2.0.0 Ok: queued");
            s.expect("QUIT");
            s.send("221 bye");
        })) {
            transport(settings().build());
            QueuedMessage m = queue(content, id -> new Envelope(id, java.time.Instant.EPOCH, QueuedMessages.CLIENT,
                    "a@sender.test", List.of(org.postern.core.Recipient.of("r0@example.test")), -1,
                    Envelope.BodyType.BINARY_MIME, false, null, null));
            DeliveryReport r = deliver(m, Destination.smtp("127.0.0.1", peer.port()));
            peer.awaitSessions(1);
            assertThat(r.result(0).status()).isEqualTo(Status.SENT);
            assertThat(got[0]).isEqualTo(content);
        }
    }

    @Test
    void binaryMimeBouncesAtAPeerWithoutChunking() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> s.serve("PIPELINING", "8BITMIME"))) {
            transport(settings().build());
            QueuedMessage m = queue(new byte[] {0, 1, 2, '\r', '\n'}, id -> new Envelope(id, java.time.Instant.EPOCH,
                    QueuedMessages.CLIENT, "a@sender.test", List.of(org.postern.core.Recipient.of("r0@example.test")), -1,
                    Envelope.BodyType.BINARY_MIME, false, null, null));
            DeliveryReport r = deliver(m, Destination.smtp("127.0.0.1", peer.port()));
            peer.awaitSessions(1);
            assertThat(r.result(0).status()).isEqualTo(Status.BOUNCED);
            assertThat(r.result(0).dsn()).isEqualTo("5.6.3");
        }
    }
}
