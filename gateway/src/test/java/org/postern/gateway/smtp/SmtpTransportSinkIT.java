// SmtpTransportSinkIT: the SMTP/LMTP client against Postfix's REAL smtp-sink, messages taken from real
// queue files -- byte-faithful delivery with the envelope and DSN parameters it dumps, soft and hard
// refusals (-r/-f), a sink that aborts mid-DATA (-A) or hangs up at end of data (-q), LMTP (-L), a
// sink that is down, and a 50 MB message. Needs Debian's postfix package (smtp-sink).
package org.postern.gateway.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.postern.core.Envelope;
import org.postern.core.Recipient;
import org.postern.core.Recipient.Notify;
import org.postern.gateway.smtp.RecipientResult.Status;
import org.postern.testkit.FreePort;
import org.postern.testkit.Mails;
import org.postern.testkit.SinkMessage;
import org.postern.testkit.SmtpSink;

class SmtpTransportSinkIT extends ClientTestBase {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private Destination to(SmtpSink sink) {
        return Destination.smtp(sink.host(), sink.port());
    }

    @Test
    void cleanDeliveryIsByteFaithfulWithEnvelopeAndDsnParameters() throws Exception {
        byte[] content = (new String(Mails.eightBitUtf8(), StandardCharsets.UTF_8)
                + new String(Mails.withLeadingDots(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        try (SmtpSink sink = SmtpSink.builder().dumpMessages().start()) {
            transport(settings().build());
            QueuedMessage m = queue(content, id -> new Envelope(id, java.time.Instant.EPOCH, QueuedMessages.CLIENT,
                    "a@sender.test", List.of(new Recipient("u1@example.test", Set.of(Notify.SUCCESS, Notify.FAILURE), null),
                    new Recipient("u2@example.test", Set.of(Notify.NEVER), "rfc822;orig+2@example.test")),
                    -1, Envelope.BodyType.EIGHT_BIT_MIME, false, Envelope.Ret.HDRS, "ENV-1"));
            DeliveryReport r = deliver(m, to(sink));
            assertThat(r.results()).extracting(RecipientResult::status).containsOnly(Status.SENT);
            assertThat(r.result(0).diagnostic()).isEqualTo("250 2.0.0 Ok");
            assertThat(r.dsnOffered()).isTrue();
            sink.awaitMessages(1, WAIT);
            SinkMessage got = sink.messages().get(0);
            // smtp-sink stores LF line ends; otherwise the bytes must be exactly those of the queue file.
            assertThat(got.content()).isEqualTo(new String(QueuedMessages.readAll(m), StandardCharsets.UTF_8)
                    .replace("\r\n", "\n").getBytes(StandardCharsets.UTF_8));
            assertThat(got.heloArgs()).isEqualTo("client.postern.test");
            assertThat(got.protocol()).isEqualTo("ESMTP");
            assertThat(got.mailArgs()).isEqualTo("<a@sender.test> BODY=8BITMIME RET=HDRS ENVID=ENV-1");
            assertThat(got.rcptArgs()).containsExactly("<u1@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;u1@example.test",
                    "<u2@example.test> NOTIFY=NEVER ORCPT=rfc822;orig+2B2@example.test");
        }
    }

    @Test
    void softRefusedRecipientsAreDeferred() throws Exception {
        try (SmtpSink sink = SmtpSink.builder().args("-r", "RCPT").start()) {
            transport(settings().build());
            DeliveryReport r = deliver(queue(MESSAGE, "r0@example.test", "r1@example.test"), to(sink));
            assertThat(r.results()).extracting(RecipientResult::status).containsOnly(Status.DEFERRED);
            assertThat(r.result(1).diagnostic()).isEqualTo("host 127.0.0.1[127.0.0.1] said: 450 4.3.0 Error: command failed "
                    + "(in reply to RCPT TO command)");
            assertThat(sink.messageCount()).isZero();
        }
    }

    @Test
    void endOfDataAnsweredWith4xxDefersAndWith5xxBounces() throws Exception {
        try (SmtpSink soft = SmtpSink.builder().args("-r", ".").start(); SmtpSink hard = SmtpSink.builder().args("-f", ".").start()) {
            transport(settings().build());
            DeliveryReport r = deliver(queue(MESSAGE, "r0@example.test", "r1@example.test"), to(soft));
            assertThat(r.results()).extracting(RecipientResult::status).containsOnly(Status.DEFERRED);
            assertThat(r.result(0).diagnostic()).endsWith("450 4.3.0 Error: command failed (in reply to end of DATA command)");
            r = deliver(queue(MESSAGE, "r0@example.test"), to(hard));
            assertThat(r.result(0).status()).isEqualTo(Status.BOUNCED);
            assertThat(r.result(0).dsn()).isEqualTo("5.3.0");
        }
    }

    @Test
    void sinkThatIsDownDefers() throws Exception {
        transport(settings().build());
        int port = FreePort.next();
        DeliveryReport r = deliver(queue(MESSAGE, "r0@example.test"), Destination.smtp("127.0.0.1", port));
        assertThat(r.result(0).status()).isEqualTo(Status.DEFERRED);
        assertThat(r.result(0).diagnostic()).isEqualTo("connect to 127.0.0.1[127.0.0.1]:" + port + ": Connection refused");
        // ... and comes up later: the next attempt (qmgr's business) gets through.
        try (SmtpSink sink = SmtpSink.builder().port(port).start()) {
            assertThat(deliver(queue(MESSAGE, "r0@example.test"), to(sink)).result(0).status()).isEqualTo(Status.SENT);
        }
    }

    @Test
    void sinkHangingUpAfterTheBodyDefersAndWarnsOfDuplicates() throws Exception {
        try (SmtpSink sink = SmtpSink.builder().args("-q", ".").start()) {
            transport(settings().build());
            DeliveryReport r = deliver(queue(MESSAGE, "r0@example.test", "r1@example.test"), to(sink));
            assertThat(r.results()).extracting(RecipientResult::status).containsOnly(Status.DEFERRED);
            assertThat(r.result(0).diagnostic()).isEqualTo("lost connection with 127.0.0.1[127.0.0.1] while "
                    + "sending end of data -- message may be sent more than once");
        }
    }

    @Test
    void sinkAbortingMidDataIsTakenAtItsWord() throws Exception {
        try (SmtpSink sink = SmtpSink.builder().args("-A", "0").start()) {
            transport(settings().build());
            QueuedMessage m = QueuedMessages.queue(vertx, dir.resolve("spool"), Mails.big(5_000_000)::read,
                    id -> QueuedMessages.envelope(id, "a@sender.test", "r0@example.test"));
            DeliveryReport r = deliver(m, to(sink));
            assertThat(r.result(0).status()).isEqualTo(Status.BOUNCED);
            assertThat(r.result(0).diagnostic()).isEqualTo("host 127.0.0.1[127.0.0.1] said: 550 This violates SMTP "
                    + "(in reply to end of DATA command)");
        }
    }

    @Test
    void lmtpSinkAnswersEveryRecipient() throws Exception {
        try (SmtpSink sink = SmtpSink.builder().args("-L").dumpMessages().start()) {
            transport(settings().build());
            QueuedMessage m = queue(MESSAGE, "r0@example.test", "r1@example.test", "r2@example.test");
            DeliveryReport r = deliver(m, Destination.lmtp(sink.host(), sink.port()));
            assertThat(r.results()).extracting(RecipientResult::status).containsOnly(Status.SENT);
            sink.awaitMessages(1, WAIT);
            SinkMessage got = sink.messages().get(0);
            assertThat(got.protocol()).isEqualTo("LMTP");
            assertThat(got.recipients()).containsExactly("r0@example.test", "r1@example.test", "r2@example.test");
            // Had the client read one reply instead of three, QUIT would have met a stray 250 and the
            // second message on this connection would be out of step; it is not.
            r = deliver(queue(MESSAGE, "r3@example.test"), Destination.lmtp(sink.host(), sink.port()));
            assertThat(r.result(0).status()).isEqualTo(Status.SENT);
        }
    }

    @Test
    void stepwiseDialogueWithASinkThatDoesNotPipeline() throws Exception {
        try (SmtpSink sink = SmtpSink.builder().args("-p").dumpMessages().start()) {
            transport(settings().build());
            QueuedMessage m = queue(MESSAGE, "r0@example.test", "r1@example.test");
            DeliveryReport r = deliver(m, to(sink));
            assertThat(r.results()).extracting(RecipientResult::status).containsOnly(Status.SENT);
            sink.awaitMessages(1, WAIT);
            assertThat(sink.messages().get(0).recipients()).containsExactly("r0@example.test", "r1@example.test");
        }
    }

    @Test
    void connectionIsReusedForTheNextMessage() throws Exception {
        try (SmtpSink sink = SmtpSink.start()) {
            transport(settings().connectionCache(true).connectionCacheTimeLimit(Duration.ofSeconds(30)).build());
            DeliveryReport a = deliver(queue(MESSAGE, "r0@example.test"), to(sink));
            DeliveryReport b = deliver(queue(MESSAGE, "r1@example.test"), to(sink));
            assertThat(a.connectionUse()).isEqualTo(1);
            assertThat(b.connectionUse()).isEqualTo(2);
            assertThat(b.result(0).status()).isEqualTo(Status.SENT);
            sink.awaitMessages(2, WAIT);
        }
    }
}
