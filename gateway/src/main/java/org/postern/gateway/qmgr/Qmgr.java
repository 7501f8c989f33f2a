// Qmgr: the queue manager of the backend instance -- takes mail that vscan (or a bounce, or the reinjection
// listener) put into active/ and due mail from deferred/, delivers it per next hop (Deliveries), then removes,
// defers with backoff or expires each message. Governed by the parameters of QmgrSettings; hold/ is never scheduled.
package org.postern.gateway.qmgr;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.postern.core.QueueId;
import org.postern.gateway.queue.CorruptQueueFileException;
import org.postern.gateway.queue.QueueFile;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.Spool;
import org.postern.gateway.smtp.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler. All its state lives on one Vert.x context; queue-file I/O and fsyncs run on the
 * worker pool {@value #POOL_NAME}. Retry state is on disk, not in memory: a deferred file's mtime is
 * its next attempt time (as Postfix's deferred queue), so a restart loses no backoff. Every file in
 * active/ that no delivery holds is taken at the next scan, so what a crash left there is delivered
 * again after a restart -- only its pending recipients.
 */
public final class Qmgr {
    static final String POOL_NAME = "postern-qmgr";
    static final int POOL_SIZE = 8;
    static final Logger LOG = LoggerFactory.getLogger("postern.qmgr");

    /** Test seam, called on a worker after each recipient's status is fsync'd (ActiveFiles.mark). */
    interface Hooks {
        Hooks NONE = new Hooks() {};

        default void afterMark(QueueId id, int index) throws IOException {}
    }

    private final Vertx vertx;
    private final Spool spool;
    private final QmgrSettings settings;
    private final Clock clock;
    private final Backoff backoff;
    private final Context context;
    private final WorkerExecutor workers;
    private final Deliveries deliveries;
    private final MessageEnd ends;
    // State below: only on `context`.
    private final Set<QueueId> busy = new HashSet<>();
    /**
     * Ids whose activation ended lately, with when. The periodic listing of active/ may take a message vscan has
     * just moved there before vscan's hand-off arrives; the hand-off then names a message already delivered (or
     * deferred) and is dropped. Dropping one is always safe: a message that is really in active/ is found by
     * the next listing. Entries older than {@link #RECENT} go at each listing.
     */
    private final Map<QueueId, Instant> recentlyEnded = new HashMap<>();
    private static final java.time.Duration RECENT = java.time.Duration.ofSeconds(30);
    private final Map<QueueId, ActiveMessage> messages = new HashMap<>();
    /** What `postern queue` asked for a message that was being delivered: applied when its deliveries end. */
    private final Map<QueueId, QueueCommands.Op> requested = new HashMap<>();
    private long incomingTimer = -1;
    private long deferredTimer = -1;
    private boolean scanning;
    private boolean rescan;
    private boolean stopping;
    private volatile boolean abandoned;

    public Qmgr(Vertx vertx, Spool spool, Transport transport, Router router, BounceSink bounces,
                QmgrSettings settings, Clock clock) {
        this(vertx, spool, transport, router, bounces, settings, clock, Hooks.NONE);
    }

    Qmgr(Vertx vertx, Spool spool, Transport transport, Router router, BounceSink bounces, QmgrSettings settings,
         Clock clock, Hooks hooks) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.spool = Objects.requireNonNull(spool, "spool");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.backoff = new Backoff(settings);
        ActiveFiles files = new ActiveFiles(spool, hooks, () -> abandoned);
        this.context = vertx.getOrCreateContext();
        this.workers = vertx.createSharedWorkerExecutor(POOL_NAME, POOL_SIZE);
        this.deliveries = new Deliveries(this, files, Objects.requireNonNull(transport, "transport"),
                Objects.requireNonNull(router, "router"), settings, clock);
        BounceFlush notices = new BounceFlush(this, spool, Objects.requireNonNull(bounces, "bounces"));
        this.ends = new MessageEnd(this, files, spool, notices, backoff, settings, clock);
    }

    /**
     * Scans active/ every incomingPollInterval (and on {@link #wakeup()}) and deferred/ every
     * queue_run_delay, delivering in the background.
     */
    public Future<Void> start() {
        return onContext(() -> {
            incomingTimer = vertx.setPeriodic(settings.incomingPollInterval().toMillis(), t -> wakeup());
            deferredTimer = vertx.setPeriodic(settings.queueRunDelay().toMillis(), t -> runDeferred());
            wakeup();
            runDeferred();
            return Future.succeededFuture();
        });
    }

    /**
     * Stops scanning and starting deliveries; deliveries in flight finish and their outcomes are recorded.
     * Messages still in active/ stay there for the next start.
     */
    public Future<Void> stop() {
        return onContext(() -> {
            stopping = true;
            cancelTimers();
            return deliveries.drained();
        }).compose(v -> onContext(() -> {
            abandonAll();
            return workers.close();
        }));
    }

    /**
     * A message that just reached active/ (moved there by vscan, committed there by bounce or the
     * reinjection listener): taken at once, without listing the directory. Does not block.
     */
    public void activated(QueueId id) {
        activated(id, null);
    }

    /** As {@link #activated(QueueId)}, with the queue file the caller already read there (null: read it). */
    public void activated(QueueId id, QueueFile file) {
        context.runOnContext(v -> {
            if (stopping || abandoned || recentlyEnded.containsKey(id)) return;
            if (busy.add(id)) activate(id, QueueName.ACTIVE, file, true).onComplete(ar -> ended(id));
        });
    }

    /** An activation of {@code id} is over (on the context). */
    private void ended(QueueId id) {
        busy.remove(id);
        recentlyEnded.put(id, clock.instant());
    }

    /** Asks for a scan of active/ now (the periodic fallback, flush). Does not block. */
    public void wakeup() {
        context.runOnContext(v -> {
            if (stopping || abandoned) return;
            if (scanning) {
                rescan = true;
                return;
            }
            scanning = true;
            scan(QueueName.ACTIVE, false).onComplete(ar -> {
                scanning = false;
                if (rescan) {
                    rescan = false;
                    wakeup();
                }
            });
        });
    }

    /** Scans active/ once; completes when every message it picked has been delivered, deferred or removed. */
    public Future<Void> runActive() {
        return onContext(() -> scan(QueueName.ACTIVE, false)).compose(Qmgr::all);
    }

    /** Scans deferred/ once for messages whose retry time (mtime) has come; completes as {@link #runIncoming()}. */
    public Future<Void> runDeferred() {
        return onContext(() -> scan(QueueName.DEFERRED, true)).compose(Qmgr::all);
    }

    /** Lists {@code q}, takes the files not busy and activates them; completes once they are all taken. */
    private Future<List<Future<Void>>> scan(QueueName q, boolean dueOnly) {
        if (stopping || abandoned) return Future.succeededFuture(List.of());
        Instant now = clock.instant();
        Instant forget = now.minus(RECENT);
        recentlyEnded.values().removeIf(t -> t.isBefore(forget));
        return blocking(() -> list(q, dueOnly ? now : null)).map(ids -> {
            List<Future<Void>> out = new ArrayList<>();
            for (QueueId id : ids) {
                if (stopping || abandoned) break;
                if (busy.add(id)) out.add(activate(id, q).onComplete(ar -> ended(id)));
            }
            return out;
        });
    }

    private List<QueueId> list(QueueName q, Instant dueBy) throws IOException {
        List<QueueId> ids = spool.ids(q);
        if (dueBy == null) return ids;
        List<QueueId> due = new ArrayList<>();
        for (QueueId id : ids) {
            try {
                if (!Files.getLastModifiedTime(spool.file(q, id)).toInstant().isAfter(dueBy)) due.add(id);
            } catch (NoSuchFileException e) {
                // taken by someone else since the listing
            }
        }
        return due;
    }

    private Future<Void> activate(QueueId id, QueueName from) {
        return activate(id, from, null, false);
    }

    /**
     * Moves one message into active/, reads it (unless {@code known}) and hands it to the deliveries; never fails.
     * {@code handedOn}: new mail handed over by the commit listener or vscan, never deferred (no defer log).
     */
    private Future<Void> activate(QueueId id, QueueName from, QueueFile known, boolean handedOn) {
        Instant activeAt = clock.instant();
        Future<QueueFile> read = known != null ? Future.succeededFuture(known) : blocking(() -> {
            if (abandoned) throw new IllegalStateException("abandoned");
            if (from != QueueName.ACTIVE) spool.move(id, from, QueueName.ACTIVE);
            return QueueFile.read(spool.file(QueueName.ACTIVE, id));
        });
        return read.compose(file -> {
            ActiveMessage m = new ActiveMessage(file, activeAt, handedOn);
            if (abandoned || stopping) return Future.succeededFuture();
            messages.put(id, m);
            LOG.info(DeliveryLogFormat.active(id, file.envelope().sender(), file.contentLength(),
                    file.envelope().recipients().size()));
            deliveries.start(m);
            return m.done.future();
        }, e -> cannotActivate(id, e));
    }

    private Future<Void> cannotActivate(QueueId id, Throwable e) {
        if (abandoned || e instanceof NoSuchFileException) return Future.succeededFuture();
        if (e instanceof CorruptQueueFileException) {
            LOG.warn("{}: {}; moving it to the corrupt queue", id, e.getMessage());
            return blocking(() -> spool.move(id, QueueName.ACTIVE, QueueName.CORRUPT)).<Void>mapEmpty()
                    .recover(x -> {
                        LOG.warn("{}: cannot move to corrupt: {}", id, x.toString());
                        return Future.succeededFuture();
                    });
        }
        LOG.warn("{}: cannot activate: {}", id, e.toString());
        return Future.succeededFuture();
    }

    /**
     * Ends a message whose deliveries are all done (MessageEnd: expiry, notices, then removal, deferral or
     * the `postern queue` operation asked for meanwhile), then lets go of it.
     */
    void finish(ActiveMessage m) {
        if (stopping || abandoned) {
            abandon(m);
            return;
        }
        ends.finish(m, requested.remove(m.id()))
                .onFailure(e -> LOG.warn("{}: cannot finish: {}", m.id(), e.toString()))
                .onComplete(ar -> abandon(m));
    }

    /** Simulates a crash (tests): nothing more is written, scheduled or moved. */
    void kill() {
        abandoned = true;
        context.runOnContext(v -> {
            cancelTimers();
            abandonAll();
        });
    }

    boolean abandoned() {
        return abandoned;
    }

    private void abandon(ActiveMessage m) {
        messages.remove(m.id(), m);
        m.done.tryComplete();
    }

    private void abandonAll() {
        for (ActiveMessage m : List.copyOf(messages.values())) abandon(m);
    }

    private void cancelTimers() {
        if (incomingTimer >= 0) vertx.cancelTimer(incomingTimer);
        if (deferredTimer >= 0) vertx.cancelTimer(deferredTimer);
        incomingTimer = deferredTimer = -1;
    }

    /**
     * Runs a `postern queue` operation on one message without racing a delivery: a message being
     * delivered gets the operation when its deliveries end (the outcomes already known are kept);
     * any other is claimed, changed on a worker and released. Completes with the log line, or null
     * when the message is in none of {@code queues}.
     */
    Future<String> command(QueueId id, QueueCommands.Op op, List<QueueName> queues) {
        return onContext(() -> {
            if (messages.containsKey(id) && queues.contains(QueueName.ACTIVE)) {
                requested.put(id, op);
                return Future.succeededFuture(id + ": " + op.done() + " (after the delivery in progress)");
            }
            if (!busy.add(id)) return Future.succeededFuture(id + ": busy, try again");
            return blocking(() -> QueueCommands.applyAnywhere(spool, id, queues, op))
                    .andThen(ar -> busy.remove(id));
        });
    }

    /** Makes every deferred message due now and runs the deferred queue (postqueue -f). */
    public Future<Void> flush() {
        return blocking(() -> {
            FileTime now = FileTime.from(clock.instant());
            for (QueueId id : spool.ids(QueueName.DEFERRED)) {
                try {
                    Files.setLastModifiedTime(spool.file(QueueName.DEFERRED, id), now);
                } catch (NoSuchFileException e) {
                    // taken meanwhile
                }
            }
            return null;
        }).compose(v -> {
            runDeferred();
            wakeup();
            return Future.<Void>succeededFuture();
        });
    }

    /** Routes with {@code router} from now on (postern reload: transport_maps, relayhost, ... read anew). */
    public void reconfigure(Router router) {
        deliveries.router(router);
    }

    /** How many messages are being delivered now (for status and tests). */
    public Future<Integer> activeCount() {
        return onContext(() -> Future.succeededFuture(messages.size()));
    }

    /** Runs {@code task} on a worker; the returned future completes on the qmgr context. */
    <T> Future<T> blocking(Callable<T> task) {
        return onContext(workers.executeBlocking(task, false));
    }

    /** {@code f}, completed on the qmgr context. */
    <T> Future<T> onContext(Future<T> f) {
        Promise<T> p = Promise.promise();
        f.onComplete(ar -> context.runOnContext(v -> {
            if (ar.succeeded()) p.complete(ar.result());
            else p.fail(ar.cause());
        }));
        return p.future();
    }

    private <T> Future<T> onContext(Supplier<Future<T>> action) {
        Promise<T> p = Promise.promise();
        context.runOnContext(v -> {
            Future<T> f;
            try {
                f = action.get();
            } catch (RuntimeException e) {
                f = Future.failedFuture(e);
            }
            f.onComplete(ar -> {
                if (ar.succeeded()) p.complete(ar.result());
                else p.fail(ar.cause());
            });
        });
        return p.future();
    }

    private static Future<Void> all(List<Future<Void>> fs) {
        return Future.join(fs).mapEmpty();
    }
}
