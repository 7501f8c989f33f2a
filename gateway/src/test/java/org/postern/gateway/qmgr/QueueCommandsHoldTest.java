// QueueCommandsHoldTest: mail held before the content filter (cleanup's HOLD action, `queue hold` of mail in
// incoming/) goes back to incoming/ when released, to be scanned; mail held after the scan (active/,
// deferred/) goes on to deferred/ as in Postfix; a quarantine release's staged copy is neither released nor
// requeued. The flags live in the queue file and survive restarts.
package org.postern.gateway.qmgr;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.ClientInfo;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.postern.gateway.queue.IncomingQueue;
import org.postern.gateway.queue.QueueFile;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.QueueWriter;
import org.postern.gateway.queue.Spool;

class QueueCommandsHoldTest {
    @TempDir
    Path dir;

    private Vertx vertx;
    private Spool spool;
    private IncomingQueue queue;
    private QueueCommands commands;

    @BeforeEach
    void open() throws Exception {
        vertx = Vertx.vertx();
        spool = Spool.open(dir.resolve("spool"));
        queue = new IncomingQueue(vertx, spool, Clock.systemUTC());
        commands = new QueueCommands(spool); // the bare spool, as with no gateway running
    }

    @AfterEach
    void close() throws Exception {
        await(queue.close());
        await(vertx.close());
    }

    private QueueId commit(QueueName target) throws Exception {
        QueueWriter w = await(queue.create(queue.newQueueId()));
        await(w.write(Buffer.buffer("Subject: t\r\n\r\nbody\r\n")));
        await(w.commit(envelope(w.id()), target));
        return w.id();
    }

    private QueueId stageRelease() throws Exception {
        QueueWriter w = await(queue.create(queue.newQueueId()));
        await(w.write(Buffer.buffer("Subject: t\r\n\r\nbody\r\n")));
        await(w.commitStagedRelease(envelope(w.id())));
        return w.id();
    }

    private static Envelope envelope(QueueId id) {
        return new Envelope(id, Clock.systemUTC().instant(),
                new ClientInfo("c.test", "192.0.2.1", 1, "c.test", "ESMTP", null, null, null, null), "a@s.test",
                List.of(Recipient.of("r@x.test")), -1, Envelope.BodyType.SEVEN_BIT, false, null, null);
    }

    private List<String> run(QueueCommands.Op op, QueueId id) throws Exception {
        return await(commands.run(op, id.value(), null));
    }

    @Test
    void mailCleanupHeldIsScannedWhenReleased() throws Exception {
        QueueId id = commit(QueueName.HOLD);
        assertThat(QueueFile.heldUnscanned(spool.file(QueueName.HOLD, id))).isTrue();
        assertThat(run(QueueCommands.Op.RELEASE, id)).containsExactly(id + ": released from hold (to be scanned)",
                "Released from hold: 1 message");
        assertThat(spool.ids(QueueName.INCOMING)).containsExactly(id);
        assertThat(spool.ids(QueueName.DEFERRED)).isEmpty();
    }

    @Test
    void mailHeldFromIncomingIsScannedWhenReleased() throws Exception {
        QueueId id = commit(QueueName.INCOMING);
        assertThat(QueueFile.heldUnscanned(spool.file(QueueName.INCOMING, id))).isFalse();
        assertThat(run(QueueCommands.Op.HOLD, id)).contains(id + ": placed on hold");
        assertThat(run(QueueCommands.Op.RELEASE, id)).contains(id + ": released from hold (to be scanned)");
        assertThat(spool.ids(QueueName.INCOMING)).containsExactly(id);
    }

    @Test
    void mailHeldAfterTheScanGoesOnToDeferred() throws Exception {
        QueueId id = commit(QueueName.HOLD); // flagged unscanned ...
        assertThat(run(QueueCommands.Op.RELEASE, id)).isNotEmpty();
        spool.promote(id); // ... scanned: vscan moves it on to active/ (a rename: the flag is still set)
        assertThat(run(QueueCommands.Op.HOLD, id)).contains(id + ": placed on hold");
        assertThat(QueueFile.heldUnscanned(spool.file(QueueName.HOLD, id))).as("cleared when held from active/").isFalse();
        assertThat(run(QueueCommands.Op.RELEASE, id)).containsExactly(id + ": released from hold",
                "Released from hold: 1 message");
        assertThat(spool.ids(QueueName.DEFERRED)).containsExactly(id);
        assertThat(spool.ids(QueueName.INCOMING)).isEmpty();
    }

