// VscanStage: the content-filter stage between the two instances -- takes each message smtpd committed to
// incoming/, has it inspected (Inspector) and moves what is to be delivered into active/; before-queue and
// content-filter listeners claim theirs and ask inspectNow at end of DATA. Governed by vscan_* parameters.
package org.postern.gateway.vscan;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.postern.core.QueueId;
import org.postern.core.SmtpReply;
import org.postern.gateway.qmgr.QueueCommands;
import org.postern.gateway.queue.QueueFile;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.Spool;
import org.postern.gateway.smtp.QueuedMessage;
import org.postern.gateway.smtp.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler of the vscan stage. State lives on one Vert.x context; queue-file work runs on the
 * worker pool {@value #POOL_NAME}. A message the inspector cannot finish (scanner down) waits in
 * incoming/ until its retry time ({@link ScanRetries}).
 * A message smtpd has {@linkplain #claim claimed} is left alone until its {@link #inspectNow} ends.
 */
public final class VscanStage implements QueueCommands.ScanGuard {
    static final String POOL_NAME = "postern-vscan";
    static final Logger LOG = LoggerFactory.getLogger("postern.vscan");
    /** Seconds between listings of incoming/ (new mail normally arrives by offer()). */
    static final int LISTING_EVERY = 10;

    /** Decides one message and leaves it where it belongs (active/, quarantine, removed) -- or fails: retry later. */
    @FunctionalInterface
    public interface Inspector {
        /** Passes every message through unscanned (no scanner configured). */
        Inspector PASS = (spool, id) -> Future.failedFuture(new UnsupportedOperationException("pass"));

        /**
         * @return the queue file as read, now in active/ under the same id, when the message went on unchanged
         *         (qmgr then need not read it again); null when it went elsewhere (copies, quarantine, removed)
         */
        Future<QueueFile> inspect(Spool spool, QueueId id);

        /**
         * The same while smtpd waits at end of DATA (vscan_mode before-queue or content-filter): says what became
         * of the message. A failed future: before-queue leaves the message to the after-queue stage's retry,
         * content-filter has it removed and answers 4xx. The default inspects as after the queue.
         */
        default Future<Disposition> inspectNow(Spool spool, QueueId id, EndOfData now) {
            return inspect(spool, id).map(file -> Disposition.QUEUED);
        }
    }

    private final Vertx vertx;
    private final Spool spool;
    private volatile Inspector inspector;
    private final java.util.function.BiConsumer<QueueId, QueueFile> activated;
    private final Clock clock;
    private final int concurrency;
    private final Context context;
    private final WorkerExecutor workers;
    private final Transport relay;
    /** Claimed by smtpd (before its commit): the after-queue scan leaves these alone. Any thread. */
    private final Set<QueueId> claimed = ConcurrentHashMap.newKeySet();
    // Only on `context`.
    private int inspectingNow;
    private final Set<QueueId> busy = new HashSet<>();
    /** When a message a scanner could not scan is tried again, and its scan note. */
    private final ScanRetries retries;
    /** Messages in incoming/ known to this stage and not being inspected, in arrival order. */
    private final Set<QueueId> waiting = new java.util.LinkedHashSet<>();
    private long ticks;
    private OutageWatch outages;
    private long timer = -1;
    private boolean scanning;
    private boolean rescan;
    private boolean stopping;
    private Promise<Void> drained;

    /**
     * @param inspector   scans one message and moves it on; {@link Inspector#PASS} moves it to active/ as is
     * @param activated   told the id of a message that reached active/ (qmgr's activated), with its queue file
     *                    when already read (else null)
     * @param concurrency messages inspected at the same time (vscan_concurrency)
     * @param retryTime   first wait after a failed inspection (vscan_retry_time); doubles up to 15 minutes
     *                    (or up to itself when longer)
     */
    public VscanStage(Vertx vertx, Spool spool, Inspector inspector, java.util.function.BiConsumer<QueueId, QueueFile> activated, int concurrency,
                      Duration retryTime, Clock clock) {
        this(vertx, spool, inspector, activated, concurrency, retryTime, null, clock);
    }

    /** @param relay what content-filter listeners send scanned mail to their next hop with; null: they answer 451 */
    public VscanStage(Vertx vertx, Spool spool, Inspector inspector, java.util.function.BiConsumer<QueueId, QueueFile> activated, int concurrency,
                      Duration retryTime, Transport relay, Clock clock) {
        this.relay = relay;
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.spool = Objects.requireNonNull(spool, "spool");
        this.inspector = Objects.requireNonNull(inspector, "inspector");
        this.activated = Objects.requireNonNull(activated, "activated");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (concurrency < 1) throw new IllegalArgumentException("concurrency " + concurrency);
        this.concurrency = concurrency;
        this.context = vertx.getOrCreateContext();
        this.workers = vertx.createSharedWorkerExecutor(POOL_NAME, 4);
        this.retries = new ScanRetries(spool, workers, Objects.requireNonNull(retryTime, "retryTime"), clock);
    }

    /**
     * Lists incoming/ now; then takes new mail as {@link #offer}ed, retries what is due every second, and
     * lists incoming/ again every {@value #LISTING_EVERY} seconds (the fallback for mail nobody offered).
     */
    public Future<Void> start() {
        return blocking(() -> ScanRetries.notesLeft(spool)).recover(e -> {
            LOG.warn("vscan: cannot read the scan notes in {}: {}", spool.root().resolve("defer"), e.toString());
            return Future.succeededFuture(Set.of());
        }).compose(left -> onContext(() -> {
            retries.adoptNotes(left);
            timer = vertx.setPeriodic(1000, t -> {
                if (++ticks % LISTING_EVERY == 0) wakeup();
                else pump();
            });
            wakeup();
            return Future.<Void>succeededFuture();
        }));
    }

    /** A message just committed to incoming/ (the commit listener): taken without listing the directory. */
    public void offer(QueueId id) {
        context.runOnContext(v -> {
            if (stopping) return;
            waiting.add(id);
            pump();
        });
    }

    /** Stops taking messages; inspections in flight finish. */
    public Future<Void> stop() {
        return onContext(() -> {
            stopping = true;
            if (timer >= 0) vertx.cancelTimer(timer);
            if (idle()) return Future.<Void>succeededFuture();
            drained = Promise.promise();
            return drained.future();
        }).compose(v -> workers.close());
    }

    /** Lists incoming/ and takes what is there (start, and every few seconds). Does not block. */
    public void wakeup() {
        context.runOnContext(v -> {
            if (stopping) return;
            if (scanning) {
                rescan = true;
                return;
            }
            scanning = true;
            blocking(() -> spool.ids(QueueName.INCOMING)).onComplete(ar -> {
                scanning = false;
                if (ar.succeeded()) {
                    waiting.addAll(ar.result());
                    pump();
                } else {
                    LOG.warn("cannot list incoming: {}", ar.cause().toString());
                }
                if (rescan) {
                    rescan = false;
                    wakeup();
                }
            });
        });
    }

    /** Starts inspections of waiting messages that are due, up to vscan_concurrency at a time. */
    private void pump() {
        Instant now = clock.instant();
        Iterator<QueueId> it = waiting.iterator();
        while (it.hasNext() && !stopping && busy.size() < concurrency) {
            QueueId id = it.next();
            if (!retries.due(id, now)) continue;
            it.remove();
            if (claimed.contains(id) || !busy.add(id)) continue;
            inspect(id).onComplete(ar -> {
                busy.remove(id);
                done(id, ar.succeeded() ? null : ar.cause());
            });
        }
    }

    /**
     * True when no content filter is configured (vscan_attachment_checks = no and no scanner): smtpd then
     * commits after-queue mail straight into active/, as Postfix without a content_filter does.
     */
    public boolean scansNothing() {
        return inspector == Inspector.PASS;
    }

    /** Inspects with {@code inspector} from now on (postern reload: scanners, actions, tables read anew). */
    public void reconfigure(Inspector inspector) {
        Inspector old = this.inspector;
        this.inspector = Objects.requireNonNull(inspector, "inspector");
        if (old instanceof ScanInspector s && old != inspector) s.retire();
    }

    /** Reports scanner outages longer than vscan_outage_notify_time to {@code watch}. Call before {@link #start}. */
    public void watchOutages(OutageWatch watch) {
        this.outages = Objects.requireNonNull(watch, "watch");
    }

    /** Book-keeping after an inspection; {@code failure} null for success. On the context. */
    private void done(QueueId id, Throwable failure) {
        if (failure == null || failure instanceof NoSuchFileException) { // scanned, or gone (queue delete)
            retries.succeeded(id);
            if (failure == null && outages != null) outages.succeeded();
        } else {
            if (outages != null) outages.failed(id + ": " + failure.getMessage());
            long wait = retries.failed(id, failure.getMessage());
            LOG.warn("{}: vscan: {}; message stays in incoming, retry in {}s", id, failure.getMessage(), wait / 1000.0);
            waiting.add(id);
        }
        if (stopping && idle() && drained != null) drained.tryComplete();
        else pump();
    }

    /**
     * Makes every message waiting for a retry due now and lists incoming/ (postern flush, as postqueue -f
     * makes Postfix retry deferred mail at once). Backoff goes on from where it was if the scan fails again.
     */
    public Future<Void> flush() {
        return onContext(() -> {
            retries.allDue();
            wakeup();
            return Future.<Void>succeededFuture();
        });
    }

    private boolean idle() {
        return busy.isEmpty() && inspectingNow == 0;
    }

    /**
     * smtpd (before-queue, content-filter) is about to commit message {@code id} to incoming/ and will ask for
     * {@link #inspectNow}: the after-queue scan must not take it meanwhile. Any thread; does not block.
     */
    public void claim(QueueId id) {
        claimed.add(id);
    }

    /**
     * A queue command (postern queue delete|hold|requeue) is about to change message {@code id}: true when no
     * inspection of it runs, and then none starts until {@link #resume}; false when one runs (or smtpd holds
     * a claim on it). Decided on the stage's context, so it never races the start of an inspection.
     */
    @Override
    public Future<Boolean> pause(QueueId id) {
        return onContext(() -> Future.succeededFuture(!busy.contains(id) && claimed.add(id)));
    }

    /**
     * Ends a {@link #pause}. A message the command left in incoming/ is taken again by the next listing
     * (within {@value #LISTING_EVERY} seconds), not offered here: the command may have moved it anywhere.
     */
    @Override
    public void resume(QueueId id) {
        claimed.remove(id);
    }

    /** Gives up a claim without an inspection (the commit failed, or put the message elsewhere). Any thread. */
    public void release(QueueId id) {
        if (claimed.remove(id)) offer(id);
    }

    /**
     * Inspects claimed message {@code id} while smtpd waits, and says what became of it. Before-queue: when the
     * budget runs out first the answer is {@link Disposition.Outcome#LATE} and the scan goes on as after the
     * queue; a failure is the after-queue stage's retry, answered with 250 (the message is safe in incoming/).
     * Content-filter: a failure removes the message and answers 451. The claim ends when the inspection does.
     * The future never fails. Does not block.
     */
    public Future<Disposition> inspectNow(QueueId id, ScanRequest request) {
        Promise<Disposition> answer = Promise.promise();
        context.runOnContext(v -> {
            EndOfData now = new EndOfData(request, relay);
            inspectingNow++;
            Future<Disposition> scan;
            try {
                scan = inspectClaimed(id, now);
            } catch (RuntimeException e) {
                scan = Future.failedFuture(e);
            }
            long timer = request.budget() == null ? -1 : vertx.setTimer(Math.max(1, request.budget().toMillis()), t -> {
                if (now.expire()) {
                    LOG.info("{}: vscan: not done within vscan_before_queue_time_limit ({}s); continues after the queue",
                            id, request.budget().toMillis() / 1000.0);
                    answer.tryComplete(Disposition.LATE);
                }
            });
            scan.onComplete(ar -> {
                if (timer >= 0) vertx.cancelTimer(timer);
                inspectingNow--;
                if (request.mode() == VscanMode.CONTENT_FILTER && ar.failed()) {
                    // The client keeps the message and tries again: Postern must not deliver it as well.
                    LOG.warn("{}: vscan: content filter failed: {}; removed, the client keeps it", id, ar.cause().toString());
                    blocking(() -> {
                        spool.remove(id, QueueName.INCOMING);
                        return null;
                    }).onComplete(rm -> {
                        claimed.remove(id);
                        if (rm.failed()) LOG.warn("{}: vscan: cannot remove: {}", id, rm.cause().toString());
                        answer.tryComplete(new Disposition(Disposition.Outcome.TEMPFAIL,
                                SmtpReply.of(451, "4.3.0", "Error: content filter failure, try again later")));
                        done(id, null);
                    });
                    return;
                }
                claimed.remove(id);
                if (ar.succeeded()) {
                    if (ar.result().outcome() == Disposition.Outcome.ACCEPTED) activated.accept(id, null);
                    answer.tryComplete(ar.result());
                } else {
                    answer.tryComplete(Disposition.QUEUED); // stays in incoming/: the after-queue stage retries
                }
                done(id, ar.succeeded() ? null : ar.cause());
            });
        });
        return answer.future();
    }

    /** The inspection itself; without scanners (PASS) before-queue moves the message on, content-filter relays it. */
    private Future<Disposition> inspectClaimed(QueueId id, EndOfData now) {
        boolean filter = now.request().mode() == VscanMode.CONTENT_FILTER;
        if (filter && relay == null) return Future.failedFuture(new IOException("no SMTP client for the content filter"));
        if (inspector != Inspector.PASS) return onContext(inspector.inspectNow(spool, id, now));
        if (!filter) return passThrough(id).map(Disposition.QUEUED);
        return blocking(() -> QueueFile.read(spool.file(QueueName.INCOMING, id))).compose(file -> onContext(
                new ContentFilterDisposal(workers, spool, relay, now.request().nexthop())
                        .run(file, List.of(QueuedMessage.of(file)), () -> Future.succeededFuture(Set.of()))));
    }

    private Future<Void> inspect(QueueId id) {
        Future<QueueFile> f = inspector == Inspector.PASS ? passThrough(id).map(v -> (QueueFile) null)
                : onContext(inspector.inspect(spool, id));
        return f.andThen(ar -> {
            if (ar.succeeded()) activated.accept(id, ar.result());
        }).mapEmpty();
    }

    private Future<Void> passThrough(QueueId id) {
        return blocking(() -> {
            // gone already (an old listing): NoSuchFile, which done() ignores; never a FileAlreadyExists on active/
            if (!java.nio.file.Files.exists(spool.file(QueueName.INCOMING, id))) {
                throw new NoSuchFileException(spool.file(QueueName.INCOMING, id).toString());
            }
            if (QueueFile.inTransit(spool.file(QueueName.INCOMING, id))) {
                ContentFilterDisposal.removeUnanswered(spool, id);
                return null;
            }
            spool.promote(id);
            return null;
        });
    }

    private <T> Future<T> blocking(Callable<T> task) {
        return onContext(workers.executeBlocking(task, false));
    }

    private <T> Future<T> onContext(Future<T> f) {
        Promise<T> p = Promise.promise();
        f.onComplete(ar -> context.runOnContext(v -> p.handle(ar)));
        return p.future();
    }

    private <T> Future<T> onContext(java.util.function.Supplier<Future<T>> action) {
        Promise<T> p = Promise.promise();
        context.runOnContext(v -> {
            try {
                action.get().onComplete(p);
            } catch (RuntimeException e) {
                p.fail(e);
            }
        });
        return p.future();
    }
}
