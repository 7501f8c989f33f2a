// SmtpTransportFailureTest: every way an attempt fails ends as DEFERRED or BOUNCED recipients with
// Postfix's wording -- refused connect, greeting timeout or refusal, malformed reply, connection lost
// mid-DATA, no end-of-data reply, a reply in mid-body, SMTPUTF8 and SIZE refusals, unsendable addresses.
package org.postern.gateway.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postern.core.Envelope;
import org.postern.core.Recipient;
import org.postern.gateway.smtp.RecipientResult.Status;
import org.postern.testkit.FreePort;

class SmtpTransportFailureTest extends ClientTestBase {

    private static String bigMessage(int lines) {
        StringBuilder sb = new StringBuilder("Subject: big\r\n\r\n");
        for (int i = 0; i < lines; i++) sb.append("line ").append(i).append(" of a rather long test message body\r\n");
        return sb.toString();
    }

    @Test
    void refusedConnectionDefersWith441AndNoRelay() throws Exception {
        int port = FreePort.next();
        transport(settings().build());
        DeliveryReport r = deliver(queue(MESSAGE, "r0@example.test"), Destination.smtp("127.0.0.1", port));
        assertThat(r.result(0).status()).isEqualTo(Status.DEFERRED);
        assertThat(r.result(0).dsn()).isEqualTo("4.4.1");
        assertThat(r.result(0).diagnostic()).isEqualTo("connect to 127.0.0.1[127.0.0.1]:" + port + ": Connection refused");
        assertThat(r.result(0).remote()).isFalse();
        assertThat(r.relay()).isEqualTo("none");
        assertThat(r.connectionUse()).isZero();
    }

