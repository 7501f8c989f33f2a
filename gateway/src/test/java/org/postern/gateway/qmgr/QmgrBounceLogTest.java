// QmgrBounceLogTest: no notice is lost between a recipient's final status and the notice's commit -- the
// reason is in the bounce log (fsync'd) before the status; a crash right after the status, or a notice that
// cannot be queued (a failing BounceSink), leaves the message queued and the next run sends the notice once,
// delivering no recipient again; mail that is only delivered writes no log; `postern queue delete` removes it.
package org.postern.gateway.qmgr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.postern.gateway.LogCapture;
import org.postern.gateway.queue.BounceLog;
import org.postern.gateway.queue.QueueFile;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.RecipientStatus;
import org.postern.gateway.smtp.RecipientResult.Status;

class QmgrBounceLogTest extends QmgrTestBase {

    /** Records every notice it is asked for; fails the first {@code failures} calls like a full disk. */
    static final class Sink implements BounceSink {
        final List<List<Bounced>> bounces = Collections.synchronizedList(new ArrayList<>());
        final List<List<Succeeded>> successes = Collections.synchronizedList(new ArrayList<>());
        volatile int failures;
        volatile int calls;

        @Override
        public Future<Void> bounced(QueueFile file, List<Bounced> recipients) {
            return answer(() -> bounces.add(recipients));
        }

        @Override
        public Future<Void> succeeded(QueueFile file, List<Succeeded> recipients) {
            return answer(() -> successes.add(recipients));
        }

        private synchronized Future<Void> answer(Runnable queued) {
            if (calls++ < failures) return Future.failedFuture(new IOException("No space left on device"));
            queued.run();
            return Future.succeededFuture();
        }
    }

    private Qmgr qmgr(BounceSink sink) {
        return new Qmgr(vertx, spool, transport, StaticRouter.relayhost(RELAY), sink, QmgrSettings.defaults(), clock);
    }

    private Path bounceDir() {
        return spool.root().resolve("bounce");
    }

    private List<RecipientStatus> statuses(QueueName q, QueueId id) throws Exception {
        return QueueFile.read(spool.file(q, id)).recipientStatuses();
    }

    @Test
    void aCrashRightAfterTheBouncedStatusThenARestartSendsTheNoticeOnce() throws Exception {
        QueueId id = queue("a@s.test", "bad@x.test", "ok@x.test");
        transport.answer = a -> a.startsWith("bad") ? Status.BOUNCED : Status.SENT;
        Sink sink = new Sink();
        Qmgr[] first = new Qmgr[1];
        first[0] = new Qmgr(vertx, spool, transport, StaticRouter.relayhost(RELAY), sink, QmgrSettings.defaults(), clock,
                new Qmgr.Hooks() {
                    @Override
                    public void afterMark(QueueId q, int index) throws IOException {
                        if (index == 1) { // both outcomes are on disk; the notice is not queued yet
                            first[0].kill();
                            throw new IOException("killed");
                        }
                    }
                });
        await(first[0].runActive());
        assertThat(spool.find(id)).isEqualTo(QueueName.ACTIVE);
        assertThat(statuses(QueueName.ACTIVE, id)).containsExactly(RecipientStatus.BOUNCED, RecipientStatus.DELIVERED);
        assertThat(sink.bounces).isEmpty();

        Qmgr second = qmgr(sink); // the restart: active/ is run again
        await(second.runActive());
        assertThat(sink.bounces).singleElement().satisfies(b -> assertThat(b)
                .extracting(BounceSink.Bounced::address, BounceSink.Bounced::dsn, BounceSink.Bounced::reason)
                .containsExactly(tuple("bad@x.test", "5.1.1", "550 5.1.1 no such user")));
        assertThat(spool.find(id)).isNull();
        assertThat(bounceDir()).isEmptyDirectory();
        assertThat(transport.calls).as("nobody delivered twice").containsExactly(List.of("bad@x.test", "ok@x.test"));

        clock.advance(Duration.ofHours(1));
        await(second.runActive());
        await(second.runDeferred());
        assertThat(sink.bounces).as("sent once").hasSize(1);
    }

    @Test
    void aNoticeThatCannotBeQueuedKeepsTheMessageAndTheNextAttemptSendsIt() throws Exception {
        QueueId id = queue("a@s.test", "bad@x.test", "ok@x.test");
        transport.answer = a -> a.startsWith("bad") ? Status.BOUNCED : Status.SENT;
        Sink sink = new Sink();
        sink.failures = 1;
        Qmgr q = qmgr(sink);
        try (LogCapture log = LogCapture.of("postern.qmgr")) {
            await(q.runActive());
            assertThat(log.lines()).contains(id + ": bounce notice not queued: java.io.IOException: No space left on "
                    + "device; will retry").noneMatch(l -> l.equals(id + ": removed"));
        }
        assertThat(spool.find(id)).as("kept, with nothing left to deliver").isEqualTo(QueueName.DEFERRED);
        assertThat(statuses(QueueName.DEFERRED, id)).containsExactly(RecipientStatus.BOUNCED, RecipientStatus.DELIVERED);
        assertThat(sink.bounces).isEmpty();

        clock.advance(Duration.ofSeconds(300)); // minimal_backoff_time
        await(q.runDeferred());
        assertThat(sink.bounces).singleElement().satisfies(b -> assertThat(b).extracting(BounceSink.Bounced::address)
                .containsExactly("bad@x.test"));
        assertThat(spool.find(id)).isNull();
        assertThat(bounceDir()).isEmptyDirectory();
        assertThat(transport.calls).as("the retry delivers nothing again").hasSize(1);
    }

