// AuthCommand: AUTH PLAIN and AUTH LOGIN (RFC 4954, RFC 4616), checked against the password file
// (smtpd_sasl_password_file) on a worker thread. Offered only when smtpd_sasl_auth_enable = yes and,
// unless smtpd_tls_auth_only = no, only under TLS. Failures count as errors and are logged; a client over
// smtpd_client_auth_rate_limit gets 450.
package org.postern.gateway.smtpd;

import io.vertx.core.Future;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import org.postern.core.SmtpReply;
import org.postern.gateway.anvil.Anvil;
import org.postern.gateway.sasl.Credentials;
import org.postern.gateway.sasl.SaslResponses;
import org.postern.gateway.sasl.SaslResult;

final class AuthCommand {
    private static final String USERNAME = Base64.getEncoder().encodeToString("Username:".getBytes());
    private static final String PASSWORD = Base64.getEncoder().encodeToString("Password:".getBytes());

    private AuthCommand() {}

    static boolean offered(SmtpSession s) {
        return s.settings.saslEnabled() && s.listener.passwords() != null
                && (s.tlsActive() || !s.settings.tlsAuthOnly());
    }

    static Future<Void> run(SmtpSession s, String arg) {
        if (!s.settings.saslEnabled() || s.listener.passwords() == null) {
            return s.reply(SmtpReply.of(503, "5.5.1", "Error: authentication not enabled"));
        }
        if (!offered(s)) {
            return s.reply(SmtpReply.of(538, "5.7.11", "Encryption required for requested authentication mechanism"));
        }
        if (s.authenticated()) return s.reply(SmtpReply.of(503, "5.5.1", "Error: already authenticated"));
        if (s.transaction != null) return s.reply(SmtpReply.of(503, "5.5.1", "Error: MAIL transaction in progress"));
        String[] words = arg.trim().split(" +");
        if (words[0].isEmpty() || words.length > 2) return s.reply(SmtpReply.of(501, "5.5.4", "Syntax: AUTH mechanism"));
        SmtpReply overRate = s.listener.overRate(s, Anvil.Event.AUTH); // smtpd_client_auth_rate_limit
        if (overRate != null) return s.reply(overRate);
        String mech = words[0].toUpperCase(Locale.ROOT);
        String initial = words.length == 2 ? words[1] : null;
        switch (mech) {
            case "PLAIN":
                if (initial != null) return plain(s, initial);
                return challenge(s, "", line -> plain(s, line));
            case "LOGIN":
                if (initial != null) return loginUser(s, initial);
                return challenge(s, USERNAME, line -> loginUser(s, line));
            default:
                return s.reply(SmtpReply.of(504, "5.5.4", "Unrecognized authentication type"));
        }
    }

    private static Future<Void> challenge(SmtpSession s, String text, java.util.function.Function<String, Future<Void>> next) {
        s.continuation = next;
        s.framer.commandLineLimit(SmtpdSettings.AUTH_LINE_LIMIT);
        return s.socket.write("334 " + text + "\r\n").recover(e -> Future.succeededFuture());
    }

    private static Future<Void> plain(SmtpSession s, String response) {
        SaslResult<Credentials> r = SaslResponses.plain(response);
        if (r instanceof SaslResult.Failed<Credentials> f) return refuse(s, "PLAIN", f);
        return verify(s, "PLAIN", ((SaslResult.Ok<Credentials>) r).value());
    }

    private static Future<Void> loginUser(SmtpSession s, String response) {
        SaslResult<byte[]> user = SaslResponses.base64Step(response);
        if (user instanceof SaslResult.Failed<byte[]> f) return refuse(s, "LOGIN", f);
        byte[] name = ((SaslResult.Ok<byte[]>) user).value();
        return challenge(s, PASSWORD, line -> {
            SaslResult<byte[]> pw = SaslResponses.base64Step(line);
            if (pw instanceof SaslResult.Failed<byte[]> f) return refuse(s, "LOGIN", f);
            byte[] password = ((SaslResult.Ok<byte[]>) pw).value();
            SaslResult<Credentials> c = SaslResponses.login(name, password);
            Arrays.fill(password, (byte) 0);
            if (c instanceof SaslResult.Failed<Credentials> f) return refuse(s, "LOGIN", f);
            return verify(s, "LOGIN", ((SaslResult.Ok<Credentials>) c).value());
        });
    }

    private static <T> Future<Void> refuse(SmtpSession s, String mech, SaslResult.Failed<T> f) {
        s.log.warning(s.log.hostAddr() + ": SASL " + mech + " authentication failed: " + f.detail());
        return s.reply(f.reply());
    }

    /** The hash check is CPU-heavy (argon2id/bcrypt): it runs on a worker, never on the event loop. */
    private static Future<Void> verify(SmtpSession s, String mech, Credentials c) {
        return s.listener.vertx().executeBlocking(() -> {
            try {
                return s.listener.passwords().verify(c.authcid(), c.password());
            } finally {
                c.wipe();
            }
        }, false).transform(ar -> {
            if (ar.succeeded() && ar.result()) {
                s.saslMethod = mech;
                s.saslUsername = c.authcid();
                return s.reply(SmtpReply.of(235, "2.7.0", "Authentication successful"));
            }
            s.log.warning(s.log.hostAddr() + ": SASL " + mech + " authentication failed: authentication failure"
                    + ", sasl_username=" + c.authcid());
            return s.reply(SmtpReply.of(535, "5.7.8", "Error: authentication failed: authentication failure"));
        });
    }
}
