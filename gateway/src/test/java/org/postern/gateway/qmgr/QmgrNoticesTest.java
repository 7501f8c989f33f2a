// QmgrNoticesTest: what qmgr tells the bounce stage besides bounces -- a delay notice once per message after
// delay_warning_time (remembered across restarts), "relayed" success notices for NOTIFY=SUCCESS when the next
// hop took no DSN -- and the slow start of the concurrency window (initial_destination_concurrency).
package org.postern.gateway.qmgr;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.postern.core.Recipient;
import org.postern.gateway.queue.QueueFile;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.smtp.RecipientResult.Status;
import org.postern.testkit.Await;

class QmgrNoticesTest extends QmgrTestBase {

    /** Records what qmgr hands over. */
    static final class RecordingSink implements BounceSink {
        final List<Delayed> delayed = Collections.synchronizedList(new java.util.ArrayList<>());
        final List<Succeeded> succeeded = Collections.synchronizedList(new java.util.ArrayList<>());

        @Override
        public Future<Void> bounced(QueueFile file, List<Bounced> recipients) {
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> delayed(QueueFile file, List<Delayed> recipients) {
            delayed.addAll(recipients);
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> succeeded(QueueFile file, List<Succeeded> recipients) {
            succeeded.addAll(recipients);
            return Future.succeededFuture();
        }
    }

    private Qmgr qmgr(QmgrSettings s, BounceSink sink) {
        return new Qmgr(vertx, spool, transport, StaticRouter.relayhost(RELAY), sink, s, clock);
    }

    @Test
    void delayNoticeOnceAfterDelayWarningTime() throws Exception {
        RecordingSink sink = new RecordingSink();
        transport.answer = a -> Status.DEFERRED;
        queue("a@s.test", "r@x.test");
        QmgrSettings s = QmgrSettings.defaults().withDelayWarning(Duration.ofHours(4));
        await(qmgr(s, sink).runActive());
        assertThat(sink.delayed).as("not yet four hours").isEmpty();

        clock.advance(Duration.ofHours(5));
        await(qmgr(s, sink).runDeferred());
        assertThat(sink.delayed).singleElement().satisfies(d -> {
            assertThat(d.address()).isEqualTo("r@x.test");
            assertThat(d.dsn()).isEqualTo("4.2.0");
        });
        clock.advance(Duration.ofHours(2));
        await(qmgr(s, sink).runDeferred()); // a new Qmgr: the marker on disk, not memory, says it was sent
        assertThat(sink.delayed).hasSize(1);
        assertThat(transport.calls).hasSize(3);
    }

    @Test
    void successNoticeOnlyWhenAskedAndTheNextHopTookNoDsn() throws Exception {
        RecordingSink sink = new RecordingSink();
        transport.dsnOffered = false;
        queue(QueueName.ACTIVE, "a@s.test", List.of(new Recipient("yes@x.test", Set.of(Recipient.Notify.SUCCESS), null),
                Recipient.of("no@x.test")));
        await(qmgr(QmgrSettings.defaults(), sink).runActive());
        assertThat(sink.succeeded).singleElement().satisfies(s -> {
            assertThat(s.address()).isEqualTo("yes@x.test");
            assertThat(s.action()).isEqualTo("relayed");
        });

        transport.dsnOffered = true; // the next hop takes NOTIFY=SUCCESS on: it reports, not us
        queue(QueueName.ACTIVE, "a@s.test", List.of(new Recipient("yes@x.test", Set.of(Recipient.Notify.SUCCESS), null)));
        await(qmgr(QmgrSettings.defaults(), sink).runActive());
        assertThat(sink.succeeded).hasSize(1);
    }

    @Test
    void slowStartWidensTheWindowAfterEachAnsweredDelivery() throws Exception {
        for (int i = 0; i < 4; i++) queue("a@s.test", "r" + i + "@x.test");
        transport.hold = true;
        QmgrSettings s = new QmgrSettings(Duration.ofSeconds(300), Duration.ofSeconds(4000), Duration.ofSeconds(300),
                Duration.ofDays(5), Duration.ofDays(5), 20, 50, Duration.ofSeconds(1), 1, Duration.ZERO, Map.of());
        Future<Void> run = qmgr(s, BounceSink.NONE).runActive();
        Await.until("first delivery", Duration.ofSeconds(10), () -> transport.held.size() >= 1);
        assertThat(transport.held).hasSize(1); // initial_destination_concurrency = 1
        transport.held.get(0).complete(null);
        Await.until("window of two", Duration.ofSeconds(10), () -> transport.held.size() >= 3);
        assertThat(transport.maxOpen).isEqualTo(2);
        for (int i = 1; i < transport.held.size(); i++) transport.held.get(i).tryComplete(null);
        Await.until("last", Duration.ofSeconds(10), () -> transport.held.size() >= 4);
        transport.held.get(3).tryComplete(null);
        await(run);
        assertThat(transport.calls).hasSize(4);
    }
}
