// VscanNotices: the notices the vscan stage sends -- to the administrator about infected mail (and the classes
// of vscan_admin_notify_classes, to vscan_admin_notify_recipient), and with vscan_recipient_notify to each
// recipient of quarantined mail. Never to the (probably forged) sender. Sent through the bounce stage.
package org.postern.gateway.vscan;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.postern.core.Envelope;
import org.postern.core.Recipient;
import org.postern.filters.ScanVerdict;

/** Immutable; a failed notice is logged, never fails the disposition. */
final class VscanNotices {
    private final ScanInspector.Notifier notifier;
    private final String adminRecipient;
    private final Set<String> adminClasses;

    VscanNotices(ScanInspector.Notifier notifier, String adminRecipient, Set<String> adminClasses) {
        this.notifier = notifier;
        this.adminRecipient = adminRecipient;
        this.adminClasses = Set.copyOf(adminClasses);
    }

    /** vscan_recipient_notify: each recipient hears that mail for them is held, and how to ask for it. */
    Future<Void> recipients(Envelope env, List<String> rcpts, String subject, ScanVerdict v, String qid) {
        List<Future<Void>> sent = new ArrayList<>();
        for (String rcpt : rcpts) {
            String text = "A message for you was held in quarantine by the mail gateway.\n\n"
                    + "From: <" + env.sender() + ">\nSubject: " + subject + "\nReason: " + v.verdictClass().key()
                    + (v.virus() == null ? "" : " (" + v.virus() + ")") + "\nQuarantine ID: " + qid + "\n\n"
                    + "If you need this message, ask your mail administrator to release it.\n";
            sent.add(notifier.notify(rcpt, "Message held in quarantine: " + subject, text).recover(e -> {
                VscanStage.LOG.warn("{}: vscan: notice to {} not sent: {}", env.queueId(), rcpt, e.toString());
                return Future.succeededFuture();
            }));
        }
        return Future.join(sent).mapEmpty();
    }

    /** Notices to the administrator (infected and vscan_admin_notify_classes); never to the sender. */
    Future<Void> admin(Envelope env, ScanVerdict v) {
        if (adminRecipient.isEmpty() || !adminClasses.contains(v.verdictClass().key())) {
            return Future.succeededFuture();
        }
        String text = "Postern's content filter found " + v.verdictClass().key() + " mail.\n\n"
                + "Queue ID: " + env.queueId() + "\nSender: <" + env.sender() + ">\nClient: " + env.client().hostAddr()
                + "\nRecipients: " + String.join(", ", env.recipients().stream().map(Recipient::address).toList())
                + "\nFindings: " + v.reason() + "\n";
        return notifier.notify(adminRecipient, "Postern: " + v.verdictClass().key() + " mail from <"
                + env.sender() + ">", text).recover(e -> {
            VscanStage.LOG.warn("{}: vscan: admin notice not sent: {}", env.queueId(), e.toString());
            return Future.succeededFuture();
        });
    }
}
