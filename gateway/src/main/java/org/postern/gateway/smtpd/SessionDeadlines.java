// SessionDeadlines: the two clocks of one front smtpd connection -- smtpd_timeout's idle deadline
// (restarted per read, or per record with smtpd_per_request_deadline) and the flush limit of a close, past
// which a client that does not read its replies is cut off. Used by SmtpSession; governed by smtpd_timeout.
package org.postern.gateway.smtpd;

import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import java.util.function.LongConsumer;

/** Not thread-safe: used on the session's event loop only. */
final class SessionDeadlines {
    /**
     * How long a close waits at most for the last replies to flush (smtpd_timeout if shorter). A client that
     * stops reading would keep them, and the close, waiting for ever with its session slot and connection
     * count: then the connection is cut.
     */
    static final long CLOSE_FLUSH_MILLIS = 10_000;

    private final Vertx vertx;
    private final NetSocket socket;
    private final long timeoutMillis;
    private long idleTimer = -1;
    private long flushTimer = -1;
    private boolean disconnected;

    SessionDeadlines(Vertx vertx, NetSocket socket, long timeoutMillis) {
        this.vertx = vertx;
        this.socket = socket;
        this.timeoutMillis = timeoutMillis;
    }

    /** Starts smtpd_timeout again; {@code onTimeout} runs when it passes with no restart. */
    void restartIdle(Runnable onTimeout) {
        cancelIdle();
        idleTimer = vertx.setTimer(timeoutMillis, t -> {
            idleTimer = -1;
            onTimeout.run();
        });
    }

    void cancelIdle() {
        if (idleTimer >= 0) vertx.cancelTimer(idleTimer);
        idleTimer = -1;
    }

    /**
     * Ends the connection once what was written has flushed; if it has not within the flush limit, cuts it,
     * dropping the unsent replies, after telling {@code onCut} the limit (for the log).
     */
    void close(LongConsumer onCut) {
        cancelIdle();
        socket.end();
        long flush = Math.min(CLOSE_FLUSH_MILLIS, timeoutMillis);
        flushTimer = vertx.setTimer(flush, t -> {
            flushTimer = -1;
            if (disconnected) return;
            onCut.accept(flush);
            // from Vert.x's own handler context: past its close, which would wait for the flush too
            ((NetSocketInternal) socket).channelHandlerContext().close();
        });
    }

    /** The connection is gone: no deadline matters any more. */
    void disconnected() {
        disconnected = true;
        cancelIdle();
        if (flushTimer >= 0) vertx.cancelTimer(flushTimer);
        flushTimer = -1;
    }
}
