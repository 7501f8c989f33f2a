// IncomingWriter: the QueueWriter behind IncomingQueue.create. Batches content chunks from the
// smtpd event loop, writes them to incoming/<id>.tmp on worker threads in call order, and at commit
// appends the envelope, writes the header, fsyncs, and hands the file to the group committer.
package org.postern.gateway.queue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caller-side state (batch buffer, task chain) is guarded by {@code this}; methods never block while
 * holding it. File-side state (channel, content length) is touched only by this writer's tasks,
 * which run one at a time: each is started when the previous one has completed.
 */
final class IncomingWriter implements QueueWriter {
    private static final Logger LOG = LoggerFactory.getLogger(IncomingWriter.class);
    /** Content is written to the file in batches of at least this size (and at commit). */
    static final int BATCH_BYTES = 64 * 1024;
    private static final int MAX_ID_ATTEMPTS = 16;

    private final IncomingQueue queue;
    private final QueueId id;
    private final Path temp;
    private final FileChannel channel;
    /** The file is a spare holding an old message's bytes: cut to the new length before the fsync. */
    private final boolean recycled;
    private final AtomicLong pending = new AtomicLong();
    private volatile Throwable failure;
    private long fileContentLength;

    private Future<Void> tail = Future.succeededFuture();
    private byte[] batch;
    private int batchLength;
    private long accepted;
    private boolean aborted;
    private Future<Void> commitFuture;
    private Future<Void> abortFuture;

    private IncomingWriter(IncomingQueue queue, QueueId id, Path temp, FileChannel channel, boolean recycled) {
        this.queue = queue;
        this.id = id;
        this.temp = temp;
        this.channel = channel;
        this.recycled = recycled;
    }

    /** Creates the temporary file (blocking; on a worker), taking a fresh id while {@code wanted} is in use. */
    static IncomingWriter open(IncomingQueue queue, QueueId wanted) throws IOException {
        Spool spool = queue.spool();
        QueueId id = wanted;
        for (int attempt = 1; ; attempt++) {
            Path temp = spool.dir(QueueName.INCOMING).resolve(id.value() + Spool.TEMP_SUFFIX);
            if (spool.find(id) == null) {
                try {
                    boolean recycled = spool.takeSpare(temp);
                    FileChannel ch = recycled ? FileChannel.open(temp, StandardOpenOption.WRITE)
                            : FileChannel.open(temp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                            fileMode(temp));
                    try {
                        writeAt(ch, ByteBuffer.allocate(QueueFile.HEADER_LENGTH), 0); // header comes at commit
                    } catch (IOException e) {
                        ch.close();
                        Files.deleteIfExists(temp);
                        throw e;
                    }
                    return new IncomingWriter(queue, id, temp, ch, recycled);
                } catch (FileAlreadyExistsException e) {
                    // another writer holds this id: take the next one
                }
            }
            if (attempt == MAX_ID_ATTEMPTS) throw new IOException("no free queue id after " + attempt + " attempts");
            QueueId next = queue.nextId();
            LOG.warn("{}: queue id in use, using {}", id, next);
            id = next;
        }
    }

    @Override
    public QueueId id() {
        return id;
    }

    @Override
    public synchronized Future<Void> write(Buffer chunk) {
        Throwable failed = failure;
        if (failed != null) return Future.failedFuture(failed);
        if (aborted || commitFuture != null) {
            return Future.failedFuture(new IllegalStateException(id + ": write after " + (aborted ? "abort" : "commit")));
        }
        int n = chunk.length();
        if (n == 0) return Future.succeededFuture();
        if (batch == null || batch.length - batchLength < n) {
            // grows by doubling from 8 KB, so a small message does not cost a 64 KB array
            byte[] bigger = new byte[Math.max(Math.min(BATCH_BYTES, Math.max(8192, 2 * (batchLength + n))), batchLength + n)];
            if (batch != null) System.arraycopy(batch, 0, bigger, 0, batchLength);
            batch = bigger;
        }
        chunk.getBytes(0, n, batch, batchLength);
        batchLength += n;
        accepted += n;
        pending.addAndGet(n);
        if (batchLength < BATCH_BYTES) return Future.succeededFuture();
        byte[] data = batch;
        int length = batchLength;
        batch = null;
        batchLength = 0;
        return enqueue(() -> {
            writeContent(data, length);
            return null;
        });
    }

    @Override
    public long pendingBytes() {
        return pending.get();
    }

    @Override
    public synchronized long size() {
        return accepted;
    }

    @Override
    public Future<Void> commit(Envelope env) {
        return commit(env, QueueName.INCOMING);
    }

    @Override
    public Future<Void> commit(Envelope env, QueueName target) {
        return commit(env, target, target == QueueName.HOLD ? QueueFile.Mark.HELD_UNSCANNED : QueueFile.Mark.NONE);
    }