    @Test
    void aSuccessNoticeThatCannotBeQueuedIsSentOnTheNextAttempt() throws Exception {
        transport.dsnOffered = false; // the next hop takes no NOTIFY=SUCCESS: we report "relayed"
        QueueId id = queue(QueueName.ACTIVE, "a@s.test", List.of(
                new Recipient("yes@x.test", Set.of(Recipient.Notify.SUCCESS), null), Recipient.of("no@x.test")));
        Sink sink = new Sink();
        sink.failures = 1;
        Qmgr q = qmgr(sink);
        await(q.runActive());
        assertThat(spool.find(id)).isEqualTo(QueueName.DEFERRED);
        clock.advance(Duration.ofSeconds(300));
        await(q.runDeferred());
        assertThat(sink.successes).singleElement().satisfies(s -> assertThat(s)
                .extracting(BounceSink.Succeeded::address, BounceSink.Succeeded::action)
                .containsExactly(tuple("yes@x.test", "relayed")));
        assertThat(spool.find(id)).isNull();
        assertThat(transport.calls).hasSize(1);
        assertThat(bounceDir()).isEmptyDirectory();
    }

    @Test
    void anExpiredMessageWhoseBounceFailsIsBouncedOnTheNextAttemptNotDeliveredAgain() throws Exception {
        QueueId id = queue("a@s.test", "slow@x.test");
        transport.answer = a -> Status.DEFERRED;
        Sink sink = new Sink();
        sink.failures = 1;
        Qmgr q = qmgr(sink);
        await(q.runActive());
        clock.advance(Duration.ofDays(5));
        await(q.runDeferred()); // delivered once more, expired, its bounce not queued
        assertThat(spool.find(id)).isEqualTo(QueueName.DEFERRED);
        assertThat(statuses(QueueName.DEFERRED, id)).containsExactly(RecipientStatus.BOUNCED);
        assertThat(sink.bounces).isEmpty();
        clock.advance(Duration.ofHours(2));
        await(q.runDeferred());
        assertThat(sink.bounces).singleElement().satisfies(b -> assertThat(b)
                .extracting(BounceSink.Bounced::address, BounceSink.Bounced::dsn)
                .containsExactly(tuple("slow@x.test", "4.2.0")));
        assertThat(transport.calls).hasSize(2);
        assertThat(spool.find(id)).isNull();
    }

    @Test
    void theReasonIsOnDiskBeforeTheBouncedStatusAndDeliveredMailWritesNoLog() throws Exception {
        QueueId bounced = queue("a@s.test", "ok@x.test", "bad@x.test");
        QueueId delivered = queue("a@s.test", "r1@x.test", "r2@x.test");
        QueueId deferred = queue("a@s.test", "r3@x.test", "slow@x.test"); // marked one by one, not just removed
        transport.answer = a -> a.startsWith("bad") ? Status.BOUNCED
                : a.startsWith("slow") ? Status.DEFERRED : Status.SENT;
        List<String> atMark = Collections.synchronizedList(new ArrayList<>());
        Qmgr q = new Qmgr(vertx, spool, transport, StaticRouter.relayhost(RELAY), new Sink(), QmgrSettings.defaults(),
                clock, new Qmgr.Hooks() {
                    @Override
                    public void afterMark(QueueId id, int index) throws IOException {
                        List<BounceLog.Entry> log = BounceLog.read(spool.root(), id, BounceLog.Kind.BOUNCED);
                        atMark.add(id.value() + "/" + index + ": " + (log == null ? "no log"
                                : log.stream().map(BounceLog.Entry::address).toList()));
                    }
                });
        await(q.runActive());
        assertThat(atMark).contains(bounced.value() + "/1: [bad@x.test]", deferred.value() + "/0: no log",
                deferred.value() + "/1: no log");
        assertThat(atMark).noneMatch(l -> l.startsWith(delivered.value()));
        assertThat(spool.find(delivered)).isNull();
        assertThat(spool.find(bounced)).isNull();
        assertThat(spool.find(deferred)).isEqualTo(QueueName.DEFERRED);
        assertThat(bounceDir()).isEmptyDirectory();
    }

    @Test
    void anEntryWhoseStatusWasNeverWrittenIsNotSent() throws Exception {
        QueueId id = queue(QueueName.DEFERRED, "a@s.test", "r@x.test");
        // a crash between the log's append and the status write: the recipient is still to be delivered
        BounceLog.append(spool.root(), id, BounceLog.Kind.BOUNCED,
                List.of(new BounceLog.Entry(0, "r@x.test", "failed", "5.1.1", "no such user")));
        Files.setLastModifiedTime(spool.file(QueueName.DEFERRED, id), FileTime.from(clock.instant())); // due now
        Sink sink = new Sink();
        await(qmgr(sink).runDeferred());
        assertThat(transport.calls).containsExactly(List.of("r@x.test"));
        assertThat(sink.bounces).isEmpty();
        assertThat(spool.find(id)).isNull();
        assertThat(bounceDir()).as("the stale log goes with the message").isEmptyDirectory();
    }

    @Test
    void queueDeleteRemovesTheBounceLog() throws Exception {
        QueueId id = queue("a@s.test", "bad@x.test");
        transport.answer = a -> Status.BOUNCED;
        Sink sink = new Sink();
        sink.failures = 1;
        await(qmgr(sink).runActive());
        assertThat(Files.exists(bounceDir().resolve(id.value()))).isTrue();
        assertThat(await(new QueueCommands(spool).run(QueueCommands.Op.DELETE, id.value(), null)))
                .contains(id + ": removed");
        assertThat(spool.find(id)).isNull();
        assertThat(bounceDir()).isEmptyDirectory();
    }
}
