// QueueWriter: one message being received into queue_directory/incoming, as smtpd sees it during
// DATA/BDAT: content chunks in, then commit(envelope) before the 250, or abort on any failure.
// Obtained from IncomingQueue.create; the temporary file is invisible to every reader until commit.
package org.postern.gateway.queue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import org.postern.core.Envelope;
import org.postern.core.QueueId;

/**
 * Writes one queue file. Methods may be called from an event loop: none blocks. Calls are applied
 * in call order. A failed write, commit or I/O step removes the temporary file; every later write
 * and commit then fails with the same cause.
 */
public interface QueueWriter {
    /**
     * The message's queue id. It is the id passed to {@link IncomingQueue#create} unless a file of
     * that name already existed, in which case a fresh id was taken: log and commit with this one.
     */
    QueueId id();

    /**
     * Appends content (the bytes exactly as received after dot-unstuffing, CRLF line ends). Chunks
     * are batched: while less than 64 KiB is buffered the future succeeds at once; the write that
     * fills a batch completes when that batch is written to the file (not yet fsync'd). The caller
     * may pipeline writes, and pauses its socket while {@link #pendingBytes()} is high, resuming when
     * the future of the last write completes. A failed future means the message cannot be queued.
     */
    Future<Void> write(Buffer chunk);

    /** Bytes accepted by {@link #write} and not yet written to the file (batch buffer plus writes in flight). */
    long pendingBytes();

    /** Content bytes accepted so far (for message_size_limit). */
    long size();

    /**
     * Writes the envelope ({@code env.queueId()} must be {@link #id()}), fsyncs the file, renames it
     * atomically into incoming/ and fsyncs that directory (shared with concurrent commits). Only then
     * does the future succeed: the smtpd may answer 250. On failure nothing is left in the spool (answer
     * 451 4.3.0). Commit once.
     */
    Future<Void> commit(Envelope env);

    /**
     * As {@link #commit(Envelope)}, but published in {@code target}: {@link QueueName#HOLD} for a
     * message a HOLD action put on hold (never scheduled until released; flagged as not yet scanned, so its
     * release sends it to incoming/), INCOMING otherwise.
     */
    Future<Void> commit(Envelope env, QueueName target);

    /**
     * As {@link #commit(Envelope)}, flagged {@linkplain QueueFile#inTransit in transit}: a content-filter
     * listener answers its client only after the relay, and what a crash or stop leaves so flagged is still the
     * client's (it was never answered and sends it again), so the after-queue stage removes it instead of
     * delivering a second copy. The default commits unflagged.
     */
    default Future<Void> commitInTransit(Envelope env) {
        return commit(env);
    }

    /**
     * As {@link #commit(Envelope, QueueName)} into {@link QueueName#HOLD}, flagged as a staged quarantine release
     * ({@link QueueFile#stagedRelease(java.nio.file.Path)}): never scheduled, refused by `postern queue release`;
     * the release that wrote it sends it on to active/ once its claim in the quarantine index is complete.
     */
    Future<Void> commitStagedRelease(Envelope env);

    /**
     * Drops the message: removes the temporary file after any writes in flight. Idempotent, safe after
     * a failed write. After {@link #commit} it changes nothing: a queued message is never removed here.
     */
    Future<Void> abort();
}
