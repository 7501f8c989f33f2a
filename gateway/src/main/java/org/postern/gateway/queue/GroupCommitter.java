// GroupCommitter: the single thread that publishes committed queue files in incoming/. It renames
// every file whose own fsync is done, fsyncs the incoming/ directory once for all of them, and only
// then completes their commits (so smtpd's 250 follows invariant 1). Part of IncomingQueue.
package org.postern.gateway.queue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.postern.core.QueueId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit. Requests arrive while a directory fsync is in progress; the next round takes all of
 * them, so under load one fsync serves many messages, and with no load a commit waits for nothing.
 * A file that cannot be renamed, or a batch whose directory fsync fails, is removed and its commit
 * fails: nothing stays in the spool for a message the client was not told is queued.
 */
final class GroupCommitter {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitter.class);
    private static final Object STOP = new Object();

    private record Request(QueueId id, Path temp, QueueName target, Context context, Promise<Void> promise) {}

    private final Spool spool;
    private final IncomingQueue.Hooks hooks;
    private final BlockingQueue<Object> requests = new LinkedBlockingQueue<>();
    private final AtomicLong directorySyncs = new AtomicLong();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private boolean stopped; // guarded by requests: no request is accepted once the thread has ended

    GroupCommitter(Spool spool, IncomingQueue.Hooks hooks) {
        this.spool = spool;
        this.hooks = hooks;
        Thread t = new Thread(this::run, "postern-queue-committer");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Publishes {@code temp} (written and fsync'd) as {@code incoming/<id>}. The future completes on
     * {@code context} after the rename and the directory fsync.
     */
    Future<Void> submit(QueueId id, Path temp, Context context) {
        return submit(id, temp, QueueName.INCOMING, context);
    }

    /** As {@link #submit(QueueId, Path, Context)}, into {@code target} (hold/ for a HOLD action). */
    Future<Void> submit(QueueId id, Path temp, QueueName target, Context context) {
        Promise<Void> promise = Promise.promise();
        synchronized (requests) {
            if (!stopped) {
                requests.add(new Request(id, temp, target, context, promise));
                return promise.future();
            }
        }
        // called on an event loop: the temporary file is left for the next Spool.open to remove
        return Future.failedFuture(new IllegalStateException("incoming queue closed"));
    }

    /** Ends the thread once the requests already submitted are done. */
    void shutdown() {
        requests.add(STOP);
    }

    CompletionStage<Void> terminated() {
        return terminated;
    }

    long directorySyncs() {
        return directorySyncs.get();
    }

    /** Requests submitted and not yet taken by the committer thread. */
    int waiting() {
        return requests.size();
    }

    private void run() {
        try {
            boolean stop = false;
            while (!stop) {
                List<Object> taken = new ArrayList<>();
                taken.add(requests.take());
                requests.drainTo(taken);
                List<Request> batch = new ArrayList<>();
                for (Object o : taken) {
                    if (o == STOP) stop = true;
                    else batch.add((Request) o);
                }
                if (!batch.isEmpty()) commit(batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            LOG.error("queue committer stopped", e);
        } finally {
            synchronized (requests) {
                stopped = true;
            }
            for (Object o : requests) {
                if (o instanceof Request r) {
                    deleteQuietly(r.temp());
                    complete(r, new IllegalStateException("incoming queue closed"));
                }
            }
            terminated.complete(null);
        }
    }

    private void commit(List<Request> batch) {
        java.util.Map<QueueName, List<Request>> byTarget = new java.util.EnumMap<>(QueueName.class);
        for (Request r : batch) byTarget.computeIfAbsent(r.target(), k -> new ArrayList<>()).add(r);
        byTarget.forEach(this::commit);
    }

    /**
     * Renames every request of the batch into {@code target}'s directory, then fsyncs it once for all --
     * through the spool's shared directory sync, so the vscan stage's and qmgr's moves and removals in the
     * same directory ride on the same fsync.
     */
    private void commit(QueueName target, List<Request> batch) {
        Path dir = spool.dir(target);
        List<Request> renamed = new ArrayList<>(batch.size());
        for (Request r : batch) {
            try {
                // A rename replaces what is there: never over a message of the same id. The other queues were
                // checked when the writer took the id (IncomingWriter.open); its temporary file keeps it since.
                Path to = dir.resolve(r.id().value());
                if (Files.exists(to)) throw new FileAlreadyExistsException(to.toString(), null, "queue id in use");
                Files.move(r.temp(), to, StandardCopyOption.ATOMIC_MOVE);
                renamed.add(r);
            } catch (IOException | RuntimeException e) {
                LOG.warn("{}: cannot commit queue file: {}", r.id(), e.toString());
                deleteQuietly(r.temp());
                complete(r, e);
            }
        }
        if (renamed.isEmpty()) return;
        try {
            hooks.beforeDirectorySync(renamed.stream().map(Request::id).toList());
            spool.sync(target);
            directorySyncs.incrementAndGet();
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: fsync failed, {} queue file(s) withdrawn: {}", dir, renamed.size(), e.toString());
            for (Request r : renamed) {
                deleteQuietly(dir.resolve(r.id().value()));
                complete(r, e);
            }
            return;
        }
        for (Request r : renamed) complete(r, null);
    }

    private static void complete(Request r, Throwable failure) {
        r.context().runOnContext(v -> {
            if (failure == null) r.promise().complete();
            else r.promise().fail(failure);
        });
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("{}: cannot remove: {}", p, e.toString());
        }
    }
}
