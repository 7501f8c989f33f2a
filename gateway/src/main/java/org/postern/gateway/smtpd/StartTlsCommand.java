// StartTlsCommand: STARTTLS (RFC 3207). Input the client pipelined after the command is discarded
// before the handshake (CVE-2011-0411 class), the 220 is written and the socket upgraded in one step,
// and the session starts over. Governed by smtpd_tls_security_level, smtpd_tls_cert_file/key_file.
package org.postern.gateway.smtpd;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import org.postern.core.SmtpReply;
import org.postern.gateway.tls.StartTls;

final class StartTlsCommand {
    private StartTlsCommand() {}

    static Future<Void> run(SmtpSession s, String arg) {
        if (s.tlsActive()) return s.reply(SmtpReply.of(554, "5.5.1", "Error: TLS already active"));
        if (!s.settings.tlsOffered() || !s.listener.tlsAvailable()) {
            return s.reply(SmtpReply.of(502, "5.5.1", "Error: command not implemented"));
        }
        if (!arg.isEmpty()) return s.reply(SmtpReply.of(501, "5.5.4", "Syntax: STARTTLS"));
        int dropped = s.framer.discardPending();
        s.socketResumedByTls();
        Buffer ready = Buffer.buffer(SmtpReply.of(220, "2.0.0", "Ready to start TLS").render());
        // StartTls guards against Vert.x 5.0.8 replaying plaintext queued during the upgrade as if decrypted.
        return StartTls.upgrade(s.socket, s.listener.tls().sslOptions(), ready, s::onData).transform(ar -> {
            if (ar.failed()) {
                s.log.info("SSL_accept error from " + s.log.hostAddr() + ": " + ar.cause().getMessage());
                return s.closeNow();
            }
            long discarded = dropped + ar.result().discardedBytes();
            if (discarded > 0) {
                s.log.warning("improper command pipelining after STARTTLS from " + s.log.hostAddr()
                        + ": " + discarded + " bytes discarded");
            }
            s.lastReplyCode = 220; // the 220 went out with the upgrade, not through reply()
            s.resetAfterTls();
            s.tlsEstablished(ar.result().session());
            return Future.succeededFuture();
        });
    }
}