    @Override
    public Future<Void> commitInTransit(Envelope env) {
        return commit(env, QueueName.INCOMING, QueueFile.Mark.IN_TRANSIT);
    }

    @Override
    public Future<Void> commitStagedRelease(Envelope env) {
        return commit(env, QueueName.HOLD, QueueFile.Mark.STAGED_RELEASE);
    }

    private synchronized Future<Void> commit(Envelope env, QueueName target, QueueFile.Mark mark) {
        Throwable failed = failure;
        if (failed != null) return Future.failedFuture(failed);
        if (commitFuture != null) return Future.failedFuture(new IllegalStateException(id + ": commit called twice"));
        if (aborted) return Future.failedFuture(new IllegalStateException(id + ": commit after abort"));
        if (!env.queueId().equals(id)) {
            return Future.failedFuture(new IllegalArgumentException(
                    "envelope queue id " + env.queueId() + " is not the writer's " + id));
        }
        if (!queue.beginCommit()) return Future.failedFuture(new IllegalStateException("incoming queue closed"));
        byte[] data = batch;
        int length = batchLength;
        batch = null;
        batchLength = 0;
        Context context = queue.vertx().getOrCreateContext();
        Future<Void> synced = enqueue(() -> {
            if (length > 0) writeContent(data, length);
            finish(env, mark);
            return null;
        });
        commitFuture = synced.compose(v -> queue.committer().submit(id, temp, target, context))
                .andThen(ar -> {
                    queue.endCommit();
                    if (ar.succeeded()) queue.committed(id, target);
                });
        return commitFuture;
    }

    @Override
    public synchronized Future<Void> abort() {
        if (commitFuture != null) return commitFuture.transform(ar -> Future.succeededFuture());
        if (abortFuture != null) return abortFuture;
        aborted = true;
        pending.addAndGet(-batchLength);
        batch = null;
        batchLength = 0;
        abortFuture = tail.transform(ignored -> blocking(() -> {
            closeQuietly();
            Files.deleteIfExists(temp);
            pending.set(0);
            return null;
        }));
        tail = abortFuture.transform(ignored -> Future.succeededFuture());
        return abortFuture;
    }

    /** Runs {@code task} on a worker after this writer's previous tasks; a failure fails the writer. */
    private <T> Future<T> enqueue(Callable<T> task) {
        Future<T> f = tail.transform(ignored -> blocking(() -> {
            Throwable failed = failure;
            if (failed != null) throw failed instanceof Exception e ? e : new IOException(failed);
            try {
                return task.call();
            } catch (Exception | Error e) {
                fail(e);
                throw e;
            }
        }));
        tail = f.transform(ignored -> Future.succeededFuture());
        return f;
    }

    private <T> Future<T> blocking(Callable<T> task) {
        try {
            return queue.workers().executeBlocking(task, false);
        } catch (RuntimeException e) { // the pool is closed
            return Future.failedFuture(e);
        }
    }

    /** Worker side: appends one batch at the end of the content. */
    private void writeContent(byte[] data, int length) throws IOException {
        queue.hooks().beforeWrite(id, length);
        writeAt(channel, ByteBuffer.wrap(data, 0, length), QueueFile.HEADER_LENGTH + fileContentLength);
        fileContentLength += length;
        pending.addAndGet(-length);
    }

    /**
     * Worker side: envelope after the content, then the header with its {@code mark}, then fsync. Whatever
     * cleanup commits to hold/ has not been scanned yet: flagged so, its release sends it to incoming/ (or flags
     * a staged quarantine release, or a content-filter message not answered yet).
     */
    private void finish(Envelope env, QueueFile.Mark mark) throws IOException {
        byte[] envelope = EnvelopeCodec.encode(env);
        writeAt(channel, ByteBuffer.wrap(envelope), QueueFile.HEADER_LENGTH + fileContentLength);
        writeAt(channel, QueueFile.header(fileContentLength, envelope.length, mark), 0);
        if (recycled) channel.truncate(QueueFile.HEADER_LENGTH + fileContentLength + envelope.length);
        queue.hooks().beforeFileSync(id);
        channel.force(true);
        channel.close();
    }

    /** Worker side: the writer is dead; its file goes. */
    private void fail(Throwable t) {
        if (failure == null) failure = t;
        LOG.warn("{}: cannot write queue file: {}", id, t.toString());
        closeQuietly();
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            LOG.warn("{}: cannot remove: {}", temp, e.toString());
        }
        pending.set(0);
    }

    private void closeQuietly() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("{}: close: {}", temp, e.toString());
        }
    }

    private static void writeAt(FileChannel ch, ByteBuffer b, long position) throws IOException {
        long pos = position;
        while (b.hasRemaining()) pos += ch.write(b, pos);
    }

    private static FileAttribute<?>[] fileMode(Path p) {
        if (!p.getFileSystem().supportedFileAttributeViews().contains("posix")) return new FileAttribute<?>[0];
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))};
    }
}
