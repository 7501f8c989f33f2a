// SqliteQuarantine: the quarantine store -- message files in quarantine_directory, an SQLite index in
// quarantine_database, entries purged after quarantine_lifetime. The vscan stage puts messages in
// (QuarantineStore); the `postern quarantine` CLI and the web UI list, release, delete and purge them.
package org.postern.quarantine.store;

import static org.postern.quarantine.store.QuarantineRefusal.Kind.CONTENT_MISSING;
import static org.postern.quarantine.store.QuarantineRefusal.Kind.NO_SUCH_MESSAGE;
import static org.postern.quarantine.store.QuarantineRefusal.Kind.RELEASE_IN_PROGRESS;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.postern.core.ContentSource;
import org.postern.core.QuarantineStore;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every method returns at once; file and JDBC work runs on the worker pool {@value #POOL_NAME}, and failures
 * arrive as failed futures (a {@link QuarantineRefusal} when the request cannot be done as asked).
 *
 * <p>Durability: a message's file is fsync'd (file and directory) before its index rows are committed in one
 * transaction, so the index never names a file that is not there. A crash in between leaves a file without
 * rows; {@link #open} and {@link #purge} remove such orphans once they are {@link #ORPHAN_GRACE} old (younger
 * ones may be a quarantine in progress in another process). Several processes may open the same files.
 *
 * <p>Release is two-phase so two releasers (threads or processes) never both send: {@link #beginRelease}
 * claims recipients (state releasing) for a copy named by its queue id in one write transaction, then the
 * caller stages the copy (hold/), calls {@link #completeRelease} (released), sends the copy on to active/ and
 * calls {@link #releaseSent}; or {@link #abortRelease} (back to quarantined) when its copy never got staged.
 * Until sent on a claim is listed by {@link #stagedReleases}: the recovery of interrupted releases (in the
 * appliance, which sees the queue) completes or undoes each by what it finds in the queue, never by age alone.
 */
public final class SqliteQuarantine implements QuarantineStore {
    static final String POOL_NAME = "quarantine";
    static final int POOL_SIZE = 2;
    static final Duration ORPHAN_GRACE = Duration.ofMinutes(10);
    static final Duration RELEASE_CLAIM_TIMEOUT = Duration.ofHours(1);
    static final int PURGE_BATCH = 500;
    static final Logger LOG = LoggerFactory.getLogger("postern.quarantine");

    private final WorkerExecutor workers;
    private final ContentFiles files;
    private final IndexDatabase db;
    private final Duration lifetime;
    private final Clock clock;
    /** Read-held by each operation while it runs, write-held by close: close waits for them. */
    private final ReadWriteLock gate = new ReentrantReadWriteLock();
    private volatile boolean closing;
    private boolean closed; // guarded by gate

    private SqliteQuarantine(WorkerExecutor workers, ContentFiles files, IndexDatabase db, Duration lifetime, Clock clock) {
        this.workers = workers;
        this.files = files;
        this.db = db;
        this.lifetime = lifetime;
        this.clock = clock;
    }

    /**
     * Creates the directory and the database (and their parents) as needed, migrates the index, removes
     * orphan files.
     *
     * @param directory quarantine_directory (default $queue_directory/quarantine)
     * @param database  quarantine_database (default $data_directory/quarantine.db)
     * @param lifetime  quarantine_lifetime: {@link #purge} removes entries older than this
     */
    public static Future<SqliteQuarantine> open(Vertx vertx, Path directory, Path database, Duration lifetime, Clock clock) {
        if (vertx == null || directory == null || database == null || lifetime == null || clock == null) {
            return Future.failedFuture(new NullPointerException("open: null argument"));
        }
        if (lifetime.isNegative() || lifetime.isZero()) {
            return Future.failedFuture(new IllegalArgumentException("quarantine_lifetime must be positive: " + lifetime));
        }
        WorkerExecutor workers = vertx.createSharedWorkerExecutor(POOL_NAME, POOL_SIZE);
        return workers.<SqliteQuarantine>executeBlocking(() -> {
            ContentFiles files = new ContentFiles(directory);
            files.createDirectory();
            IndexDatabase db = IndexDatabase.open(database);
            SqliteQuarantine q = new SqliteQuarantine(workers, files, db, lifetime, clock);
            try {
                q.removeOrphans(q.now());
            } catch (Exception e) {
                db.close();
                throw e;
            }
            return q;
        }, false).onFailure(e -> workers.close());
    }

    /** Copies the content into the quarantine and indexes it; the id once both are durable. */
    @Override
    public Future<String> quarantine(Item item, ContentSource content) {
        return run(() -> {
            Objects.requireNonNull(item, "item");
            Objects.requireNonNull(content, "content");
            String id = QuarantineId.random();
            Instant now = now();
            long size = files.store(id, content);
            try {
                db.write(c -> {
                    MessageRows.insert(c, id, now, item, size);
                    return null;
                });
            } catch (Exception e) {
                try {
                    files.remove(id); // not indexed: the caller keeps the message queued and tries again
                } catch (IOException removal) {
                    e.addSuppressed(removal);
                }
                throw e;
            }
            LOG.info("{}: quarantine: id={}, to=<{}>, size={}, class={}, reason={}, rule={}", item.envelope().queueId(),
                    id, String.join(">,<", item.recipients()), size, item.verdictClass(), item.reason(), item.rule());
            return id;
        });
    }

    /** The entries matching {@code q}, newest first. */
    public Future<List<Entry>> list(Query q) {
        return run(() -> db.read(c -> MessageRows.list(c, Objects.requireNonNull(q, "query"))));
    }

    /** The entry with this id; empty when there is none (or {@code id} is not of the form of a quarantine id). */
    public Future<Optional<Entry>> find(String id) {
        return run(() -> QuarantineId.isValid(id) ? db.read(c -> MessageRows.find(c, id)) : Optional.<Entry>empty());
    }

    /** The stored content of a message, e.g. to show it; refused when there is no such message or file. */
    public Future<ContentSource> content(String id) {
        return run(() -> {
            requireId(id);
            Path file = files.path(id);
            if (!db.read(c -> MessageRows.exists(c, id))) throw noSuchMessage(id);
            if (!Files.isRegularFile(file)) throw contentMissing(id);
            return () -> Files.newInputStream(file);
        });
    }

    /**
     * Claims {@code rcpt}, or every recipient still quarantined when empty, for release as copy {@code copy} (a
     * queue id the caller holds): they go to state releasing, staged, and the Release carries the envelope (with
     * just them) and the content to write. Refused (QuarantineRefusal) for an unknown message or recipient, or
     * when nothing is left to release ("already released", "release in progress"). Of concurrent claims on a
     * recipient, one wins.
     *
     * @param who who asks (shown by list and show), null when not known
     */
    public Future<Release> beginRelease(String id, Optional<String> rcpt, QueueId copy, String who) {
        return run(() -> {
            Objects.requireNonNull(rcpt, "rcpt");
            Objects.requireNonNull(copy, "copy");
            requireId(id);
            Path file = files.path(id);
            Instant now = now();
            Release release = db.write(c -> {
                Entry entry = MessageRows.find(c, id).orElseThrow(() -> noSuchMessage(id));
                if (!Files.isRegularFile(file)) throw contentMissing(id);
                List<Recipient> claimed = RecipientRows.claim(c, id, rcpt, copy, who, now);
                return new Release(id, copy, MessageRows.envelopeFor(entry, claimed), () -> Files.newInputStream(file));
            });
            LOG.info("{}: release: id={}, to=<{}>, claimed for {} by {}", release.envelope().queueId(), id,
                    String.join(">,<", release.addresses()), copy, who == null ? "-" : who);
            return release;
        });
    }

    /**
     * Marks the recipients claimed for {@code copy} released (its copy is staged); already released ones stay so.
     * Refused (NOT_BEING_RELEASED) when none is claimed for it any more: the claim was undone and the copy must
     * not be sent.
     */
    public Future<Void> completeRelease(String id, QueueId copy) {
        return run(() -> {
            Objects.requireNonNull(copy, "copy");
            requireId(id);
            Instant now = now();
            List<String> marked = db.write(c -> RecipientRows.complete(c, id, copy, now));
            if (!marked.isEmpty()) LOG.info("{}: release: to=<{}>, released as {}", id, String.join(">,<", marked), copy);
            return null;
        });
    }

    /** The released copy {@code copy} has left hold/ for the queue: the claim is settled for good. */
    public Future<Void> releaseSent(String id, QueueId copy) {
        return run(() -> {
            Objects.requireNonNull(copy, "copy");
            requireId(id);
            db.write(c -> RecipientRows.sent(c, id, copy));
            return null;
        });
    }

    /**
     * Returns the recipients claimed for {@code copy} to quarantine, when their copy was not (and will never
     * be) sent on; others are left as they are. Completes with the addresses returned.
     */
    public Future<List<String>> abortRelease(String id, QueueId copy) {
        return run(() -> {
            Objects.requireNonNull(copy, "copy");
            if (!QuarantineId.isValid(id)) return List.<String>of();
            Instant now = now();
            List<String> moved = db.write(c -> RecipientRows.abort(c, id, copy, now));
            if (!moved.isEmpty()) {
                LOG.info("{}: release: to=<{}>, copy {} dropped, back in quarantine", id, String.join(">,<", moved), copy);
            }
            return moved;
        });
    }

    /** The releases whose copy may still wait in hold/: claims not complete, or complete and not yet sent on. */
    public Future<List<StagedRelease>> stagedReleases() {
        return run(() -> db.read(RecipientRows::staged));
    }

    /** {@link #delete(String, Optional, String)} by an unnamed operator. */
    public Future<Boolean> delete(String id, Optional<String> rcpt) {
        return delete(id, rcpt, null);
    }

    /**
     * Deletes the whole message (file and rows), or marks one recipient deleted, and then the whole message
     * when no recipient is left quarantined or being released. False when there was nothing to delete (no
     * such message or recipient, or the recipient was already released or deleted); refused while a release
     * of the message (of that recipient) is in progress, or a released copy of it is still staged.
     */
    public Future<Boolean> delete(String id, Optional<String> rcpt, String who) {
        return run(() -> {
            Objects.requireNonNull(rcpt, "rcpt");
            if (!QuarantineId.isValid(id)) return false;
            Instant now = now();
            DeleteOutcome outcome = db.write(c -> {
                if (rcpt.isPresent()) {
                    if (!RecipientRows.deleteOne(c, id, rcpt.get(), now, who)) return DeleteOutcome.NOTHING;
                    if (RecipientRows.anyPending(c, id)) return DeleteOutcome.RECIPIENT;
                } else {
                    List<RecipientStatus> all = MessageRows.recipients(c, id);
                    if (all.isEmpty()) return DeleteOutcome.NOTHING;
                    if (all.stream().anyMatch(r -> r.state() == RecipientState.RELEASING)
                            || RecipientRows.anyStaged(c, id)) {
                        throw new QuarantineRefusal(RELEASE_IN_PROGRESS, "release in progress: message " + id);
                    }
                }
                MessageRows.delete(c, id);
                return DeleteOutcome.MESSAGE;
            });
            if (outcome == DeleteOutcome.MESSAGE) files.remove(id);
            if (outcome != DeleteOutcome.NOTHING) {
                LOG.info("{}: delete: {}by {}{}", id, rcpt.map(r -> "to=<" + r + ">, ").orElse(""), who == null ? "-" : who,
                        outcome == DeleteOutcome.MESSAGE ? ", message removed" : "");
            }
            return outcome != DeleteOutcome.NOTHING;
        });
    }

    private enum DeleteOutcome { NOTHING, RECIPIENT, MESSAGE }

    /**
     * Removes entries quarantined more than quarantine_lifetime ago (rows and files) and orphan files, none with
     * a release claimed or staged, and returns to quarantine claims older than {@link #RELEASE_CLAIM_TIMEOUT}
     * that name no copy (left by an older version). Completes with the number of files removed.
     */
    public Future<Integer> purge() {
        return run(() -> {
            Instant now = now();
            List<String> reset = db.write(c -> RecipientRows.resetStaleClaims(c, now.minus(RELEASE_CLAIM_TIMEOUT), now));
            for (String r : reset) LOG.warn("{}: release claim older than {} returned to quarantine", r, RELEASE_CLAIM_TIMEOUT);
            Instant cutoff = now.minus(lifetime);
            int removed = 0;
            List<String> batch;
            do {
                batch = db.write(c -> {
                    List<String> ids = MessageRows.quarantinedBefore(c, cutoff, PURGE_BATCH);
                    for (String id : ids) MessageRows.delete(c, id);
                    return ids;
                });
                for (String id : batch) {
                    files.remove(id);
                    LOG.info("{}: purge: quarantined before {}, removed", id, cutoff);
                }
                removed += batch.size();
            } while (batch.size() == PURGE_BATCH);
            return removed + removeOrphans(now);
        });
    }

    /** Waits for operations in progress, then closes the index; later calls fail. */
    public Future<Void> close() {
        if (closing) return Future.succeededFuture();
        closing = true;
        return workers.<Void>executeBlocking(() -> {
            gate.writeLock().lock();
            try {
                if (!closed) db.close();
                closed = true;
            } finally {
                gate.writeLock().unlock();
            }
            return null;
        }, false).eventually(() -> workers.close());
    }

    /** Files older than the grace period that have no index row (or never finished copying): removed, logged. */
    private int removeOrphans(Instant now) throws Exception {
        Instant cutoff = now.minus(ORPHAN_GRACE);
        List<ContentFiles.Candidate> old = files.candidates().stream().filter(f -> f.modified().isBefore(cutoff)).toList();
        if (old.isEmpty()) return 0;
        List<ContentFiles.Candidate> orphans = db.read(c -> {
            List<ContentFiles.Candidate> result = new ArrayList<>();
            for (ContentFiles.Candidate f : old) {
                if (f.temp() || !MessageRows.exists(c, f.id())) result.add(f);
            }
            return result;
        });
        int removed = 0;
        for (ContentFiles.Candidate f : orphans) {
            if (files.remove(f)) {
                removed++;
                LOG.warn("{}: quarantine: removed orphan file {} ({})", f.id(), f.path(),
                        f.temp() ? "incomplete copy" : "no index entry");
            }
        }
        return removed;
    }

    private <T> Future<T> run(Callable<T> work) {
        if (closing) return Future.failedFuture(new IllegalStateException("quarantine store is closed"));
        return workers.executeBlocking(() -> {
            gate.readLock().lock();
            try {
                if (closed) throw new IllegalStateException("quarantine store is closed");
                return work.call();
            } finally {
                gate.readLock().unlock();
            }
        }, false);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static void requireId(String id) throws QuarantineRefusal {
        if (!QuarantineId.isValid(id)) throw noSuchMessage(id);
    }

    private static QuarantineRefusal noSuchMessage(String id) {
        return new QuarantineRefusal(NO_SUCH_MESSAGE, "no such message: " + id);
    }

    private static QuarantineRefusal contentMissing(String id) {
        return new QuarantineRefusal(CONTENT_MISSING, "content missing: message " + id + " has no file in the quarantine directory");
    }
}
