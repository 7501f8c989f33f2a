// QueueWriterStream: an OutputStream over a QueueWriter, so a new message (a bounce notice, a tagged copy
// from vscan, a quarantine release) is written from a blocking stream on a worker thread in chunks, never
// held whole in memory. Blocks that worker while too many bytes wait for the queue's disk writes.
package org.postern.gateway.queue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Not thread-safe; use from one worker thread, never from an event loop. */
public final class QueueWriterStream extends OutputStream {
    static final int CHUNK = 16 * 1024;
    /** Above this many unwritten bytes the stream waits for the writer. */
    static final long HIGH_WATER = 512 * 1024;
    private static final long WAIT_SECONDS = 120;

    private final QueueWriter writer;
    private final byte[] buf = new byte[CHUNK];
    private int used;
    private long written;

    public QueueWriterStream(QueueWriter writer) {
        this.writer = writer;
    }

    @Override
    public void write(int b) throws IOException {
        if (used == buf.length) push();
        buf[used++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        while (len > 0) {
            if (used == buf.length) push();
            int n = Math.min(len, buf.length - used);
            System.arraycopy(b, off, buf, used, n);
            used += n;
            off += n;
            len -= n;
        }
    }

    /** Hands the buffered bytes to the writer (not fsync'd: commit does that). */
    @Override
    public void flush() throws IOException {
        if (used > 0) push();
    }

    /** Flushes; the writer stays open for its commit. */
    @Override
    public void close() throws IOException {
        flush();
    }

    /** Bytes handed to the writer so far. */
    public long written() {
        return written;
    }

    private void push() throws IOException {
        Future<Void> f = writer.write(Buffer.buffer(used).appendBytes(buf, 0, used));
        written += used;
        used = 0;
        if (f.failed()) throw new IOException("cannot write the message: " + f.cause(), f.cause());
        if (writer.pendingBytes() > HIGH_WATER) await(f);
    }

    private static void await(Future<Void> f) throws IOException {
        try {
            f.toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing a message");
        } catch (ExecutionException e) {
            throw new IOException("cannot write the message: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("queue writes stalled for " + WAIT_SECONDS + " s");
        }
    }
}
