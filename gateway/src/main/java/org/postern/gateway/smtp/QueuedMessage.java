// QueuedMessage: what qmgr hands a Transport -- the envelope, which of its recipients to attempt now,
// and a way to stream the content from the queue file (never the whole message in memory).
// Built from a QueueFile in active/; immutable.
package org.postern.gateway.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.gateway.queue.QueueFile;

/**
 * @param envelope      the message's envelope as read from its queue file
 * @param recipients    indexes into {@link Envelope#recipients()} to attempt, in the order to send them
 * @param contentLength the content size in bytes (sent as SIZE=, and as the BDAT chunk size)
 * @param content       opens a fresh stream over the content; called on a worker thread
 */
public record QueuedMessage(Envelope envelope, List<Integer> recipients, long contentLength, ContentSource content) {

    /** Opens the content. Blocking: a Transport calls it (and reads the stream) on a worker thread only. */
    @FunctionalInterface
    public interface ContentSource {
        InputStream open() throws IOException;
    }

    public QueuedMessage {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(content, "content");
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty()) throw new IllegalArgumentException("no recipients to attempt");
        if (contentLength < 0) throw new IllegalArgumentException("content length " + contentLength);
        int n = envelope.recipients().size();
        if (new HashSet<>(recipients).size() != recipients.size()) {
            throw new IllegalArgumentException("recipient listed twice: " + recipients);
        }
        for (int i : recipients) {
            if (i < 0 || i >= n) throw new IllegalArgumentException("recipient index " + i + " of " + n);
        }
    }

    /** The recipients of {@code file} still pending (neither delivered nor bounced). */
    public static QueuedMessage of(QueueFile file) {
        return of(file, file.pendingRecipients());
    }

    /** The given recipients of {@code file}, its content streamed from the file by {@link QueueFile#openContent()}. */
    public static QueuedMessage of(QueueFile file, List<Integer> recipients) {
        return new QueuedMessage(file.envelope(), recipients, file.contentLength(), file::openContent);
    }

    public QueueId queueId() {
        return envelope.queueId();
    }

    /** The address of the recipient at envelope index {@code index}. */
    String address(int index) {
        return envelope.recipients().get(index).address();
    }
}
