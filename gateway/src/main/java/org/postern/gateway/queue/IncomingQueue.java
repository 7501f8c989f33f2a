// IncomingQueue: the door of the spool. smtpd asks it for queue ids and QueueWriters; it owns the
// worker pool that does queue file I/O and the group committer that makes commits durable in
// incoming/ (invariant 1: no 250 before fsync + rename + directory fsync). Governed by queue_directory.
package org.postern.gateway.queue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import org.postern.core.QueueId;
import org.slf4j.LoggerFactory;

/**
 * Writers of new queue files. File writes and fsyncs run on the shared worker pool
 * {@value #POOL_NAME}, each writer's steps chained one after another (so sessions never wait for
 * each other's I/O); renames and the incoming/ directory fsync run on one committer thread that
 * serves every commit waiting at that moment with a single directory fsync (group commit).
 */
public final class IncomingQueue {
    static final String POOL_NAME = "postern-queue";
    static final int POOL_SIZE = 20;

    /** Test seams, called on worker and committer threads; an exception makes that step fail. */
    interface Hooks {
        Hooks NONE = new Hooks() {};

        default void beforeWrite(QueueId id, int length) throws IOException {}

        default void beforeFileSync(QueueId id) throws IOException {}

        default void beforeDirectorySync(List<QueueId> batch) throws IOException {}
    }

    private final Vertx vertx;
    private final Spool spool;
    private final QueueIdGenerator ids;
    private final WorkerExecutor workers;
    private final GroupCommitter committer;
    private final Hooks hooks;
    private volatile BiConsumer<QueueId, QueueName> commitListener = (id, q) -> {};
    private final Object lock = new Object();
    private boolean closing;
    private int commitsInFlight;
    private Future<Void> closed;

    public IncomingQueue(Vertx vertx, Spool spool, Clock clock) {
        this(vertx, spool, new QueueIdGenerator(clock, spool.highestIdAtOpen()), Hooks.NONE);
    }

    IncomingQueue(Vertx vertx, Spool spool, Clock clock, Hooks hooks) {
        this(vertx, spool, new QueueIdGenerator(clock, spool.highestIdAtOpen()), hooks);
    }

    private IncomingQueue(Vertx vertx, Spool spool, QueueIdGenerator ids, Hooks hooks) {
        this.vertx = vertx;
        this.spool = spool;
        this.ids = ids;
        this.hooks = hooks;
        this.workers = vertx.createSharedWorkerExecutor(POOL_NAME, POOL_SIZE);
        this.committer = new GroupCommitter(spool, hooks);
    }

    /**
     * The queue of a process writing into the spool of a gateway that runs beside it (`postern quarantine
     * release`, on a {@link Spool#attach}ed spool): its ids carry this process's id, so they can never be ids
     * the gateway takes (QueueIdGenerator#forProcess) -- nor can a restart's clean-up take one of its files for
     * a gateway message's.
     */
    public static IncomingQueue attached(Vertx vertx, Spool spool, Clock clock) {
        return new IncomingQueue(vertx, spool, QueueIdGenerator.forProcess(clock, ProcessHandle.current().pid()), Hooks.NONE);
    }

    /**
     * Tells {@code listener} of every successful commit (queue id and the queue it went to), on the
     * committing context, after the directory fsync: how vscan learns of new mail in incoming/ and qmgr
     * of mail committed straight into active/. One listener; a later call replaces it.
     */
    public void onCommit(BiConsumer<QueueId, QueueName> listener) {
        this.commitListener = Objects.requireNonNull(listener, "listener");
    }

    void committed(QueueId id, QueueName target) {
        try {
            commitListener.accept(id, target);
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(IncomingQueue.class).warn("{}: commit listener failed: {}", id, e.toString());
        }
    }

    /** A fresh queue id (smtpd takes one per transaction, for its log lines). Does not block. */
    public QueueId newQueueId() {
        return ids.next();
    }

    /** Starts a message: creates {@code incoming/<id>.tmp} on a worker thread. */
    public Future<QueueWriter> create(QueueId id) {
        synchronized (lock) {
            if (closing) return Future.failedFuture(new IllegalStateException("incoming queue closed"));
        }
        return workers.executeBlocking(() -> IncomingWriter.open(this, id), false);
    }

    /**
     * Stops accepting commits, lets those already started finish (their futures complete), then stops
     * the committer thread and the worker pool. Writers still open should be aborted first; a file
     * they leave behind is removed when the spool is next opened.
     */
    public Future<Void> close() {
        synchronized (lock) {
            if (closed == null) {
                closing = true;
                if (commitsInFlight == 0) committer.shutdown();
                closed = Future.fromCompletionStage(committer.terminated(), vertx.getOrCreateContext())
                        .compose(v -> workers.close());
            }
            return closed;
        }
    }

    /** Number of incoming/ directory fsyncs so far (fewer than commits when commits were grouped). */
    long directorySyncs() {
        return committer.directorySyncs();
    }

    /** Registers a commit; false once the queue is closing. */
    boolean beginCommit() {
        synchronized (lock) {
            if (closing) return false;
            commitsInFlight++;
            return true;
        }
    }

    void endCommit() {
        synchronized (lock) {
            if (--commitsInFlight == 0 && closing) committer.shutdown();
        }
    }

    QueueId nextId() {
        return ids.next();
    }

    Vertx vertx() {
        return vertx;
    }

    Spool spool() {
        return spool;
    }

    WorkerExecutor workers() {
        return workers;
    }

    GroupCommitter committer() {
        return committer;
    }

    Hooks hooks() {
        return hooks;
    }
}
