// BdatCommand: BDAT chunk-size [LAST] (RFC 3030 CHUNKING). The chunk's bytes follow the command at
// once, so the framer is switched to chunk mode before anything else; a chunk that cannot be taken
// is still read in full and dropped, then answered with the error.
package org.postern.gateway.smtpd;

import io.vertx.core.Future;
import java.util.Locale;
import org.postern.core.SmtpReply;
import org.postern.policies.restrict.Stage;

final class BdatCommand {
    private BdatCommand() {}

    static Future<Void> run(SmtpSession s, String arg) {
        String[] words = arg.trim().split(" +");
        boolean last = words.length == 2 && words[1].toUpperCase(Locale.ROOT).equals("LAST");
        if (words.length < 1 || words.length > 2 || (words.length == 2 && !last) || !words[0].matches("\\d{1,18}")) {
            // The chunk's end is unknown: the rest of the stream cannot be trusted as commands.
            s.reply(SmtpReply.of(501, "5.5.4", "Syntax: BDAT count [LAST]"));
            return s.closeNow();
        }
        long size = Long.parseLong(words[0]);
        s.framer.startChunk(size);
        Transaction tx = s.transaction;
        SmtpReply error = null;
        if (tx == null) error = SmtpReply.of(503, "5.5.1", "Error: need RCPT command");
        else if (tx.bdatError != null) error = tx.bdatError;
        else if (tx.recipients.isEmpty()) error = SmtpReply.of(554, "5.5.1", "Error: no valid recipients");
        else if (tx.cleanup != null && !tx.bdat) error = SmtpReply.of(503, "5.5.1", "Error: BDAT after DATA");
        if (error != null) {
            if (tx != null) tx.bdatError = error;
            s.receiver = MessageReceiver.discarding(s, error, last);
            return Future.succeededFuture();
        }
        tx.bdat = true;
        // The first chunk is where DATA would be: smtpd_data_restrictions apply there.
        Future<Void> opened = tx.cleanup != null ? Future.succeededFuture()
                : SmtpdPolicy.check(s, Stage.DATA, tx.recipients.size() == 1 ? tx.recipients.get(0).address() : null, -1)
                        .compose(v -> {
                            if (v.accepted()) return MessageReceiver.open(s, tx);
                            tx.bdatError = v.reply();
                            s.receiver = MessageReceiver.discarding(s, v.reply(), last);
                            return Future.<Void>failedFuture("refused by smtpd_data_restrictions");
                        });
        return opened.transform(ar -> {
            if (ar.failed() && tx.bdatError != null && s.receiver != null) return Future.succeededFuture();
            if (ar.failed() && tx.abandoned) return Future.succeededFuture(); // the client is gone
            if (ar.failed()) {
                s.log.warning(tx.queueId + ": cannot create queue file: " + ar.cause().getMessage());
                tx.bdatError = SmtpReply.of(451, "4.3.0", "Error: queue file write error");
                s.receiver = MessageReceiver.discarding(s, tx.bdatError, last);
            } else {
                s.receiver = MessageReceiver.forChunk(s, tx, last);
            }
            return Future.succeededFuture();
        });
    }
}
