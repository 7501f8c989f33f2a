// StagedReleases: the recovery of interrupted quarantine releases -- settles every claim whose copy may still
// wait in queue_directory/hold by what the queue holds (complete and send on, or back to quarantine) and drops
// staged copies whose release was undone. Run by each `postern quarantine release`, by purge, and by the gateway.
package org.postern.appliance;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.postern.core.QueueId;
import org.postern.gateway.queue.QueueFile;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.Spool;
import org.postern.quarantine.store.RecipientState;
import org.postern.quarantine.store.SqliteQuarantine;
import org.postern.quarantine.store.StagedRelease;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A release (QuarantineRelease) creates its copy's temporary file, claims the recipients for that queue id,
 * commits the copy into hold/ flagged as staged, completes the claim, moves the copy to active/ and marks it
 * sent. A copy is moved to active/ only once its claim is complete, by the release or by this, so each step
 * below is safe whoever else (a live release, another recovery) runs at the same time:
 * <ul>
 * <li>claim releasing, copy staged in hold/: complete it and send the copy on;
 * <li>claim releasing, copy elsewhere in the queue (sent on by hand): complete it;
 * <li>claim releasing, no copy, and neither the claim nor a temporary file of the copy touched for {@link #STALE}:
 *     its releaser died before the commit -- back to quarantine, the temporary file removed;
 * <li>claim complete, copy still staged: send it on; no longer staged: note it sent;
 * <li>a staged copy no claim names (its release was undone): removed.
 * </ul>
 * Nothing here waits for the age of a committed copy: what was committed is delivered exactly once.
 */
final class StagedReleases {
    /** A claim, or its copy's temporary file, left alone this long has lost its releaser. */
    static final Duration STALE = Duration.ofMinutes(10);
    private static final Logger LOG = LoggerFactory.getLogger("postern.quarantine");

    /** What one run did. */
    record Settled(int completed, int returned, int dropped) {
        int total() {
            return completed + returned + dropped;
        }
    }

    /** Where a claim's copy is. */
    private enum Copy { STAGED, SENT, WRITING, NONE }

    private final Vertx vertx;
    private final SqliteQuarantine store;
    private final Spool spool;
    private final Clock clock;

    StagedReleases(Vertx vertx, SqliteQuarantine store, Spool spool, Clock clock) {
        this.vertx = vertx;
        this.store = store;
        this.spool = spool;
        this.clock = clock;
    }

    /** Settles what interrupted releases left; a claim that cannot be settled now is logged and left for the next run. */
    Future<Settled> settle() {
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger returned = new AtomicInteger();
        AtomicInteger dropped = new AtomicInteger();
        // hold/ first, the claims second: a copy committed there had its claim recorded before, so it is seen
        return blocking(this::stagedCopies).compose(copies -> store.stagedReleases().compose(claims -> {
            Future<Void> chain = Future.succeededFuture();
            Set<QueueId> claimed = new HashSet<>();
            for (StagedRelease c : claims) {
                claimed.add(c.copy());
                chain = chain.compose(v -> settle(c, completed, returned).recover(e -> {
                    LOG.warn("{}: quarantine release of {} not settled yet: {}", c.copy(), c.id(), e.toString());
                    return Future.succeededFuture();
                }));
            }
            return chain.compose(v -> blocking(() -> {
                for (QueueId copy : copies) {
                    if (!claimed.contains(copy) && drop(copy)) dropped.incrementAndGet();
                }
                return null;
            }));
        })).map(v -> new Settled(completed.get(), returned.get(), dropped.get()));
    }

    private Future<Void> settle(StagedRelease c, AtomicInteger completed, AtomicInteger returned) {
        Instant stale = clock.instant().minus(STALE);
        return blocking(() -> where(c.copy(), stale)).compose(copy -> {
            if (c.state() == RecipientState.RELEASED) {
                return switch (copy) {
                    case STAGED -> sendOn(c.id(), c.copy()).onSuccess(v -> completed.incrementAndGet());
                    case SENT, NONE -> store.releaseSent(c.id(), c.copy()); // delivered, or gone from the queue
                    case WRITING -> Future.succeededFuture(); // could not tell (moving too fast): the next run
                };
            }
            if (c.state() != RecipientState.RELEASING) return Future.succeededFuture();
            return switch (copy) {
                case STAGED -> store.completeRelease(c.id(), c.copy()).compose(v -> sendOn(c.id(), c.copy())).andThen(ar -> {
                    if (ar.succeeded()) {
                        completed.incrementAndGet();
                        LOG.warn("{}: quarantine release of {} to <{}> was interrupted; completed and sent on", c.copy(),
                                c.id(), String.join(">,<", c.addresses()));
                    }
                });
                case SENT -> store.completeRelease(c.id(), c.copy()).compose(v -> store.releaseSent(c.id(), c.copy()))
                        .onSuccess(v -> completed.incrementAndGet());
                case WRITING -> Future.succeededFuture();
                case NONE -> c.since().isAfter(stale) ? Future.succeededFuture()
                        : store.abortRelease(c.id(), c.copy()).compose(moved -> blocking(() -> {
                            Files.deleteIfExists(temporary(c.copy()));
                            if (!moved.isEmpty()) {
                                returned.incrementAndGet();
                                LOG.warn("{}: quarantine release of {} to <{}> died before its copy was queued; back in "
                                        + "quarantine", c.copy(), c.id(), String.join(">,<", moved));
                            }
                            return null;
                        }));
            };
        });
    }

    /**
     * Moves a released copy from hold/ to active/, where the gateway's qmgr finds it at its next scan (within
     * a second), then notes it sent. A copy already gone from hold/ was sent on (or deleted) by someone else.
     */
    Future<Void> sendOn(String id, QueueId copy) {
        return blocking(() -> {
            try {
                spool.move(copy, QueueName.HOLD, QueueName.ACTIVE);
            } catch (NoSuchFileException gone) {
                // sent on by the release or another recovery meanwhile, or deleted by `postern queue delete`
            }
            return null;
        }).compose(v -> store.releaseSent(id, copy));
    }

    /** Where the copy is; a temporary file touched since {@code stale} means its releaser is still writing. Blocking. */
    private Copy where(QueueId copy, Instant stale) throws IOException {
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                QueueName q = spool.find(copy);
                if (q == QueueName.HOLD) return QueueFile.stagedRelease(spool.file(QueueName.HOLD, copy)) ? Copy.STAGED : Copy.SENT;
                if (q != null) return Copy.SENT;
                Path temp = temporary(copy);
                if (Files.exists(temp)) return Files.getLastModifiedTime(temp).toInstant().isAfter(stale) ? Copy.WRITING : Copy.NONE;
                if (spool.find(copy) == null) return Copy.NONE;
            } catch (NoSuchFileException moved) {
                // committed, sent on or removed while looking: look again
            }
        }
        return Copy.WRITING; // moving too fast: left for the next run
    }

    /** The staged copies in hold/ at this moment. Blocking. */
    private List<QueueId> stagedCopies() throws IOException {
        List<QueueId> out = new ArrayList<>();
        for (QueueId id : spool.ids(QueueName.HOLD)) {
            try {
                if (QueueFile.stagedRelease(spool.file(QueueName.HOLD, id))) out.add(id);
            } catch (NoSuchFileException gone) {
                // released or deleted meanwhile
            } catch (IOException unreadable) {
                LOG.warn("{}: cannot read hold/{}: {}", id, id, unreadable.toString());
            }
        }
        return out;
    }

    /** Removes a staged copy no claim names any more (its release was undone). Blocking. */
    private boolean drop(QueueId copy) throws IOException {
        try {
            if (!QueueFile.stagedRelease(spool.file(QueueName.HOLD, copy)) || !spool.remove(copy, QueueName.HOLD)) return false;
        } catch (NoSuchFileException gone) {
            return false;
        }
        LOG.warn("{}: staged copy of an undone quarantine release removed from hold", copy);
        return true;
    }

    private Path temporary(QueueId copy) {
        return spool.dir(QueueName.INCOMING).resolve(copy.value() + ".tmp");
    }

    private <T> Future<T> blocking(Callable<T> work) {
        return vertx.executeBlocking(work, false);
    }
}
