// BounceRobustnessTest: the bounce stage on awkward input -- SMTPUTF8 and 8-bit originals, hostile
// reason texts, a multi-megabyte original streamed whole, calls from the qmgr event loop, a queue that
// refuses the notice -- each notice committed for real and parsed with Apache mime4j.
package org.postern.gateway.bounce;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.james.mime4j.dom.Entity;
import org.junit.jupiter.api.Test;
import org.postern.core.Envelope;
import org.postern.core.Recipient;
import org.postern.gateway.qmgr.BounceSink.Bounced;
import org.postern.gateway.queue.QueueFile;
import org.postern.gateway.queue.QueueName;

class BounceRobustnessTest extends BounceTestBase {
    private static final String SAID = BouncerTest.SAID;

    @Test
    void smtputf8MailGetsTheGlobalReportTypes() throws Exception {
        String content = "From: a@s.test\r\nSubject: Grüße\r\n\r\nδοκιμή\r\n";
        QueueFile orig = original("a@s.test", List.of(new Recipient("δοκιμή@παράδειγμα.test", Set.of(),
                "utf-8;δοκιμή@παράδειγμα.test")), null, null, true, content.getBytes(StandardCharsets.UTF_8));
        await(bouncer.bounced(orig, List.of(new Bounced(0, "δοκιμή@παράδειγμα.test", "5.1.1", "unknown user"))));
        Notice n = onlyNotice();
        assertThat(param(n.message(), "report-type")).isEqualTo("global-delivery-status");
        assertThat(field(n.message(), "Content-Transfer-Encoding")).isEqualTo("8bit");
        assertThat(n.multipart().getBodyParts()).extracting(Entity::getMimeType)
                .containsExactly("text/plain", "message/global-delivery-status", "message/global");
        assertThat(n.dsn().get(1)).containsEntry("Final-Recipient", "utf-8; δοκιμή@παράδειγμα.test")
                .containsEntry("Original-Recipient", "utf-8;δοκιμή@παράδειγμα.test");
        assertThat(param(n.part(0), "charset")).isEqualTo("utf-8");
        assertThat(n.envelope().body()).isEqualTo(Envelope.BodyType.EIGHT_BIT_MIME);
        assertThat(n.envelope().smtputf8()).isFalse(); // the To: address is ASCII: 8BITMIME is enough
        assertThat(n.text()).contains(content);
    }

    @Test
    void eightBitOriginalIsDeclared8bit() throws Exception {
        String content = "From: a@s.test\r\nSubject: caf\u00e9\r\n\r\nna\u00efve\r\n";
        QueueFile orig = original("a@s.test", List.of(Recipient.of("r1@r.test")), null, null, false,
                content.getBytes(StandardCharsets.ISO_8859_1));
        await(bouncer.bounced(orig, List.of(new Bounced(0, "r1@r.test", "5.1.1", SAID))));
        Notice n = onlyNotice();
        assertThat(field(n.message(), "Content-Transfer-Encoding")).isEqualTo("8bit");
        assertThat(field(n.part(2), "Content-Transfer-Encoding")).isEqualTo("8bit");
        assertThat(n.envelope().body()).isEqualTo(Envelope.BodyType.EIGHT_BIT_MIME);
    }

    @Test
    void hostileReasonsCannotAddHeadersOrBreakLines() throws Exception {
        QueueFile orig = original("a@s.test", "r1@r.test");
        String evil = "host mx[192.0.2.1] said: 550 no\r\nBcc: victim@x.test\r\n\r\n--fake boundary " + "y".repeat(3000)
                + " (in reply to RCPT TO command)";
        await(bouncer.bounced(orig, List.of(new Bounced(0, "r1@r.test", "5.x.bogus", evil))));
        Notice n = onlyNotice();
        assertThat(n.message().getHeader().getField("Bcc")).isNull();
        assertThat(n.dsn()).hasSize(2);
        assertThat(n.dsn().get(1)).containsEntry("Status", "5.0.0").doesNotContainKey("Bcc");
        assertThat(n.multipart().getBodyParts()).hasSize(3);
        assertLinesAreSmtpSafe(n.raw());
    }

    @Test
    void aLargeOriginalIsStreamedWholeWhenTheLimitAllows() throws Exception {
        use(settings(Set.of(), 8_000_000));
        StringBuilder b = new StringBuilder(PLAIN);
        for (int i = 0; b.length() < 3_000_000; i++) b.append("line ").append(i).append(' ').append("z".repeat(60)).append("\r\n");
        byte[] content = b.toString().getBytes(StandardCharsets.US_ASCII);
        QueueFile orig = original("a@s.test", List.of(Recipient.of("r1@r.test")), null, null, false, content);
        await(bouncer.bounced(orig, List.of(new Bounced(0, "r1@r.test", "5.1.1", SAID))));
        Notice n = onlyNotice();
        assertThat(n.part(2).getMimeType()).isEqualTo("message/rfc822");
        assertThat(n.file().contentLength()).isGreaterThan(content.length);
        assertThat(n.text()).contains(b.toString());
    }

    @Test
    void calledOnTheQmgrEventLoopTheNoticeIsComposedOnAWorker() throws Exception {
        QueueFile orig = original("a@s.test", "r1@r.test");
        io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
        vertx.runOnContext(v -> bouncer.bounced(orig, List.of(new Bounced(0, "r1@r.test", "5.1.1", SAID)))
                .onComplete(done));
        await(done.future()); // reading the original on the event loop would fail (OriginalPart refuses)
        assertThat(onlyNotice().multipart().getBodyParts()).hasSize(3);
    }

    @Test
    void noticeIsNotQueuedWhenTheQueueIsClosed() throws Exception {
        QueueFile orig = original("a@s.test", "r1@r.test");
        await(incoming.close());
        var f = bouncer.bounced(orig, List.of(new Bounced(0, "r1@r.test", "5.1.1", SAID)));
        assertThat(f.toCompletionStage().toCompletableFuture()).failsWithin(Duration.ofSeconds(30));
        assertThat(queued).isEmpty();
        assertThat(Files.list(spool.dir(QueueName.ACTIVE))).hasSize(1);
        assertThat(Files.list(spool.dir(QueueName.INCOMING))).isEmpty();
        assertThat(logLines()).anyMatch(l -> l.contains("sender non-delivery notification not queued"));
    }
}
