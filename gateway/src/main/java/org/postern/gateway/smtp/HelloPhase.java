// HelloPhase: EHLO (or LMTP's LHLO) with smtp_helo_name, falling back to HELO when a server rejects
// EHLO with 5xx, as Postfix does; reads the announced ESMTP extensions into the connection. Runs
// after the greeting and again after STARTTLS. Governed by smtp_helo_timeout, smtp_helo_name.
package org.postern.gateway.smtp;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.postern.core.SmtpReply;

/** One Promise: the capabilities (also stored in the connection), or a {@link SessionFailure}. */
final class HelloPhase {
    private final SmtpConnection conn;
    private final SmtpSettings settings;
    private final Destination.Protocol protocol;
    private final Promise<EhloCapabilities> promise = Promise.promise();

    HelloPhase(SmtpConnection conn, SmtpSettings settings, Destination.Protocol protocol) {
        this.conn = conn;
        this.settings = settings;
        this.protocol = protocol;
    }

    Future<EhloCapabilities> run() {
        String verb = protocol == Destination.Protocol.LMTP ? "LHLO" : "EHLO";
        command(verb).compose(reply -> {
            if (reply.code() / 100 == 2) return Future.succeededFuture(EhloCapabilities.parse(reply));
            if (protocol == Destination.Protocol.SMTP && reply.isPermanent()) return helo();
            return Future.failedFuture(SessionFailure.refusedToTalk(conn.peer(), reply));
        }).onSuccess(caps -> conn.capabilities = caps).onComplete(promise);
        return promise.future();
    }

    /** Plain SMTP: no extensions. */
    private Future<EhloCapabilities> helo() {
        return command("HELO").compose(reply -> reply.code() / 100 == 2
                ? Future.succeededFuture(EhloCapabilities.NONE)
                : Future.failedFuture(SessionFailure.refusedToTalk(conn.peer(), reply)));
    }

    private Future<SmtpReply> command(String verb) {
        return conn.send(verb + " " + settings.heloName())
                .transform(ar -> conn.read(settings.heloTimeout(), "performing the " + verb + " handshake"));
    }
}
