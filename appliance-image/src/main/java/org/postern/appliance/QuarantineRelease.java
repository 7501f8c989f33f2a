// QuarantineRelease: `postern quarantine release` -- claims recipients of a quarantined message for a copy
// named by a new queue id, stages that copy in the running gateway's hold/, completes the claim, then sends the
// copy on to active/ (no second scan). Runs in the CLI's JVM beside the gateway; governed by quarantine_*.
package org.postern.appliance;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.gateway.queue.IncomingQueue;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.QueueWriter;
import org.postern.gateway.queue.QueueWriterStream;
import org.postern.gateway.queue.Spool;
import org.postern.quarantine.store.QuarantineRefusal;
import org.postern.quarantine.store.Release;
import org.postern.quarantine.store.SqliteQuarantine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly once, whatever stops it: the copy is delivered only after its claim is complete, and a claim goes back
 * to quarantine only when its copy was never committed (StagedReleases, run first by every release, settles
 * what an interrupted one left). A release slower than the caller's wait is never undone: it goes on, and
 * reports itself in progress. Queue ids come from this process's own id space (IncomingQueue#attached).
 * Blocking ({@link #run}): for the command line only.
 */
final class QuarantineRelease {
    private static final Logger LOG = LoggerFactory.getLogger("postern.quarantine");

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
     * @param addresses the recipients claimed; empty when the wait ran out before the claim
     * @param queueId   the released copy's queue id; null when the wait ran out before the claim
     * @param done      true when the recipients are released and the copy is in active/; false when the release
     *                  goes on in the background, or is left for the recovery to complete or undo
     */
    record Outcome(String id, List<String> addresses, QueueId queueId, boolean done) {}

    private final Vertx vertx;
    private final SqliteQuarantine store;
    private final Spool spool;
    private final Clock clock;
    private final Hooks hooks;
    private final StagedReleases recovery;

    QuarantineRelease(Vertx vertx, SqliteQuarantine store, Spool spool, Clock clock, Hooks hooks) {
        this.vertx = vertx;
        this.store = store;
        this.spool = spool;
        this.clock = clock;
        this.hooks = hooks;
        this.recovery = new StagedReleases(vertx, store, spool, clock);
    }

    /**
     * Settles what interrupted releases left, then releases {@code rcpt} (all still quarantined when empty) of
     * message {@code id}, waiting up to {@code wait} for each. Throws (ExecutionException) when the release is
     * refused or fails before its copy was staged; then nothing was released.
     */
    Outcome run(String id, Optional<String> rcpt, String who, Duration wait) throws Exception {
        try {
            RunCommand.await(recovery.settle(), wait);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            LOG.warn("interrupted quarantine releases not settled: {}", e.getCause() == null ? e : e.getCause().getMessage());
        }
        AtomicReference<Release> claimed = new AtomicReference<>();
        try {
            return RunCommand.await(release(id, rcpt, who, claimed), wait);
        } catch (TimeoutException e) {
            Release r = claimed.get(); // never undone: the copy may still be staged and sent on
            return new Outcome(id, r == null ? List.of() : r.addresses(), r == null ? null : r.copy(), false);
        }
    }

    private Future<Outcome> release(String id, Optional<String> rcpt, String who, AtomicReference<Release> claimed) {
        IncomingQueue queue = IncomingQueue.attached(vertx, spool, clock);
        // the copy's temporary file exists before its claim: the recovery sees a live release's progress by it
        return queue.create(queue.newQueueId()).compose(w -> store.beginRelease(id, rcpt, w.id(), who)
                        .recover(refused -> w.abort().transform(x -> Future.<Release>failedFuture(refused)))
                        .compose(r -> {
                            claimed.set(r);
                            return stage(w, r).compose(v -> complete(r));
                        }))
                .eventually(queue::close);
    }

    /**
     * Writes the copy and commits it into hold/, flagged as staged. On failure the claim is undone: a staged copy
     * is never sent on without its claim complete, so even one that reached hold/ regardless is only dropped.
     */
    private Future<Void> stage(QueueWriter w, Release r) {
        return blocking(() -> {
            hooks.afterClaim(r.id());
            try (InputStream in = r.content().open(); QueueWriterStream out = new QueueWriterStream(w)) {
                in.transferTo(out);
            }
            hooks.beforeCommit(w.id());
        }).compose(v -> {
            Envelope e = r.envelope();
            return w.commitStagedRelease(new Envelope(w.id(), e.arrival(), e.client(), e.sender(), e.recipients(),
                    e.declaredSize(), e.body(), e.smtputf8(), e.ret(), e.envid(), null));
        }).recover(failed -> w.abort().transform(x -> store.abortRelease(r.id(), r.copy()))
                .transform(x -> Future.<Void>failedFuture(failed)))
                .compose(v -> blocking(() -> hooks.afterCommit(w.id())));
    }

    /**
     * Completes the claim, then sends the staged copy on. A claim undone meanwhile (by a recovery that took this
     * release for dead) refuses: the copy goes. Any other failure from here leaves the release to the recovery.
     */
    private Future<Outcome> complete(Release r) {
        Outcome done = new Outcome(r.id(), r.addresses(), r.copy(), true);
        Outcome pending = new Outcome(r.id(), r.addresses(), r.copy(), false);
        return store.completeRelease(r.id(), r.copy()).transform(ar -> {
            if (ar.succeeded()) {
                return blocking(() -> hooks.afterComplete(r.copy()))
                        .compose(v -> recovery.sendOn(r.id(), r.copy()))
                        .map(done)
                        .otherwise(e -> {
                            LOG.warn("{}: quarantine release of {}: not sent on yet: {}", r.copy(), r.id(), e.toString());
                            return pending;
                        });
            }
            if (ar.cause() instanceof QuarantineRefusal) {
                QuarantineRefusal undone = new QuarantineRefusal(QuarantineRefusal.Kind.NOT_BEING_RELEASED, "release of "
                        + r.id() + " undone meanwhile (its claim looked abandoned): nothing was sent; release it again");
                return blocking(() -> spool.remove(r.copy(), QueueName.HOLD)).transform(x -> Future.failedFuture(undone));
            }
            LOG.warn("{}: quarantine release of {}: not completed yet: {}", r.copy(), r.id(), ar.cause().toString());
            return Future.succeededFuture(pending);
        });
    }

    /** Makes the command halt the JVM at {@code step} (after-claim, after-commit, after-complete): a crash, for tests. */
    static Hooks haltingAt(String step) {
        return new Hooks() {
            @Override
            public void afterClaim(String id) {
                halt("after-claim");
            }

            @Override
            public void afterCommit(QueueId copy) {
                halt("after-commit");
            }

            @Override
            public void afterComplete(QueueId copy) {
                halt("after-complete");
            }

            private void halt(String here) {
                if (here.equals(step)) Runtime.getRuntime().halt(137);
            }
        };
    }

    @FunctionalInterface
    private interface IoStep {
        void run() throws IOException;
    }

    private Future<Void> blocking(IoStep step) {
        return vertx.executeBlocking(() -> {
            step.run();
            return null;
        }, false);
    }
}
