// SmtpdPolicy: runs the restriction lists (smtpd_*_restrictions, org.postern.policies.restrict) for
// one session at each SMTP stage -- builds the SessionFacts from the session, logs the verdict's
// Postfix-format lines, and records its side effects (HOLD, DISCARD, REDIRECT, ...) on the transaction.
package org.postern.gateway.smtpd;

import io.vertx.core.Future;
import java.util.concurrent.CompletionStage;
import org.postern.policies.restrict.Decision;
import org.postern.policies.restrict.LogEvent;
import org.postern.policies.restrict.SessionFacts;
import org.postern.policies.restrict.SmtpdRestrictions;
import org.postern.policies.restrict.Stage;
import org.postern.policies.restrict.Verdict;

final class SmtpdPolicy {
    private SmtpdPolicy() {}

    /**
     * Evaluates {@code stage} (for RCPT, of {@code recipient}) and completes on the session's event
     * loop with the verdict, already logged and its side effects recorded.
     */
    static Future<Verdict> check(SmtpSession s, Stage stage, String recipient, long size) {
        return check(s, s.transaction, stage, recipient, size);
    }

    /** As above for {@code tx}, which the session may already have let go of (end of data). */
    static Future<Verdict> check(SmtpSession s, Transaction tx, Stage stage, String recipient, long size) {
        return check(s, tx, stage, recipient, size, s.helo, s.protocol(s.esmtp));
    }

    /**
     * smtpd_helo_restrictions for the name a HELO ({@code esmtp} false) or EHLO gives, before the session takes
     * it: as Postfix's smtpd_check_helo, the name is the session's only once it passed. (The facts carry the
     * protocol the command asks for, which names the command in the reject line; Postfix logs the session's.)
     */
    static Future<Verdict> checkHelo(SmtpSession s, String helo, boolean esmtp) {
        return check(s, null, Stage.HELO, null, -1, helo, s.protocol(esmtp));
    }

    private static Future<Verdict> check(SmtpSession s, Transaction tx, Stage stage, String recipient, long size,
                                         String helo, String protocol) {
        SmtpdRestrictions r = s.listener.restrictions();
        SessionFacts facts = facts(s, tx, stage, recipient, size, helo, protocol);
        CompletionStage<Verdict> verdict;
        switch (stage) {
            case HELO: verdict = r.helo(facts); break;
            case MAIL: verdict = r.mail(facts); break;
            case RCPT: verdict = r.rcpt(facts); break;
            case DATA: verdict = r.data(facts); break;
            case END_OF_DATA: verdict = r.endOfData(facts); break;
            default: verdict = r.connect(facts); break;
        }
        return Future.fromCompletionStage(verdict, s.context).map(v -> {
            if (stage == Stage.HELO || stage == Stage.MAIL) s.pendingDeferral = v.pendingDeferral();
            for (LogEvent e : v.log()) {
                if (e.warning()) SessionLog.LOG.warn(e.messageWithOrigin()); // the layout writes "warning: "
                else SessionLog.LOG.info(e.messageWithOrigin());
            }
            if (tx != null) {
                for (Decision d : v.sideEffects()) tx.effects.record(d);
                if (v.discard()) tx.effects.discard = true;
            }
            return v;
        });
    }

    private static SessionFacts facts(SmtpSession s, Transaction tx, Stage stage, String recipient, long size,
                                      String helo, String protocol) {
        ClientNameLookup.ClientName names = s.clientNames;
        SessionFacts.Builder b = SessionFacts.builder(stage, s.clientInet)
                .clientPort(s.clientPort)
                .clientName(names.name(), status(names.nameStatus()))
                .reverseClientName(names.reverseName(), status(names.reverseStatus()))
                .server(s.socket.localAddress().hostAddress(), s.socket.localAddress().port())
                .helo(helo, protocol)
                .illegalPipelining(s.improperPipelining)
                .pendingDeferral(s.pendingDeferral);
        if (s.saslUsername != null) b.sasl(s.saslMethod, s.saslUsername, null);
        if (s.tlsProtocol != null) b.tls(s.tlsProtocol, s.tlsCipher, s.tlsBits);
        if (tx != null) {
            b.sender(tx.sender.toString()).smtputf8(tx.params.smtputf8()).recipientCount(tx.recipients.size())
                    .instance(tx.instance).discarded(tx.effects.discard);
            if (tx.queueId != null) b.queueId(tx.queueId.value());
            if (size >= 0) b.messageSize(size);
            else if (tx.params.size() >= 0) b.messageSize(tx.params.size());
        }
        if (recipient != null) b.recipient(recipient);
        return b.build();
    }

    private static SessionFacts.NameStatus status(ClientNameLookup.Status s) {
        switch (s) {
            case OK: return SessionFacts.NameStatus.OK;
            case TEMPFAIL: return SessionFacts.NameStatus.TEMPFAIL;
            default: return SessionFacts.NameStatus.PERMFAIL;
        }
    }
}