    @Test
    void silentServerTimesOutWhileGreeting() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> s.awaitEof())) {
            transport(settings().heloTimeout(Duration.ofMillis(300)).build());
            DeliveryReport r = deliver(queue(MESSAGE, "r0@example.test"), Destination.smtp("127.0.0.1", peer.port()));
            assertThat(r.result(0).status()).isEqualTo(Status.DEFERRED);
            assertThat(r.result(0).diagnostic()).isEqualTo(
                    "conversation with 127.0.0.1[127.0.0.1] timed out while receiving the initial server greeting");
            assertThat(r.result(0).dsn()).isEqualTo("4.4.2");
            peer.awaitSessions(1); // the client closed the connection
        }
    }

    @Test
    void greetingRefusalDefersEvenWhenPermanent() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> s.send("554 5.7.1 go away"))) {
            transport(settings().build());
            DeliveryReport r = deliver(queue(MESSAGE, "r0@example.test"), Destination.smtp("127.0.0.1", peer.port()));
            assertThat(r.result(0).status()).isEqualTo(Status.DEFERRED); // smtp_skip_5xx_greeting = yes
            assertThat(r.result(0).dsn()).isEqualTo("4.7.1");
            assertThat(r.result(0).diagnostic()).isEqualTo("host 127.0.0.1[127.0.0.1] refused to talk to me: 554 5.7.1 go away");
        }
    }

    @Test
    void malformedReplyDefers() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> {
            s.sendRaw("HTTP/1.1 400 Bad Request\r\n");
            s.awaitEof();
        })) {
            transport(settings().build());
            DeliveryReport r = deliver(queue(MESSAGE, "r0@example.test"), Destination.smtp("127.0.0.1", peer.port()));
            assertThat(r.result(0).status()).isEqualTo(Status.DEFERRED);
            assertThat(r.result(0).diagnostic()).startsWith("protocol error: host 127.0.0.1[127.0.0.1] sent a malformed reply "
                    + "while receiving the initial server greeting: HTTP/1.1 400");
            peer.awaitSessions(1);
        }
    }

    @Test
    void connectionLostMidDataDefersEveryOpenRecipient() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> {
            s.greetAndEhlo("PIPELINING");
            s.expect("MAIL");
            s.expect("RCPT");
            s.expect("RCPT");
            s.expect("RCPT");
            s.expect("DATA");
            s.send("250 ok", "250 ok", "550 5.1.1 no such user", "250 ok", "354 go");
            s.expect("Subject: big");
            s.expect("");
            s.expect("line 0 ");
            // and hang up in the middle of the body
        })) {
            transport(settings().build());
            DeliveryReport r = deliver(queue(bigMessage(100_000), "r0@example.test", "r1@example.test", "r2@example.test"),
                    Destination.smtp("127.0.0.1", peer.port()));
            peer.awaitSessions(1);
            assertThat(r.results()).extracting(RecipientResult::status)
                    .containsExactly(Status.DEFERRED, Status.BOUNCED, Status.DEFERRED);
            assertThat(r.result(0).diagnostic()).isEqualTo("lost connection with 127.0.0.1[127.0.0.1] while sending message body");
            assertThat(r.result(2).dsn()).isEqualTo("4.4.2");
        }
    }

    @Test
    void noEndOfDataReplyTimesOutAndSaysTheMessageMayBeSentTwice() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> {
            s.greetAndEhlo();
            s.expect("MAIL");
            s.send("250 ok");
            s.expect("RCPT");
            s.send("250 ok");
            s.expect("DATA");
            s.send("354 go");
            s.readData(null);
            s.awaitEof();
        })) {
            transport(settings().dataDoneTimeout(Duration.ofMillis(300)).build());
            DeliveryReport r = deliver(queue(MESSAGE, "r0@example.test"), Destination.smtp("127.0.0.1", peer.port()));
            assertThat(r.result(0).status()).isEqualTo(Status.DEFERRED);
            assertThat(r.result(0).diagnostic()).isEqualTo("conversation with 127.0.0.1[127.0.0.1] timed out while "
                    + "sending end of data -- message may be sent more than once");
            peer.awaitSessions(1);
        }
    }

    @Test
    void aReplyInTheMiddleOfTheBodyEndsTheTransfer() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> {
            s.greetAndEhlo();
            s.expect("MAIL");
            s.send("250 ok");
            s.expect("RCPT");
            s.send("250 ok");
            s.expect("DATA");
            s.send("354 go", "554 5.3.4 Message too big for system"); // and reads no more (like smtp-sink -A)
            s.awaitEof(); // the client gives up instead of stalling until smtp_data_xfer_timeout
        })) {
            transport(settings().dataXferTimeout(Duration.ofSeconds(60)).build());
            DeliveryReport r = deliver(queue(bigMessage(200_000), "r0@example.test"), Destination.smtp("127.0.0.1", peer.port()));
            assertThat(r.result(0).status()).isEqualTo(Status.BOUNCED);
            assertThat(r.result(0).diagnostic()).isEqualTo("host 127.0.0.1[127.0.0.1] said: 554 5.3.4 Message too big for system "
                    + "(in reply to end of DATA command)");
            peer.awaitSessions(1);
        }
    }

    @Test
    void smtputf8MailBouncesAtAPeerWithoutSmtputf8() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> s.serve("PIPELINING", "8BITMIME"))) {
            transport(settings().build());
            QueuedMessage m = queue(MESSAGE.getBytes(StandardCharsets.UTF_8), id -> new Envelope(id, java.time.Instant.EPOCH,
                    QueuedMessages.CLIENT, "a@sender.test", List.of(Recipient.of("δοκιμή@example.test")), -1,
                    Envelope.BodyType.EIGHT_BIT_MIME, true, null, null));
            DeliveryReport r = deliver(m, Destination.smtp("127.0.0.1", peer.port()));
            peer.awaitSessions(1);
            assertThat(r.result(0).status()).isEqualTo(Status.BOUNCED);
            assertThat(r.result(0).dsn()).isEqualTo("5.6.7");
            assertThat(r.result(0).diagnostic()).isEqualTo("SMTPUTF8 is required, but was not offered by host 127.0.0.1[127.0.0.1]");
            assertThat(peer.sessions().get(0).transcript).noneMatch(l -> l.startsWith("C: MAIL")).contains("C: QUIT");
        }
    }

    @Test
    void smtputf8MailGoesToAPeerThatOffersIt() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> s.serve("PIPELINING", "SMTPUTF8", "8BITMIME"))) {
            transport(settings().build());
            QueuedMessage m = queue(MESSAGE.getBytes(StandardCharsets.UTF_8), id -> new Envelope(id, java.time.Instant.EPOCH,
                    QueuedMessages.CLIENT, "ü@sender.test", List.of(Recipient.of("δοκιμή@example.test")), -1,
                    Envelope.BodyType.EIGHT_BIT_MIME, true, null, null));
            DeliveryReport r = deliver(m, Destination.smtp("127.0.0.1", peer.port()));
            peer.awaitSessions(1);
            assertThat(r.result(0).status()).isEqualTo(Status.SENT);
            assertThat(peer.sessions().get(0).transcript).contains("C: MAIL FROM:<ü@sender.test> BODY=8BITMIME SMTPUTF8",
                    "C: RCPT TO:<δοκιμή@example.test>");
        }
    }

    @Test
    void messageOverThePeersSizeLimitBounces() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> s.serve("SIZE 50"))) {
            transport(settings().build());
            QueuedMessage m = queue(MESSAGE, "r0@example.test");
            DeliveryReport r = deliver(m, Destination.smtp("127.0.0.1", peer.port()));
            peer.awaitSessions(1);
            assertThat(r.result(0).status()).isEqualTo(Status.BOUNCED);
            assertThat(r.result(0).diagnostic()).isEqualTo("message size " + m.contentLength()
                    + " exceeds size limit 50 of server 127.0.0.1[127.0.0.1]");
        }
    }

    @Test
    void anAddressThatWouldBreakTheCommandLineBouncesAloneAndIsNeverSent() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> s.serve("PIPELINING"))) {
            transport(settings().build());
            QueuedMessage m = queue(MESSAGE.getBytes(StandardCharsets.UTF_8), id -> QueuedMessages.envelope(id,
                    "a@sender.test", "\"john\r\nRCPT TO:<evil>\"@example.test", "ok@example.test"));
            DeliveryReport r = deliver(m, Destination.smtp("127.0.0.1", peer.port()));
            peer.awaitSessions(1);
            assertThat(r.results()).extracting(RecipientResult::status).containsExactly(Status.BOUNCED, Status.SENT);
            assertThat(r.result(0).dsn()).isEqualTo("5.1.3");
            assertThat(peer.sessions().get(0).transcript).filteredOn(l -> l.startsWith("C: RCPT"))
                    .containsExactly("C: RCPT TO:<ok@example.test>");
        }
    }

    @Test
    void aRefusedMailFromStillDecidesWhenTheServerThenHangsUp() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> {
            s.greetAndEhlo("PIPELINING");
            s.expect("MAIL");
            s.expect("RCPT");
            s.expect("DATA");
            s.send("553 5.1.8 sender domain does not exist");
        })) {
            transport(settings().build());
            DeliveryReport r = deliver(queue(MESSAGE, "r0@example.test"), Destination.smtp("127.0.0.1", peer.port()));
            assertThat(r.result(0).status()).isEqualTo(Status.BOUNCED);
            assertThat(r.result(0).diagnostic()).endsWith("553 5.1.8 sender domain does not exist (in reply to MAIL FROM command)");
        }
    }
}
