// MailCommand: MAIL FROM (RFC 5321 section 4.1.1.2) with SIZE, BODY, SMTPUTF8, RET, ENVID, AUTH.
// Starts a Transaction. Refuses mail before STARTTLS when smtpd_tls_security_level = encrypt, a declared
// SIZE over message_size_limit, a client over smtpd_client_message_rate_limit, and (after
// smtpd_sender_restrictions, as Postfix) any mail while the queue file system is short of queue_minfree.
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
        Transaction tx = s.transaction;
        return SmtpdPolicy.check(s, Stage.MAIL, null, -1).compose(v -> {
            if (v.accepted()) return checkQueueSpace(s, tx);
            s.transaction = null;
            Future<Void> f = s.reply(v.reply());
            return v.disconnect() ? f.compose(x -> s.closeNow()) : f;
        });
    }

    /** Postfix's smtpd_check_queue (queue_minfree): 250, or 452 4.3.1 and no transaction. */
    private static Future<Void> checkQueueSpace(SmtpSession s, Transaction tx) {
        return s.listener.queueSpace().usable().transform(ar -> {
            SmtpReply refusal;
            String why;
            if (ar.failed()) {
                refusal = QueueSpace.UNKNOWN;
                why = "cannot determine the free space of the queue file system: " + ar.cause();
            } else {
                why = QueueSpace.shortage(ar.result(), s.settings.queueMinfree(), s.settings.messageSizeLimit(),
                        tx.params.size());
                refusal = why == null ? null : QueueSpace.INSUFFICIENT;
            }
            if (refusal == null) return s.reply(SmtpReply.of(250, "2.1.0", "Ok"));
            s.transaction = null;
            s.log.reject(null, "MAIL", refusal, null, null); // as Postfix: no from=, the sender is not taken
            s.log.warning(why);
            return s.reply(refusal);
        });
    }
}
