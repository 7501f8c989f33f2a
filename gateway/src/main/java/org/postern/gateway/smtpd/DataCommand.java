// DataCommand: DATA (RFC 5321 section 4.1.1.4). Opens the queue file and cleanup, answers 354 and
// switches the framer to content mode; the MessageReceiver takes it from there to the final reply.
package org.postern.gateway.smtpd;

import io.vertx.core.Future;
import org.postern.core.SmtpReply;
import org.postern.policies.restrict.Stage;

final class DataCommand {
    private DataCommand() {}

    static Future<Void> run(SmtpSession s, String arg) {
        if (!arg.isEmpty()) return s.reply(SmtpReply.of(501, "5.5.4", "Syntax: DATA"));
        Transaction tx = s.transaction;
        if (tx == null) return s.reply(SmtpReply.of(503, "5.5.1", "Error: need RCPT command"));
        if (tx.bdat) return s.reply(SmtpReply.of(503, "5.5.1", "Error: DATA after BDAT"));
        if (tx.recipients.isEmpty()) return s.reply(SmtpReply.of(554, "5.5.1", "Error: no valid recipients"));
        return SmtpdPolicy.check(s, Stage.DATA, tx.recipients.size() == 1 ? tx.recipients.get(0).address() : null, -1)
                .compose(v -> v.accepted() ? open(s, tx) : refuse(s, v));
    }

    static Future<Void> refuse(SmtpSession s, org.postern.policies.restrict.Verdict v) {
        Future<Void> f = s.reply(v.reply());
        return v.disconnect() ? f.compose(x -> s.closeNow()) : f;
    }

    private static Future<Void> open(SmtpSession s, Transaction tx) {
        return MessageReceiver.open(s, tx).transform(ar -> {
            if (ar.failed() && tx.abandoned) return Future.succeededFuture(); // the client is gone
            if (ar.failed()) {
                s.log.warning(tx.queueId + ": cannot create queue file: " + ar.cause().getMessage());
                return s.reply(SmtpReply.of(451, "4.3.0", "Error: queue file write error"));
            }
            s.receiver = MessageReceiver.forData(s, tx);
            s.framer.startData();
            return s.reply(SmtpReply.of(354, null, "End data with <CR><LF>.<CR><LF>"));
        });
    }
}
