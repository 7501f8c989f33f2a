// VscanStage: the content-filter stage between the two instances -- takes each message smtpd committed
// to incoming/, has it inspected (Inspector), applies the verdict and moves what is to be delivered into
// active/ for qmgr. Governed by vscan_* parameters (see Inspector); a scanner failure keeps mail in incoming/.
package org.postern.gateway.vscan;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import org.postern.core.QueueId;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.Spool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler of the vscan stage. State lives on one Vert.x context; queue-file work runs on the
 * worker pool {@value #POOL_NAME}. A message the inspector cannot finish (scanner down) waits in
 * incoming/ until its retry time, kept in memory: after a restart every message is scanned at once.
 */
public final class VscanStage {
    static final String POOL_NAME = "postern-vscan";
    static final Logger LOG = LoggerFactory.getLogger("postern.vscan");

    /** Decides one message and leaves it where it belongs (active/, quarantine, removed) -- or fails: retry later. */
    @FunctionalInterface
    public interface Inspector {
        /** Passes every message through unscanned (no scanner configured). */
        Inspector PASS = (spool, id) -> Future.failedFuture(new UnsupportedOperationException("pass"));

        Future<Void> inspect(Spool spool, QueueId id);
    }

    private final Vertx vertx;
    private final Spool spool;
    private final Inspector inspector;
    private final Runnable activated;
    private final Clock clock;
    private final int concurrency;
    private final Context context;
    private final WorkerExecutor workers;
    // Only on `context`.
    private final Set<QueueId> busy = new HashSet<>();
    private final Map<QueueId, Instant> retryAt = new HashMap<>();
    private final Map<QueueId, Integer> failures = new HashMap<>();
    private long timer = -1;
    private boolean scanning;
    private boolean rescan;
    private boolean stopping;
    private Promise<Void> drained;

    /**
     * @param inspector   scans one message and moves it on; {@link Inspector#PASS} moves it to active/ as is
     * @param activated   told after a message reached active/ (qmgr's wakeup)
     * @param concurrency messages inspected at the same time (vscan_concurrency)
     */
    public VscanStage(Vertx vertx, Spool spool, Inspector inspector, Runnable activated, int concurrency, Clock clock) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.spool = Objects.requireNonNull(spool, "spool");
        this.inspector = Objects.requireNonNull(inspector, "inspector");
        this.activated = Objects.requireNonNull(activated, "activated");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (concurrency < 1) throw new IllegalArgumentException("concurrency " + concurrency);
        this.concurrency = concurrency;
        this.context = vertx.getOrCreateContext();
        this.workers = vertx.createSharedWorkerExecutor(POOL_NAME, 4);
    }

    /** Scans incoming/ now and every second after (the fallback for a missed wakeup, and the retry clock). */
    public Future<Void> start() {
        return onContext(() -> {
            timer = vertx.setPeriodic(1000, t -> wakeup());
            wakeup();
            return Future.succeededFuture();
        });
    }

    /** Stops taking messages; inspections in flight finish. */
    public Future<Void> stop() {
        return onContext(() -> {
            stopping = true;
            if (timer >= 0) vertx.cancelTimer(timer);
            if (busy.isEmpty()) return Future.<Void>succeededFuture();
            drained = Promise.promise();
            return drained.future();
        }).compose(v -> workers.close());
    }

    /** Asks for a scan of incoming/ (what the commit listener calls). Does not block. */
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
                if (ar.succeeded()) take(ar.result());
                else LOG.warn("cannot list incoming: {}", ar.cause().toString());
                if (rescan) {
                    rescan = false;
                    wakeup();
                }
            });
        });
    }

    private void take(List<QueueId> ids) {
        Instant now = clock.instant();
        for (QueueId id : ids) {
            if (stopping || busy.size() >= concurrency) return;
            Instant due = retryAt.get(id);
            if (due != null && due.isAfter(now)) continue;
            if (!busy.add(id)) continue;
            inspect(id).onComplete(ar -> {
                busy.remove(id);
                if (ar.succeeded()) {
                    retryAt.remove(id);
                    failures.remove(id);
                } else if (!(ar.cause() instanceof NoSuchFileException)) {
                    int n = failures.merge(id, 1, Integer::sum);
                    long wait = Math.min(900, 60L << Math.min(4, n - 1));
                    retryAt.put(id, clock.instant().plusSeconds(wait));
                    LOG.warn("{}: vscan: {}; message stays in incoming, retry in {}s", id, ar.cause().getMessage(), wait);
                }
                if (stopping && busy.isEmpty() && drained != null) drained.tryComplete();
                else wakeup();
            });
        }
    }

    private Future<Void> inspect(QueueId id) {
        Future<Void> f = inspector == Inspector.PASS ? passThrough(id) : onContext(inspector.inspect(spool, id));
        return f.andThen(ar -> {
            if (ar.succeeded()) activated.run();
        });
    }

    private Future<Void> passThrough(QueueId id) {
        return blocking(() -> {
            spool.move(id, QueueName.INCOMING, QueueName.ACTIVE);
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
