// ScanRetries: the vscan stage's memory of messages a scanner could not scan -- when each may be tried
// again (vscan_retry_time, doubling up to 15 minutes) and the scan note mailq shows for it meanwhile
// (queue_directory/defer/ID.vscan). Used on the stage's context only; note files on an ordered worker.
package org.postern.gateway.vscan;

import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.postern.core.QueueId;
import org.postern.gateway.queue.DeferLog;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.Spool;

/** Retry times are kept in memory: after a restart every message is scanned at once. Not thread-safe. */
final class ScanRetries {
    /** Longest wait between tries, unless vscan_retry_time itself is longer. */
    static final long MAX_RETRY_WAIT_MILLIS = 900_000;

    private final Spool spool;
    private final WorkerExecutor workers;
    private final Duration retryTime;
    private final Clock clock;
    private final Map<QueueId, Instant> retryAt = new HashMap<>();
    private final Map<QueueId, Integer> failures = new HashMap<>();
    /** Messages with a scan note on disk, to remove once they are scanned. */
    private final Set<QueueId> noted = new HashSet<>();

    ScanRetries(Spool spool, WorkerExecutor workers, Duration retryTime, Clock clock) {
        this.spool = spool;
        this.workers = workers;
        this.retryTime = retryTime;
        this.clock = clock;
    }

    /**
     * Milliseconds to wait after the {@code failures}-th failed inspection in a row: {@code first}, doubled
     * with each failure, at most 15 minutes -- or {@code first} when that is longer, so a postmaster's
     * vscan_retry_time of an hour is an hour, not 15 minutes.
     */
    static long retryWait(Duration first, int failures) {
        long base = Math.max(1, first.toMillis());
        long doubled = base << Math.min(10, Math.max(0, failures - 1));
        return Math.max(base, Math.min(MAX_RETRY_WAIT_MILLIS, doubled));
    }

    /**
     * Blocking, at start: the scan notes an earlier run left, without those of messages no longer in
     * incoming/ (a crash between a scan and the note's removal), which are removed.
     */
    static Set<QueueId> notesLeft(Spool spool) throws IOException {
        Set<QueueId> left = new HashSet<>();
        for (QueueId id : DeferLog.scanNoted(spool.root())) {
            if (Files.exists(spool.file(QueueName.INCOMING, id))) left.add(id);
            else DeferLog.deleteScanNote(spool.root(), id);
        }
        return left;
    }

    /** Takes over notes written before (they go when their message is scanned). */
    void adoptNotes(Set<QueueId> ids) {
        noted.addAll(ids);
    }

    /** True when {@code id} may be inspected at {@code now}. */
    boolean due(QueueId id, Instant now) {
        Instant at = retryAt.get(id);
        return at == null || !at.isAfter(now);
    }

    /** {@code id} was scanned (or is gone): forgets it and removes its note. */
    void succeeded(QueueId id) {
        retryAt.remove(id);
        failures.remove(id);
        if (noted.remove(id)) note(id, null);
    }

    /** {@code id} could not be scanned: sets its next try, writes its note; returns the wait in milliseconds. */
    long failed(QueueId id, String reason) {
        long wait = retryWait(retryTime, failures.merge(id, 1, Integer::sum));
        retryAt.put(id, clock.instant().plusMillis(wait));
        noted.add(id);
        note(id, "content scan deferred: " + reason);
        return wait;
    }

    /** Every message is due now (postern flush); the backoff goes on from where it was if a scan fails again. */
    void allDue() {
        retryAt.clear();
    }

    /**
     * Writes (reason) or removes (null) the scan note mailq shows for a message waiting in incoming/. Note
     * work runs in order (an ordered worker task), so a removal never overtakes the write before it.
     */
    private void note(QueueId id, String reason) {
        workers.executeBlocking(() -> {
            if (reason == null) DeferLog.deleteScanNote(spool.root(), id);
            else DeferLog.writeScanNote(spool.root(), id, reason);
            return null;
        }, true).onFailure(e -> VscanStage.LOG.warn("{}: vscan: cannot {} the scan note: {}", id,
                reason == null ? "remove" : "write", e.toString()));
    }
}
