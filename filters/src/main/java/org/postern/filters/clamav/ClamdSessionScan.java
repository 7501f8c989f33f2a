// ClamdSessionScan: one clamd scan of a message the vscan stage holds in memory, over a pooled session
// (ClamdSessions) or a new connection; a reused session that closes before answering (clamd dropped it
// while idle) is replaced once by a new connection. Under vscan_clamd_timeout. Created per message.
package org.postern.filters.clamav;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import java.time.Duration;
import org.postern.filters.FilterResult.Kind;
import org.postern.filters.ScanMessage;

/** Runs on one context (the reused session's, else the caller's); completes exactly once, always with a reply. */
final class ClamdSessionScan {
    private final Vertx vertx;
    private final Context context;
    private final NetClient client;
    private final ClamdAddress address;
    private final Duration timeout;
    private final ClamdSessions pool;
    private final ScanMessage message;
    private final Promise<ClamdReply> promise = Promise.promise();
    private ClamdSession session;
    private long timerId = -1;
    private boolean done;

    ClamdSessionScan(Vertx vertx, Context context, NetClient client, ClamdAddress address, Duration timeout,
                     ClamdSessions pool, ScanMessage message) {
        this.vertx = vertx;
        this.context = context;
        this.client = client;
        this.address = address;
        this.timeout = timeout;
        this.pool = pool;
        this.message = message;
    }

    /** Call on the context; {@code reused} is an idle session of that context, or null to connect. */
    Future<ClamdReply> run(ClamdSession reused) {
        timerId = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> {
            timerId = -1;
            if (session != null) session.close(); // its reply may still come: the session cannot be trusted again
            finish(ClamdReply.tempfail("clamd at " + address + " did not answer within " + ClamdExchange.millis(timeout)
                    + " (" + message.size() + " bytes sent over a session)"));
        });
        if (reused != null) send(reused, true);
        else connect();
        return promise.future();
    }

    private void connect() {
        ClamdSession.open(context, client, address).onComplete(opened -> {
            if (opened.failed()) {
                finish(ClamdReply.tempfail("cannot connect to clamd at " + address + ": "
                        + ClamdExchange.describe(opened.cause())));
                return;
            }
            pool.counted();
            if (done) opened.result().close();
            else send(opened.result(), false);
        });
    }

    private void send(ClamdSession s, boolean reused) {
        session = s;
        s.scan(message.content()).onComplete(answered -> {
            if (done) {
                s.close();
            } else if (answered.failed()) {
                if (reused && !ClamdSession.replyStarted(answered.cause())) connect(); // dropped while idle: once more, anew
                else finish(ClamdReply.tempfail(answered.cause().getMessage()));
            } else {
                ClamdReply reply = ClamdReply.parse(answered.result());
                // clamd ends a session after an error (size limit and the like); only a verdict keeps it
                if (reply.kind() == Kind.CLEAN || reply.kind() == Kind.INFECTED) pool.give(s);
                else s.close();
                finish(reply);
            }
        });
    }

    private void finish(ClamdReply reply) {
        if (done) return;
        done = true;
        if (timerId >= 0) vertx.cancelTimer(timerId);
        promise.complete(reply);
    }
}
