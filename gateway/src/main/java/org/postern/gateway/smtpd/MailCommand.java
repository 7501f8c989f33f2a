// MailCommand: MAIL FROM (RFC 5321 section 4.1.1.2) with SIZE, BODY, SMTPUTF8, RET, ENVID, AUTH.
// Starts a Transaction. Refuses mail before STARTTLS when smtpd_tls_security_level = encrypt, and
// a declared SIZE over message_size_limit, and a client over smtpd_client_message_rate_limit.
package org.postern.gateway.smtpd;

import io.vertx.core.Future;
import java.util.Optional;
import org.postern.core.SmtpReply;
import org.postern.gateway.anvil.Anvil;
import org.postern.policies.restrict.Stage;

final class MailCommand {
    private MailCommand() {}

    static Future<Void> run(SmtpSession s, String arg) {
        SmtpdSettings st = s.settings;
        if (st.tlsLevel() == SmtpdSettings.TlsLevel.ENCRYPT && !s.tlsActive()) {
            return s.reply(SmtpReply.of(530, "5.7.0", "Must issue a STARTTLS command first"));
        }
        if (s.transaction != null) return s.reply(SmtpReply.of(503, "5.5.1", "Error: nested MAIL command"));
        Optional<PathArgument> pa = PathArgument.parse(arg, "FROM:");
        if (pa.isEmpty()) return s.reply(SmtpReply.of(501, "5.5.4", "Syntax: MAIL FROM:<address>"));
        SmtpReply overRate = s.listener.overRate(s, Anvil.Event.MAIL); // smtpd_client_message_rate_limit
        if (overRate != null) return s.reply(overRate);
        EsmtpParams.Mail params = EsmtpParams.mail(pa.get().params(), st.messageSizeLimit());
        if (params.error() != null) return s.reply(params.error());
        if (params.smtputf8() && !st.smtputf8()) {
            return s.reply(SmtpReply.of(555, "5.5.4", "Unsupported option: SMTPUTF8"));
        }
        MailAddress sender;
        if (pa.get().path().isEmpty()) {
            sender = MailAddress.NULL_SENDER;
        } else {
            Optional<MailAddress> a = MailAddress.parse(pa.get().path(), true);
            if (a.isEmpty()) return s.reply(SmtpReply.of(501, "5.1.7", "Bad sender address syntax"));
            sender = a.get();
            if (!sender.isAscii() && !params.smtputf8()) {
                return s.reply(SmtpReply.of(553, "5.6.7", "Must declare SMTPUTF8 to send unicode address"));
            }
            if (!sender.hasDomain()) sender = sender.withDomain(st.myorigin()); // append_at_myorigin
        }
        s.transaction = new Transaction(sender, params, s.nextInstance());
        s.resetJunk();
        return SmtpdPolicy.check(s, Stage.MAIL, null, -1).compose(v -> {
            if (v.accepted()) return s.reply(SmtpReply.of(250, "2.1.0", "Ok"));
            s.transaction = null;
            Future<Void> f = s.reply(v.reply());
            return v.disconnect() ? f.compose(x -> s.closeNow()) : f;
        });
    }
}
