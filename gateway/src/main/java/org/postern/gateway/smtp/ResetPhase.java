// ResetPhase: RSET on a cached connection before it carries the next message (smtp_rset_timeout), so
// a transaction left open by the previous delivery (all recipients refused) cannot leak into it.
// Used by ConnectionCache's caller, SmtpTransport, when it reuses a connection.
package org.postern.gateway.smtp;

import io.vertx.core.Future;
import io.vertx.core.Promise;

/** One Promise: the connection ready for a new transaction, or failed (the caller then connects afresh). */
final class ResetPhase {
    private final SmtpConnection conn;
    private final SmtpSettings settings;
    private final Promise<SmtpConnection> promise = Promise.promise();

    ResetPhase(SmtpConnection conn, SmtpSettings settings) {
        this.conn = conn;
        this.settings = settings;
    }

    Future<SmtpConnection> run() {
        conn.send("RSET").transform(ar -> conn.read(settings.rsetTimeout(), "sending RSET"))
                .compose(r -> r.code() / 100 == 2 ? Future.succeededFuture(conn)
                        : Future.<SmtpConnection>failedFuture(SessionFailure.rejected(conn.peer(), r, "RSET", false)))
                .onFailure(e -> conn.close())
                .onComplete(promise);
        return promise.future();
    }
}
