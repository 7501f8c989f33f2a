// ContentPhase: streams the message content from the queue file to the next hop after DATA's 354 (dot-
// stuffed) or with BDAT (raw), with backpressure -- file reads on a worker, at most one chunk plus the
// socket's write queue in memory -- then reads the end-of-data reply, or LMTP's one reply per recipient.
package org.postern.gateway.smtp;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.postern.core.SmtpReply;

/**
 * One Promise: every accepted recipient decided by its reply, or a {@link SessionFailure} (lost
 * connection or stall longer than smtp_data_xfer_timeout while sending the body; no reply within
 * smtp_data_done_timeout after it; the queue file unreadable).
 */
final class ContentPhase {
    static final String BODY = "sending message body";
    static final String END = "sending end of data -- message may be sent more than once";
    static final int CHUNK = 64 * 1024;

    private final Vertx vertx;
    private final WorkerExecutor workers;
    private final SmtpConnection conn;
    private final SmtpSettings settings;
    private final QueuedMessage message;
    private final RecipientOutcomes outcomes;
    private final ContentEncoder encoder;
    private final boolean bdat;
    private final boolean lmtp;
    private final Promise<Void> sent = Promise.promise();
    private final Promise<Void> promise = Promise.promise();
    private final byte[] chunk;
    private InputStream in; // opened by the first read, closed by the last (worker side)
    private boolean started; // BDAT's command is out (or DATA's 354 came): the content may go
    private long remaining;
    private Future<?> lastRead = Future.succeededFuture();
    private boolean reading; // a chunk read is in flight on a worker

    ContentPhase(Vertx vertx, WorkerExecutor workers, SmtpConnection conn, SmtpSettings settings, QueuedMessage message,
                 RecipientOutcomes outcomes, ContentEncoder encoder, boolean bdat, boolean lmtp) {
        this.vertx = vertx;
        this.workers = workers;
        this.conn = conn;
        this.settings = settings;
        this.message = message;
        this.outcomes = outcomes;
        this.encoder = encoder;
        this.bdat = bdat;
        this.lmtp = lmtp;
        this.remaining = message.contentLength();
        this.chunk = new byte[(int) Math.max(1, Math.min(CHUNK, remaining))]; // a small message, a small array
    }

    Future<Void> run() {
        List<Integer> accepted = outcomes.accepted();
        conn.closed().onComplete(v -> { // wakes a pump waiting for drain; a reply the peer sent first wins
            if (!reading) pump();
        });
        Future<Void> start = bdat ? conn.send("BDAT " + message.contentLength() + " LAST") : Future.succeededFuture();
        start.onComplete(v -> {
            started = true;
            pump();
        });
        sent.future()
                .eventually(this::closeStream)
                .compose(v -> lmtp ? lmtpReplies(accepted, 0) : smtpReply())
                .onComplete(promise);
        return promise.future();
    }

    private void pump() {
        if (sent.future().isComplete() || !started) return;
        if (conn.hasReplyWaiting()) { // the server answered before the end: it will not take the rest
            conn.read(settings.dataXferTimeout(), BODY).onComplete(ar -> fail(ar.failed() ? ar.cause()
                    : ar.result().isPositive() ? SessionFailure.malformed(conn.peer(), BODY, ar.result().oneLine())
                    : SessionFailure.rejected(conn.peer(), ar.result(), "end of DATA", false)));
            return;
        }
        if (conn.isClosed()) {
            sent.tryFail(SessionFailure.lost(conn.peer(), BODY));
            return;
        }
        if (conn.writeQueueFull()) {
            long stall = vertx.setTimer(settings.dataXferTimeout().toMillis(), t -> fail(SessionFailure.timeout(conn.peer(), BODY)));
            conn.drainHandler(v -> {
                vertx.cancelTimer(stall);
                conn.drainHandler(null);
                pump();
            });
            return;
        }
        Future<Chunk> read = workers.executeBlocking(this::nextChunk, false);
        lastRead = read;
        reading = true;
        read.onComplete(ar -> {
            reading = false;
            if (ar.failed()) {
                fail(readError(ar.cause()));
                return;
            }
            Chunk c = ar.result();
            if (c.data() != null) conn.write(c.data());
            if (c.last()) {
                conn.write(encoder.finish());
                sent.tryComplete();
            } else {
                pump();
            }
        });
    }

    /** An encoded piece of the content (null when there was none left), and whether it was the last. */
    private record Chunk(Buffer data, boolean last) {}

    /**
     * Worker thread: the next encoded chunk. The first call opens the content; the one that reaches its end
     * checks that the file holds no more than the header says and closes it -- so a message of one chunk
     * costs one trip to a worker.
     */
    private Chunk nextChunk() throws IOException {
        if (in == null) in = message.content().open();
        Buffer data = null;
        if (remaining > 0) {
            int n = in.read(chunk, 0, (int) Math.min(chunk.length, remaining));
            if (n < 0) throw new IOException("content ends " + remaining + " bytes early");
            remaining -= n;
            data = encoder.encode(chunk, 0, n);
        }
        if (remaining > 0) return new Chunk(data, false);
        if (in.read() >= 0) throw new IOException("content longer than the queue file header says");
        InputStream done = in;
        in = null;
        done.close();
        return new Chunk(data, true);
    }

    private Future<Void> smtpReply() {
        return conn.read(settings.dataDoneTimeout(), END).map(reply -> {
            outcomes.endOfData(reply, conn.peer());
            return null;
        });
    }

    /** RFC 2033: one reply per accepted recipient, in RCPT order. */
    private Future<Void> lmtpReplies(List<Integer> accepted, int i) {
        if (i >= accepted.size()) return Future.succeededFuture();
        return conn.read(settings.dataDoneTimeout(), END).compose(reply -> {
            outcomes.endOfData(accepted.get(i), reply, conn.peer());
            return lmtpReplies(accepted, i + 1);
        });
    }

    /** A failure mid-body leaves the session out of step: the connection is closed. */
    private void fail(Throwable cause) {
        if (sent.tryFail(cause)) conn.close();
    }

    private SessionFailure readError(Throwable e) {
        return SessionFailure.local(SmtpReply.of(451, "4.3.0", "error reading the queued message "
                + message.queueId() + ": " + e.getMessage()), false);
    }

    /** Closes the stream after the last read finished (on a worker: it closes a file channel). */
    private Future<Void> closeStream() {
        return lastRead.transform(ar -> in == null ? Future.succeededFuture() : workers.executeBlocking(() -> {
            in.close();
            return null;
        }, false)).recover(e -> Future.succeededFuture()).mapEmpty();
    }
}
