// RcptCommand: RCPT TO (RFC 5321 section 4.1.1.3) with NOTIFY and ORCPT (RFC 3461), the recipient
// limit, and the anti-relay decision (RelayCheck). The first accepted recipient allots the queue id
// and logs "QUEUEID: client=". Governed by smtpd_recipient_limit, smtpd_client_recipient_rate_limit,
// mydestination, relay_domains.
package org.postern.gateway.smtpd;

import io.vertx.core.Future;
import java.util.Optional;
import org.postern.core.Recipient;
import org.postern.core.SmtpReply;
import org.postern.gateway.anvil.Anvil;
import org.postern.policies.restrict.Stage;

final class RcptCommand {
    private RcptCommand() {}

    static Future<Void> run(SmtpSession s, String arg) {
        Transaction tx = s.transaction;
        if (tx == null) return s.reply(SmtpReply.of(503, "5.5.1", "Error: need MAIL command"));
        if (tx.cleanup != null || tx.bdat) return s.reply(SmtpReply.of(503, "5.5.1", "Error: RCPT after BDAT"));
        Optional<PathArgument> pa = PathArgument.parse(arg, "TO:");
        if (pa.isEmpty() || pa.get().path().isEmpty()) {
            return s.reply(SmtpReply.of(501, "5.5.4", "Syntax: RCPT TO:<address>"));
        }
        SmtpReply overRate = s.listener.overRate(s, Anvil.Event.RCPT); // smtpd_client_recipient_rate_limit
        if (overRate != null) return s.reply(overRate);
        Optional<MailAddress> parsed = MailAddress.parse(pa.get().path(), true);
        if (parsed.isEmpty()) return s.reply(SmtpReply.of(501, "5.1.3", "Bad recipient address syntax"));
        MailAddress rcpt = parsed.get();
        if (!rcpt.isAscii() && !tx.params.smtputf8()) {
            return s.reply(SmtpReply.of(553, "5.6.7", "Must declare SMTPUTF8 to send unicode address"));
        }
        if (s.settings.recipientLimit() > 0 && tx.recipients.size() >= s.settings.recipientLimit()) { // 0: no limit
            return s.reply(SmtpReply.of(452, "4.5.3", "Error: too many recipients"));
        }
        EsmtpParams.Rcpt params = EsmtpParams.rcpt(pa.get().params());
        if (params.error() != null) return s.reply(params.error());

        MailAddress accepted = RelayCheck.rewrite(rcpt, s.settings);
        // smtpd_relay_restrictions + smtpd_recipient_restrictions (and, delayed, client/helo/sender)
        return SmtpdPolicy.check(s, Stage.RCPT, accepted.toString(), -1).compose(v -> {
            if (s.transaction != tx) return Future.succeededFuture(); // the session moved on (closed)
            if (!v.accepted()) {
                Future<Void> f = s.reply(v.reply());
                return v.disconnect() ? f.compose(x -> s.closeNow()) : f;
            }
            if (tx.queueId == null) {
                tx.queueId = s.listener.queue().newQueueId();
                s.log.client(tx.queueId.value());
            }
            // the address as the client gave it stays the original when qualifying changed it (RCPT TO:<bob>)
            String given = rcpt.toString();
            tx.recipients.add(new Recipient(accepted.toString(), params.notifyOn(), params.orcpt(),
                    given.equals(accepted.toString()) ? null : given));
            return s.reply(SmtpReply.of(250, "2.1.5", "Ok"));
        });
    }
}