    /**
     * A message that still owes its sender a notice (a bounce log) is requeued to deferred/, due now, not
     * through vscan: a copy under a new id, or a message with nothing left to deliver, would lose the notice.
     */
    @Test
    void aMessageOwingANoticeIsRequeuedToDeferredNotThroughTheScan() throws Exception {
        QueueId owing = commit(QueueName.INCOMING);
        spool.move(owing, QueueName.INCOMING, QueueName.DEFERRED);
        java.nio.file.Files.setLastModifiedTime(spool.file(QueueName.DEFERRED, owing),
                java.nio.file.attribute.FileTime.from(Clock.systemUTC().instant().plusSeconds(3600)));
        org.postern.gateway.queue.BounceLog.append(spool.root(), owing, org.postern.gateway.queue.BounceLog.Kind.BOUNCED,
                List.of(new org.postern.gateway.queue.BounceLog.Entry(0, "r@x.test", "failed", "5.1.1", "550 no such user")));
        QueueId plain = commit(QueueName.INCOMING);
        spool.move(plain, QueueName.INCOMING, QueueName.DEFERRED);

        assertThat(await(commands.run(QueueCommands.Op.REQUEUE, "ALL", null))).contains(
                owing + ": requeued (to deferred/, due now: a notice is still owed)", plain + ": requeued",
                "Requeued: 2 messages");
        assertThat(spool.ids(QueueName.DEFERRED)).containsExactly(owing);
        assertThat(spool.ids(QueueName.INCOMING)).containsExactly(plain);
        assertThat(java.nio.file.Files.getLastModifiedTime(spool.file(QueueName.DEFERRED, owing)).toInstant())
                .isBeforeOrEqualTo(Clock.systemUTC().instant());
        assertThat(org.postern.gateway.queue.BounceLog.owed(spool.root(), owing)).isTrue();
    }

    /**
     * Sending a staged copy on is its quarantine release's business: done here it would deliver mail whose release
     * may yet be undone (and released again). Deleting it cancels the release.
     */
    @Test
    void aStagedQuarantineReleaseIsNeitherReleasedNorRequeued() throws Exception {
        QueueId id = stageRelease();
        assertThat(QueueFile.stagedRelease(spool.file(QueueName.HOLD, id))).isTrue();
        assertThat(QueueFile.heldUnscanned(spool.file(QueueName.HOLD, id))).isFalse();
        assertThat(run(QueueCommands.Op.RELEASE, id)).containsExactly(id + ": staged quarantine release, left in hold "
                + "(`postern quarantine purge` sends it on or drops it)", "Released from hold: 0 messages");
        assertThat(await(commands.run(QueueCommands.Op.REQUEUE, "ALL", null))).contains("Requeued: 0 messages");
        assertThat(run(QueueCommands.Op.HOLD, id)).contains("Placed on hold: 0 messages");
        assertThat(spool.ids(QueueName.HOLD)).containsExactly(id);

        spool.move(id, QueueName.HOLD, QueueName.ACTIVE); // what its release does once complete
        assertThat(run(QueueCommands.Op.HOLD, id)).contains(id + ": placed on hold");
        assertThat(QueueFile.stagedRelease(spool.file(QueueName.HOLD, id))).as("held again: an ordinary message").isFalse();
        assertThat(run(QueueCommands.Op.RELEASE, id)).contains(id + ": released from hold");

        QueueId cancelled = stageRelease();
        assertThat(run(QueueCommands.Op.DELETE, cancelled)).contains(cancelled + ": removed");
        assertThat(spool.ids(QueueName.HOLD)).isEmpty();
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
}
