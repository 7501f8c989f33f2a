// QmgrSinkIT: the queue manager with the REAL SmtpTransport relaying to Postfix's smtp-sink: 100
// messages committed through IncomingQueue all arrive exactly once and the spool ends empty.
// Needs Debian's postfix package (smtp-sink).
package org.postern.gateway.qmgr;

import org.postern.testkit.Await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.Envelope;
import org.postern.core.Recipient;
import org.postern.gateway.queue.IncomingQueue;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.QueueWriter;
import org.postern.gateway.queue.Spool;
import org.postern.gateway.smtp.Destination;
import org.postern.gateway.smtp.SmtpSettings;
import org.postern.gateway.smtp.SmtpTransport;
import org.postern.testkit.SinkMessage;
import org.postern.testkit.SmtpSink;

class QmgrSinkIT {
    private static final int MESSAGES = 100;

    @TempDir
    Path dir;

    @Test
    void hundredMessagesArriveExactlyOnceAndTheSpoolEndsEmpty() throws Exception {
        Vertx vertx = Vertx.vertx();
        Clock clock = Clock.systemUTC();
        try (SmtpSink sink = SmtpSink.builder().dumpMessages().start()) {
            Spool spool = Spool.open(dir.resolve("spool"));
            IncomingQueue incoming = new IncomingQueue(vertx, spool, clock);
            for (int i = 0; i < MESSAGES; i++) {
                QueueWriter w = QmgrTestBase.await(incoming.create(incoming.newQueueId()));
                QmgrTestBase.await(w.write(Buffer.buffer("Subject: message " + i + "\r\n\r\nbody " + i + "\r\n")));
                QmgrTestBase.await(w.commit(new Envelope(w.id(), clock.instant(), QmgrTestBase.CLIENT, "a@sender.test",
                        List.of(Recipient.of("r" + i + "@example.test"), Recipient.of("s" + i + "@example.test")),
                        -1, Envelope.BodyType.SEVEN_BIT, false, null, null), QueueName.ACTIVE));
            }
            SmtpTransport transport = new SmtpTransport(vertx, SmtpSettings.builder("qmgr.postern.test")
                    .allTimeouts(Duration.ofSeconds(10)).build(), clock);
            Qmgr qmgr = new Qmgr(vertx, spool, transport, StaticRouter.relayhost(Destination.smtp(sink.host(), sink.port())),
                    BounceSink.NONE, QmgrSettings.defaults(), clock);
            QmgrTestBase.await(qmgr.start());
            qmgr.wakeup();
            sink.awaitMessages(MESSAGES, Duration.ofSeconds(60));
            Await.until("an empty spool", Duration.ofSeconds(30), () -> spoolEmpty(spool));
            QmgrTestBase.await(qmgr.stop());
            QmgrTestBase.await(transport.close());
            QmgrTestBase.await(incoming.close());

            assertThat(spoolEmpty(spool)).as("spool empty").isTrue();
            List<SinkMessage> got = sink.messages();
            assertThat(got).hasSize(MESSAGES);
            assertThat(sink.messageCount()).isEqualTo(MESSAGES);
            Set<String> subjects = got.stream().map(m -> m.header("Subject").orElseThrow()).collect(Collectors.toSet());
            assertThat(subjects).hasSize(MESSAGES);
            for (SinkMessage m : got) {
                String n = m.header("Subject").orElseThrow().substring("message ".length());
                assertThat(m.recipients()).containsExactly("r" + n + "@example.test", "s" + n + "@example.test");
            }
        } finally {
            QmgrTestBase.await(vertx.close());
        }
    }

    private static boolean spoolEmpty(Spool spool) throws java.io.IOException {
        for (QueueName q : List.of(QueueName.INCOMING, QueueName.ACTIVE, QueueName.DEFERRED)) {
            if (!spool.ids(q).isEmpty()) return false;
        }
        return true;
    }
}
