// QuitPhase: ends a session politely -- QUIT, wait for the reply (smtp_quit_timeout), close. Runs in the
// background after a delivery report is out, when a connection is not kept, is evicted from the
// connection cache, or the transport closes. Its outcome never changes a delivery result.
package org.postern.gateway.smtp;

import io.vertx.core.Future;
import io.vertx.core.Promise;

/** One Promise: completes (never fails) once the connection is closed. */
final class QuitPhase {
    private final SmtpConnection conn;
    private final SmtpSettings settings;
    private final Promise<Void> promise = Promise.promise();

    QuitPhase(SmtpConnection conn, SmtpSettings settings) {
        this.conn = conn;
        this.settings = settings;
    }

    Future<Void> run() {
        conn.onContext(() -> {
            if (conn.isClosed()) return Future.succeededFuture();
            return conn.send("QUIT").transform(ar -> conn.read(settings.quitTimeout(), "sending QUIT"))
                    .transform(ar -> conn.close());
        }).onComplete(ar -> promise.tryComplete());
        return promise.future();
    }
}
