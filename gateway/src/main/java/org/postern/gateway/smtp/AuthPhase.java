// AuthPhase: SMTP AUTH (RFC 4954) with the destination's SASL credentials (smtp_sasl_auth_enable,
// smtp_sasl_password_maps): PLAIN, else LOGIN; only inside TLS unless plaintext is allowed
// (smtp_sasl_security_options). A failure defers (smtp_sasl_auth_soft_bounce = yes). After StartTlsPhase.
package org.postern.gateway.smtp;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.postern.core.SmtpReply;

/** One Promise: authenticated (or nothing to do), or a {@link SessionFailure} (always temporary). */
final class AuthPhase {
    private static final String STAGE = "performing SASL authentication";

    private final SmtpConnection conn;
    private final SmtpSettings settings;
    private final Destination.SaslCredentials sasl;
    private final Promise<Void> promise = Promise.promise();

    AuthPhase(SmtpConnection conn, SmtpSettings settings, Destination.SaslCredentials sasl) {
        this.conn = conn;
        this.settings = settings;
        this.sasl = sasl;
    }

    Future<Void> run() {
        // As Postfix: a server that offers no AUTH gets the mail unauthenticated (it may still relay it).
        if (sasl == null || !conn.capabilities.has("AUTH")) return Future.succeededFuture();
        if (conn.tls == null && !sasl.allowPlaintext()) return noMechanism("no credentials are sent without TLS");
        var mechs = conn.capabilities.authMechanisms();
        Future<SmtpReply> result;
        if (mechs.contains("PLAIN")) {
            result = command("AUTH PLAIN " + b64("\0" + sasl.username() + "\0" + sasl.password()));
        } else if (mechs.contains("LOGIN")) {
            result = command("AUTH LOGIN")
                    .compose(r -> r.code() == 334 ? command(b64(sasl.username())) : Future.succeededFuture(r))
                    .compose(r -> r.code() == 334 ? command(b64(sasl.password())) : Future.succeededFuture(r));
        } else {
            return noMechanism("no mechanism available (server offers " + String.join(" ", mechs) + ")");
        }
        result.compose(r -> r.code() == 235 ? Future.<Void>succeededFuture() : Future.<Void>failedFuture(
                        SessionFailure.rejected(conn.peer(), r.asTransient(), "AUTH", true).withDiagnostic(
                                "SASL authentication failed; server " + conn.peer() + " said: " + r.oneLine())))
                .onComplete(promise);
        return promise.future();
    }

    private Future<Void> noMechanism(String why) {
        return Future.failedFuture(SessionFailure.local(SmtpReply.of(421, "4.7.0",
                "SASL authentication failed; cannot authenticate to server " + conn.peer() + ": " + why), true));
    }

    private Future<SmtpReply> command(String line) {
        return conn.send(line).transform(ar -> conn.read(settings.mailTimeout(), STAGE));
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
