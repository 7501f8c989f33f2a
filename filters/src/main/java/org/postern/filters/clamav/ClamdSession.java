// ClamdSession: one clamd connection in IDSESSION mode -- messages the vscan stage holds in memory are
// scanned over it one after the other (zINSTREAM; clamd answers "N: stream: OK"), so a busy gateway
// does not connect per message. Pooled by ClamdSessions; main.cf: vscan_clamd_connection_cache_time_limit.
package org.postern.filters.clamav;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;

/**
 * Lives on the context it was opened on: {@link #scan} and the socket's callbacks run there, so the
 * fields need no locking; {@link #close} and {@link #isOpen} may be called from anywhere. One scan at
 * a time, as clamd asks of a session client that does not select() on its replies.
 */
final class ClamdSession {
    private static final byte[] START = "zIDSESSION\0".getBytes(StandardCharsets.US_ASCII);

    final Context context;
    private final NetSocket socket;
    private final ClamdAddress address;
    private final ClamdReplyReader reply;
    private int requests;
    private Promise<String> pending;
    private boolean replyStarted;
    private Throwable socketError;
    private volatile boolean closed;
    /** When the session last went idle, in the pool's clock (set by ClamdSessions). */
    volatile long idleSinceMillis;

    private ClamdSession(Context context, NetSocket socket, ClamdAddress address) {
        this.context = context;
        this.socket = socket;
        this.address = address;
        this.reply = new ClamdReplyReader(address);
        ClamdExchange.keepReadingAfterWriteFailure(socket);
        socket.handler(this::onData);
        socket.exceptionHandler(e -> socketError = e); // the close that follows decides
        socket.closeHandler(v -> onClose());
    }

    /** Connects; call on {@code context}. The session starts with its first scan (IDSESSION and INSTREAM in one write). */
    static Future<ClamdSession> open(Context context, NetClient client, ClamdAddress address) {
        return client.connect(address.toSocketAddress()).map(s -> new ClamdSession(context, s, address));
    }

    /**
     * Sends {@code content} and completes with clamd's reply to it, its request id taken off; fails when
     * the connection breaks first, or when the reply is not this request's. Call on {@link #context}.
     */
    Future<String> scan(Buffer content) {
        if (closed) return Future.failedFuture(new SessionFailure("clamd at " + address + " closed the connection", false));
        if (pending != null) throw new IllegalStateException("a clamd session scans one message at a time");
        pending = Promise.promise();
        replyStarted = false;
        Buffer frame = ClamdExchange.instream(content, requests == 0 ? START : null);
        requests++;
        socket.write(frame);
        return pending.future();
    }

    /** True when bytes of a reply arrived on a scan that failed: clamd saw the message, so retrying elsewhere hides a problem. */
    static boolean replyStarted(Throwable failure) {
        return failure instanceof SessionFailure && ((SessionFailure) failure).replyStarted;
    }

    boolean isOpen() {
        return !closed;
    }

    /** Closes the connection; clamd ends the session with it (no END needed). */
    void close() {
        closed = true;
        socket.close();
    }

    private void onData(Buffer data) {
        if (pending == null) { // clamd speaks unasked: not a session we can trust with the next message
            close();
            return;
        }
        replyStarted = true;
        String text = reply.feed(data);
        if (text == null) {
            if (reply.overflow() != null) {
                fail(reply.overflow());
                close();
            }
            return;
        }
        String id = requests + ": ";
        if (!text.startsWith(id)) {
            close();
            fail("clamd at " + address + " answered '" + ClamdReply.printable(text) + "' without the session's request id "
                    + requests + " (a clamd without IDSESSION? vscan_clamd_connection_cache_time_limit = 0 turns sessions off)");
            return;
        }
        if (reply.moreAfterReply()) close(); // more than one reply to one request: finish this one, trust the session no more
        Promise<String> p = pending;
        pending = null;
        p.complete(text.substring(id.length()));
    }

    private void onClose() {
        closed = true;
        if (pending == null) return;
        fail(reply.closeReason(socketError, "", ""));
    }

    private void fail(String why) {
        Promise<String> p = pending;
        pending = null;
        if (p != null) p.fail(new SessionFailure(why, replyStarted));
    }

    /** Why a session scan failed; {@code replyStarted} when clamd had begun to answer. */
    static final class SessionFailure extends RuntimeException {
        final boolean replyStarted;

        SessionFailure(String message, boolean replyStarted) {
            super(message, null, false, false);
            this.replyStarted = replyStarted;
        }
    }
}
