// QuarantineRelease: `postern quarantine release` -- claims recipients of a quarantined message, writes the
// copy for them into the running gateway's queue (queue_directory/active, no second scan) under a new queue
// id, and marks them released. Runs in the CLI's own JVM beside the gateway; governed by quarantine_*.
package org.postern.appliance;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.gateway.queue.IncomingQueue;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.QueueWriterStream;
import org.postern.gateway.queue.Spool;
import org.postern.quarantine.store.Release;
import org.postern.quarantine.store.SqliteQuarantine;

/** One release; blocking ({@link #run}), for the command line only. */
final class QuarantineRelease {
    /** Test seams, called on worker threads between the steps of a release; may block or throw. */
    interface Hooks {
        Hooks NONE = new Hooks() {};

        default void afterClaim(String id) throws IOException {}

        default void beforeCommit(QueueId copy) throws IOException {}

        default void afterCommit(QueueId copy) throws IOException {}

        default void afterComplete(QueueId copy) throws IOException {}
    }

    /**
     * What became of a release.
     *
     * @param queueId the released copy's queue id
     * @param done    true when the recipients are released and the copy is on its way
     */
    record Outcome(String id, List<String> addresses, QueueId queueId, boolean done) {}

    private final Vertx vertx;
    private final SqliteQuarantine store;
    private final Spool spool;
    private final Clock clock;
    private final Hooks hooks;

    QuarantineRelease(Vertx vertx, SqliteQuarantine store, Spool spool, Clock clock, Hooks hooks) {
        this.vertx = vertx;
        this.store = store;
        this.spool = spool;
        this.clock = clock;
        this.hooks = hooks;
    }

    /** Releases {@code rcpt} (all still quarantined when empty) of message {@code id}, each step waiting up to {@code wait}. */
    Outcome run(String id, Optional<String> rcpt, String who, Duration wait) throws Exception {
        Release r = RunCommand.await(store.beginRelease(id, rcpt), wait);
        QueueId queueId;
        try {
            blocking(() -> hooks.afterClaim(id));
            queueId = RunCommand.await(requeue(r), wait);
        } catch (Exception ex) {
            RunCommand.await(store.abortRelease(r.id(), r.addresses()), wait);
            throw ex;
        }
        RunCommand.await(store.completeRelease(r.id(), r.addresses(), who), wait);
        RunCommand.await(vertx.executeBlocking(() -> {
            hooks.afterComplete(queueId);
            return null;
        }, false), wait);
        return new Outcome(r.id(), r.addresses(), queueId, true);
    }

    private void blocking(IoStep step) throws Exception {
        RunCommand.await(vertx.executeBlocking(() -> {
            step.run();
            return null;
        }, false), Duration.ofDays(1));
    }

    @FunctionalInterface
    private interface IoStep {
        void run() throws IOException;
    }

    /** Writes the released copy into active/ under a new queue id: the backend delivers it, vscan does not see it. */
    private Future<QueueId> requeue(Release r) {
        IncomingQueue queue = new IncomingQueue(vertx, spool, clock);
        return queue.create(queue.newQueueId()).compose(w -> vertx.executeBlocking(() -> {
            try (InputStream in = r.content().open(); QueueWriterStream out = new QueueWriterStream(w)) {
                in.transferTo(out);
            }
            hooks.beforeCommit(w.id());
            return w;
        }, false).compose(x -> {
            Envelope e = r.envelope();
            return w.commit(new Envelope(w.id(), e.arrival(), e.client(), e.sender(), e.recipients(), e.declaredSize(),
                    e.body(), e.smtputf8(), e.ret(), e.envid(), null), QueueName.ACTIVE);
        }).compose(x -> vertx.executeBlocking(() -> {
            hooks.afterCommit(w.id());
            return w.id();
        }, false)).recover(e -> w.abort().transform(y -> Future.failedFuture(e))))
                .eventually(queue::close);
    }
}
