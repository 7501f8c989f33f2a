// StartTlsCommand: STARTTLS (RFC 3207). Input the client pipelined after the command is discarded
// before the handshake (CVE-2011-0411 class), the 220 is written and the socket upgraded in one step,
// and the session starts over. Governed by smtpd_tls_security_level, smtpd_tls_cert_file/key_file.
package org.postern.gateway.smtpd;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import org.postern.core.SmtpReply;

final class StartTlsCommand {
    private StartTlsCommand() {}

    static Future<Void> run(SmtpSession s, String arg) {
        if (s.tlsActive()) return s.reply(SmtpReply.of(554, "5.5.1", "Error: TLS already active"));
        if (!s.settings.tlsOffered() || !s.listener.tlsAvailable()) {
            return s.reply(SmtpReply.of(502, "5.5.1", "Error: command not implemented"));
        }
        if (!arg.isEmpty()) return s.reply(SmtpReply.of(501, "5.5.4", "Syntax: STARTTLS"));
        int dropped = s.framer.discardPending();
        if (dropped > 0) {
            s.log.warning("discarding " + dropped + " bytes of plaintext pipelined after STARTTLS from "
                    + s.log.hostAddr());
        }
        Buffer ready = Buffer.buffer(SmtpReply.of(220, "2.0.0", "Ready to start TLS").render());
        return s.socket.upgradeToSsl(s.listener.tls().sslOptions(), null, ready).transform(ar -> {
            if (ar.failed()) {
                s.log.info("SSL_accept error from " + s.log.hostAddr() + ": " + ar.cause().getMessage());
                return s.closeNow();
            }
            s.resetAfterTls();
            s.tlsEstablished();
            return Future.succeededFuture();
        });
    }
}
