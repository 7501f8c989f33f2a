// MessageCleanup: the cleanup stage for one message -- streams content from smtpd into the queue
// writer, prepends Received:, and refuses (without buffering) what breaks message_size_limit,
// line_length_limit, header_size_limit or smtpd_forbid_bare_newline. Between smtpd and the queue.
package org.postern.gateway.cleanup;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import org.postern.core.Envelope;
import org.postern.core.SmtpReply;
import org.postern.gateway.queue.QueueWriter;

/**
 * Feed with {@link #accept} as content arrives, then {@link #commit} (message durable in incoming/)
 * or {@link #abort}. Once a {@link #problem} is found the rest is read and dropped, the temporary
 * queue file is removed, and the session answers with that reply at end of data.
 */
public final class MessageCleanup {
    /** The content limits, from main.cf. */
    public record Limits(long messageSizeLimit, int lineLengthLimit, int headerSizeLimit, boolean forbidBareNewline) {}

    /** smtpd pauses its socket when more than this is waiting to be written to the queue file. */
    private static final long HIGH_WATER = 1 << 20;
    private static final byte CR = '\r', LF = '\n';

    private final QueueWriter writer;
    private final Limits limits;
    private final HeaderScanner headers;
    private long size;
    private long lineLength;
    private boolean prevCr;
    private boolean endsWithCrlf = true;
    private SmtpReply problem;
    private boolean aborted;

    public MessageCleanup(QueueWriter writer, Limits limits, String receivedHeader) {
        this.writer = writer;
        this.limits = limits;
        this.headers = new HeaderScanner(limits.headerSizeLimit());
        writer.write(Buffer.buffer(receivedHeader.getBytes(StandardCharsets.UTF_8)));
    }

    /** The reply to give at end of data if the message must be refused, else null. */
    public SmtpReply problem() {
        return problem;
    }

    /** Content bytes received (before any header Postern adds). */
    public long size() {
        return size;
    }

    /**
     * Takes the next content bytes. The future completes at once unless the queue writer is behind,
     * in which case the caller should stop reading its socket until it completes.
     */
    public Future<Void> accept(Buffer chunk) {
        if (problem != null) {
            size += chunk.length();
            return Future.succeededFuture();
        }
        for (int i = 0; i < chunk.length(); i++) {
            byte b = chunk.getByte(i);
            size++;
            if (b == LF) {
                if (!prevCr && limits.forbidBareNewline()) return refuse(bareNewline("LF"), chunk.length() - i - 1);
                if (lineLength > limits.lineLengthLimit()) {
                    return refuse(SmtpReply.of(552, "5.3.4", "Error: message line longer than "
                            + limits.lineLengthLimit() + " bytes"), chunk.length() - i - 1);
                }
                lineLength = 0;
                endsWithCrlf = prevCr;
                headers.endOfLine();
            } else {
                if (prevCr && limits.forbidBareNewline()) return refuse(bareNewline("CR"), chunk.length() - i - 1);
                endsWithCrlf = false;
                if (b != CR) {
                    lineLength++;
                    headers.octet(b);
                }
            }
            if (headers.tooBig()) {
                return refuse(SmtpReply.of(552, "5.3.4", "Error: message header section exceeds "
                        + limits.headerSizeLimit() + " bytes"), chunk.length() - i - 1);
            }
            prevCr = b == CR;
        }
        if (size > limits.messageSizeLimit() && limits.messageSizeLimit() > 0) {
            return refuse(SmtpReply.of(552, "5.3.4", "Error: message file too big"), 0);
        }
        Future<Void> written = writer.write(chunk);
        return writer.pendingBytes() > HIGH_WATER ? written : Future.succeededFuture();
    }

    private static SmtpReply bareNewline(String what) {
        return SmtpReply.of(550, "5.5.2", "Error: bare <" + what + "> received");
    }

    private Future<Void> refuse(SmtpReply reply, int restOfChunk) {
        problem = reply;
        size += restOfChunk;
        return abort();
    }

    /**
     * Makes the message durable in incoming/ with its envelope. Fails with the problem's reply text
     * if the content was refused; fails if the disk did. Completes only once it is on disk.
     */
    public Future<Void> commit(Envelope envelope) {
        if (problem != null) return Future.failedFuture(problem.oneLine());
        if (size > 0 && !endsWithCrlf) writer.write(Buffer.buffer("\r\n")); // BDAT without final CRLF
        return writer.commit(envelope);
    }

    /** Drops the temporary queue file; safe to call more than once. */
    public Future<Void> abort() {
        if (aborted) return Future.succeededFuture();
        aborted = true;
        return writer.abort();
    }
}
