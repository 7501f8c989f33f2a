// ClamdExchange: one zINSTREAM scan of one message -- connect, send "zINSTREAM\0", stream the queue
// file as <u32 length><bytes> chunks with backpressure (or write a message the vscan stage already read
// in one go), send the 0 terminator, read the NUL-ended reply -- all under vscan_clamd_timeout. Created
// per message by ClamdFilter; holds one Promise.
package org.postern.filters.clamav;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.postern.filters.FilterResult.Kind;
import org.postern.filters.ScanMessage;

/**
 * Runs on one Vert.x context (ClamdFilter starts it there), so its fields need no locking. The
 * promise is completed exactly once, always with a {@link ClamdReply}; the file and socket are closed then.
 */
final class ClamdExchange {
    private static final byte[] COMMAND = "zINSTREAM\0".getBytes(StandardCharsets.US_ASCII);
    /** A chunk of length 0 ends the stream. */
    private static final byte[] TERMINATOR = new byte[4];
    /** Bytes read from the message file per chunk sent to clamd. */
    static final int CHUNK_SIZE = 64 * 1024;

    private final Vertx vertx;
    private final NetClient client;
    private final ClamdAddress address;
    private final Duration timeout;
    private final ScanMessage message;
    private final Promise<ClamdReply> promise = Promise.promise();
    private final ClamdReplyReader reply;

    private String phase = "connecting";
    private long timerId = -1;
    private AsyncFile file;
    private NetSocket socket;
    private Throwable socketError;
    private long sent;
    private boolean terminatorSent;
    private boolean done;

    ClamdExchange(Vertx vertx, NetClient client, ClamdAddress address, Duration timeout, ScanMessage message) {
        this.vertx = vertx;
        this.client = client;
        this.address = address;
        this.timeout = timeout;
        this.message = message;
        this.reply = new ClamdReplyReader(address);
    }

    /** Call on the context the exchange should run on. */
    Future<ClamdReply> run() {
        timerId = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> {
            timerId = -1;
            finish(ClamdReply.tempfail("clamd at " + address + " did not answer within " + millis(timeout)
                    + " (" + phase + ", " + sent + " of " + message.size() + " bytes sent)"));
        });
        if (message.content() != null) {
            connect();
            return promise.future();
        }
        message.open(vertx).onComplete(opened -> {
            if (opened.failed()) {
                finish(ClamdReply.tempfail("cannot read " + message.file() + ": " + describe(opened.cause())));
                return;
            }
            file = opened.result();
            if (done) {
                file.close();
                return;
            }
            file.pause();
            connect();
        });
        return promise.future();
    }

    private void connect() {
        client.connect(address.toSocketAddress()).onComplete(connected -> {
            if (connected.failed()) {
                finish(ClamdReply.tempfail("cannot connect to clamd at " + address + ": " + describe(connected.cause())));
            } else {
                socket = connected.result();
                if (done) socket.close();
                else converse();
            }
        });
    }

    private void converse() {
        phase = "sending";
        keepReadingAfterWriteFailure(socket);
        socket.handler(this::onReply);
        socket.exceptionHandler(e -> socketError = e); // the close that follows decides
        socket.closeHandler(v -> onClose());
        if (message.content() != null) {
            sendAll(message.content());
            return;
        }
        socket.write(Buffer.buffer(COMMAND));
        file.setReadBufferSize(CHUNK_SIZE);
        file.exceptionHandler(e -> finish(ClamdReply.tempfail("cannot read " + message.file() + ": " + describe(e))));
        file.endHandler(v -> {
            if (done) return;
            if (sent != message.size()) { // a truncated queue file: a scan of part of it proves nothing
                finish(ClamdReply.tempfail(message.file() + " ended after " + sent + " of " + message.size() + " bytes"));
                return;
            }
            socket.write(Buffer.buffer(TERMINATOR));
            terminatorSent = true;
            phase = "waiting for the reply";
        });
        file.handler(this::sendChunk);
        file.resume();
    }

    /** The command, the whole content already read, and the terminator, in one write. */
    private void sendAll(Buffer content) {
        sent = content.length();
        terminatorSent = true;
        phase = "waiting for the reply";
        socket.write(instream(content, null));
    }

    /**
     * {@code zINSTREAM}, {@code content} as chunks of at most {@link #CHUNK_SIZE} and the terminator, as one
     * buffer; {@code before} (e.g. a session's IDSESSION) goes first when not null.
     */
    static Buffer instream(Buffer content, byte[] before) {
        int head = before == null ? 0 : before.length;
        Buffer out = Buffer.buffer(head + COMMAND.length + content.length() + 4 * (content.length() / CHUNK_SIZE + 2));
        if (before != null) out.appendBytes(before);
        out.appendBytes(COMMAND);
        for (int at = 0; at < content.length(); at += CHUNK_SIZE) {
            int n = Math.min(CHUNK_SIZE, content.length() - at);
            out.appendInt(n).appendBuffer(content, at, n);
        }
        return out.appendBytes(TERMINATOR);
    }

    /** One chunk: its length as a 32-bit big-endian integer, then the bytes; pauses the file while the socket is full. */
    private void sendChunk(Buffer chunk) {
        if (done || chunk.length() == 0) return;
        socket.write(Buffer.buffer(4).appendInt(chunk.length()));
        socket.write(chunk);
        sent += chunk.length();
        if (socket.writeQueueFull()) {
            file.pause();
            socket.drainHandler(v -> {
                if (!done) file.resume();
            });
        }
    }

    private void onReply(Buffer data) {
        if (done) return;
        String text = reply.feed(data);
        if (text != null) {
            ClamdReply parsed = ClamdReply.parse(text);
            if (parsed.kind() == Kind.CLEAN && !terminatorSent) {
                // clamd said OK about part of the message: that is no verdict on the whole
                parsed = ClamdReply.tempfail("clamd answered '" + ClamdReply.printable(text) + "' after " + sent
                        + " of " + message.size() + " bytes, before the end of the message");
            }
            finish(parsed);
        } else if (reply.overflow() != null) {
            finish(ClamdReply.tempfail(reply.overflow()));
        }
    }

    /** clamd closes after its reply; a close before a complete reply means it (or the link) failed. */
    private void onClose() {
        if (done) return;
        finish(ClamdReply.tempfail(reply.closeReason(socketError, " while " + phase,
                " (" + sent + " of " + message.size() + " bytes sent)")));
    }

    private void finish(ClamdReply result) {
        if (done) return;
        done = true;
        if (timerId >= 0) vertx.cancelTimer(timerId);
        if (file != null) file.close();
        if (socket != null) socket.close();
        promise.complete(result);
    }

    /**
     * At StreamMaxLength clamd stops reading, answers "INSTREAM size limit exceeded. ERROR" and closes,
     * while our writes may still be queued. By default Netty closes a channel as soon as a write fails
     * (ChannelConfig autoClose), dropping the reply that already sits in the receive buffer whenever the
     * failed write is handled first -- then a too-big message would wait in incoming forever as TEMPFAIL.
     * With autoClose off a failed write only shuts our output down, so the reply is read, then the close.
     * The public NetSocket API has no such switch, hence Vert.x's internal interface (stable through 5.0.x);
     * if a later Vert.x hides it, the reply is still read whenever it arrives before the write fails.
     */
    static void keepReadingAfterWriteFailure(NetSocket socket) {
        if (socket instanceof NetSocketInternal) {
            ((NetSocketInternal) socket).channelHandlerContext().channel().config().setAutoClose(false);
        }
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    static String millis(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
