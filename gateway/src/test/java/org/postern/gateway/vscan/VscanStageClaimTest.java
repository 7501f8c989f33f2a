// VscanStageClaimTest: the vscan stage's end-of-DATA path with a stub inspector -- a claimed message is left
// alone by the after-queue scan, a before-queue scan over its budget answers LATE and finishes after the
// queue, and a failed content-filter inspection removes the message and answers 451.
package org.postern.gateway.vscan;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.ClientInfo;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.postern.gateway.queue.DeferLog;
import org.postern.gateway.queue.IncomingQueue;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.QueueWriter;
import org.postern.gateway.queue.Spool;
import org.postern.gateway.smtp.Destination;
import org.postern.testkit.Await;

class VscanStageClaimTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private Vertx vertx;
    private Spool spool;
    private IncomingQueue queue;
    private VscanStage stage;
    private final Set<QueueId> scannedAfterQueue = ConcurrentHashMap.newKeySet();
    private final AtomicInteger activated = new AtomicInteger();
    /** When set, after-queue inspections wait for it before moving the message on. */
    private volatile Promise<Void> gate;

    @BeforeEach
    void open() throws Exception {
        vertx = Vertx.vertx();
        spool = Spool.open(dir.resolve("spool"));
        queue = new IncomingQueue(vertx, spool, Clock.systemUTC());
    }

    @AfterEach
    void close() throws Exception {
        if (stage != null) await(stage.stop());
        await(queue.close());
        await(vertx.close());
    }

    /** A stage whose after-queue inspection records the id and moves the message on; {@code now} answers at end of DATA. */
    private void start(NowInspector now) throws Exception {
        VscanStage.Inspector inspector = new VscanStage.Inspector() {
            @Override
            public Future<org.postern.gateway.queue.QueueFile> inspect(Spool s, QueueId id) {
                scannedAfterQueue.add(id);
                Promise<Void> g = gate;
                return (g == null ? Future.<Void>succeededFuture() : g.future()).compose(v -> vertx.executeBlocking(() -> {
                    s.move(id, QueueName.INCOMING, QueueName.ACTIVE);
                    return null;
                }));
            }

            @Override
            public Future<Disposition> inspectNow(Spool s, QueueId id, EndOfData eod) {
                return now.inspect(id, eod);
            }
        };
        // A relay transport that is never called: the stub inspector does not send.
        stage = new VscanStage(vertx, spool, inspector, (id, file) -> activated.incrementAndGet(), 4, Duration.ofMinutes(1),
                (m, d) -> Future.failedFuture("unused"), Clock.systemUTC());
        await(stage.start());
    }

    @FunctionalInterface
    private interface NowInspector {
        Future<Disposition> inspect(QueueId id, EndOfData eod);
    }

    private QueueId commit(VscanStage claimer) throws Exception {
        QueueWriter w = await(queue.create(queue.newQueueId()));
        if (claimer != null) claimer.claim(w.id());
        await(w.write(Buffer.buffer("Subject: t\r\n\r\nbody\r\n")));
        ClientInfo client = new ClientInfo("localhost", "127.0.0.1", 1025, "client.test", "ESMTP", null, null, null, null);
        await(w.commit(new Envelope(w.id(), Instant.now(), client, "a@sender.test", List.of(Recipient.of("u@example.test")),
                -1, Envelope.BodyType.SEVEN_BIT, false, null, null)));
        return w.id();
    }

    /**
     * A queue command pauses the stage per message: refused while an inspection runs (its result could be a
     * rewritten copy in active/ next to what the command holds), granted otherwise, and then no inspection
     * starts until it resumes.
     */
    @Test
    void aQueueCommandPausesTheScanOfItsMessage() throws Exception {
        gate = Promise.promise();
        start((id, eod) -> Future.failedFuture("unused"));
        QueueId scanning = commit(null);
        stage.offer(scanning);
        Await.until("its inspection started", WAIT, () -> scannedAfterQueue.contains(scanning));
        assertThat(await(stage.pause(scanning))).as("an inspection runs").isFalse();
        gate.complete();
        Await.until("moved on", WAIT, () -> Files.exists(spool.file(QueueName.ACTIVE, scanning)));

        QueueId paused = commit(null);
        assertThat(await(stage.pause(paused))).as("nothing inspects it now").isTrue();
        scannedAfterQueue.remove(paused);
        stage.offer(paused);
        stage.wakeup();
        // the stage takes waiting mail in arrival order: once a message offered after it is scanned, the
        // paused one has been passed over
        QueueId later = commit(null);
        stage.offer(later);
        Await.until("the later message scanned", WAIT, () -> scannedAfterQueue.contains(later));
        assertThat(scannedAfterQueue).as("left alone while paused").doesNotContain(paused);
        assertThat(await(stage.pause(paused))).as("one pause at a time").isFalse();

        stage.resume(paused);
        stage.wakeup();
        Await.until("scanned once resumed", WAIT, () -> Files.exists(spool.file(QueueName.ACTIVE, paused)));
    }

    /**
     * Scan notes left by an earlier run (mailq's reason for mail waiting on a scanner): the start removes the
     * note of a message no longer in incoming/, and the note of one still there goes once it is scanned.
     */
    @Test
    void scanNotesOfAnEarlierRunAreRemoved() throws Exception {
        QueueId waiting = commit(null);
        QueueId gone = queue.newQueueId();
        DeferLog.writeScanNote(spool.root(), waiting, "content scan deferred: clamd down");
        DeferLog.writeScanNote(spool.root(), gone, "content scan deferred: clamd down");

        start((id, eod) -> Future.failedFuture("unused"));
        Await.until("the waiting message scanned", WAIT, () -> Files.exists(spool.file(QueueName.ACTIVE, waiting)));
        Await.until("both notes removed", WAIT,
                () -> DeferLog.scanNoted(spool.root()).isEmpty());
    }

    @Test
    void claimedMessageIsLeftToInspectNow() throws Exception {
        Promise<Disposition> held = Promise.promise();
        start((id, eod) -> held.future());
        QueueId claimed = commit(stage);
        Future<Disposition> answer = stage.inspectNow(claimed, ScanRequest.beforeQueue(Duration.ofMinutes(5)));
        QueueId other = commit(null);
        stage.wakeup();
        Await.until("the unclaimed message scanned after the queue", WAIT, () -> scannedAfterQueue.contains(other));
        stage.wakeup();
        Await.until("the other message moved on", WAIT, () -> Files.exists(spool.file(QueueName.ACTIVE, other)));
        assertThat(scannedAfterQueue).doesNotContain(claimed);
        assertThat(answer.isComplete()).isFalse();

        held.complete(new Disposition(Disposition.Outcome.REJECTED,
                org.postern.core.SmtpReply.of(550, "5.7.1", "Message content rejected (test)")));
        assertThat(await(answer).reply().code()).isEqualTo(550);
    }

    @Test
    void beforeQueueOverBudgetAnswersLateThenFinishesAfterTheQueue() throws Exception {
        Promise<Disposition> held = Promise.promise();
        AtomicBoolean settledInTime = new AtomicBoolean(true);
        start((id, eod) -> held.future().map(d -> {
            settledInTime.set(eod.settle());
            return d;
        }));
        QueueId id = commit(stage);
        Disposition d = await(stage.inspectNow(id, ScanRequest.beforeQueue(Duration.ofMillis(100))));
        assertThat(d.outcome()).isEqualTo(Disposition.Outcome.LATE);
        assertThat(d.reply()).isNull(); // smtpd's own 250

        held.complete(Disposition.QUEUED); // the scan ends after its budget
        // (then the claim is gone: the after-queue stage may take the file the stub left, counting again)
        Await.until("the inspection ended", WAIT, () -> activated.get() >= 1);
        assertThat(settledInTime).isFalse(); // disposed of as after the queue: no reject after a 250
    }

    @Test
    void beforeQueueFailureAnswers250AndLeavesTheMessageInIncoming() throws Exception {
        start((id, eod) -> Future.failedFuture(new IOException("not scanned: clamav=tempfail")));
        QueueId id = commit(stage);
        Disposition d = await(stage.inspectNow(id, ScanRequest.beforeQueue(Duration.ofMinutes(5))));
        assertThat(d.outcome()).isEqualTo(Disposition.Outcome.ACCEPTED);
        assertThat(d.reply()).isNull();
        assertThat(Files.exists(spool.file(QueueName.INCOMING, id))).isTrue();
    }

    @Test
    void contentFilterFailureRemovesTheMessageAndAnswers451() throws Exception {
        start((id, eod) -> Future.failedFuture(new IOException("disk trouble")));
        QueueId id = commit(stage);
        Disposition d = await(stage.inspectNow(id, ScanRequest.contentFilter(Destination.smtp("127.0.0.1", 10025))));
        assertThat(d.outcome()).isEqualTo(Disposition.Outcome.TEMPFAIL);
        assertThat(d.reply().code()).isEqualTo(451);
        assertThat(Files.exists(spool.file(QueueName.INCOMING, id))).isFalse();
        assertThat(scannedAfterQueue).doesNotContain(id);
    }

    @Test
    void contentFilterCommitsWithTheNexthopAsFilter() {
        assertThat(ScanRequest.contentFilter(Destination.parse("smtp", "[127.0.0.1]:10025")).filter())
                .isEqualTo("smtp:[127.0.0.1]:10025");
        assertThat(ScanRequest.contentFilter(Destination.parse("smtp", "relay.example:2525")).filter())
                .isEqualTo("smtp:relay.example:2525");
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
