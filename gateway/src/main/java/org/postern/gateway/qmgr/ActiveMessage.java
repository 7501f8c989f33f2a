// ActiveMessage: qmgr's in-memory state of one message in active/ -- its queue file, when it became
// active, the deliveries still running for it, what was deferred so far and whether it may owe notices
// (bounce logs). Mutated only on the qmgr event loop; the queue file and logs are written by Qmgr on a worker.
package org.postern.gateway.qmgr;

import io.vertx.core.Promise;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.postern.gateway.queue.QueueFile;
import org.postern.gateway.queue.RecipientStatus;

final class ActiveMessage {
    final QueueFile file;
    final Instant activeAt;
    /** Completes when the message has left active/ (removed or deferred) or was abandoned. */
    final Promise<Void> done = Promise.promise();
    /**
     * A bounce log (BounceLog.Kind.BOUNCED) may exist: a recipient bounced in this activation, or was BOUNCED
     * when the file was read (its notice may not have gone out: a crash, a notice that could not be queued).
     */
    boolean bounceLog;
    /** As {@link #bounceLog}, for the success log: a recipient with NOTIFY=SUCCESS is (or was just) delivered. */
    boolean successLog;
    /** The last deferral of each recipient still pending (dsn, reason), for expiry. */
    final Map<Integer, BounceSink.Bounced> deferred = new HashMap<>();
    /** Recipients neither delivered nor bounced yet, in envelope order. */
    final Set<Integer> pending;
    int deliveriesLeft;
    /**
     * Handed over as new mail (commit listener, vscan) rather than found by a listing: it has never been
     * deferred nor left by a crash, so it has no defer log and no stale bounce log to remove (five unlink
     * calls a message saved).
     */
    final boolean handedOn;
    /** The queue file is gone already: its last delivery left nothing to write into it (Deliveries.record). */
    boolean removed;

    ActiveMessage(QueueFile file, Instant activeAt, boolean handedOn) {
        this.file = file;
        this.activeAt = activeAt;
        this.handedOn = handedOn;
        this.pending = new LinkedHashSet<>(file.pendingRecipients());
        List<RecipientStatus> statuses = file.recipientStatuses();
        for (int i = 0; i < statuses.size(); i++) {
            if (statuses.get(i) == RecipientStatus.BOUNCED) bounceLog = true;
            else if (statuses.get(i) == RecipientStatus.DELIVERED
                    && envelope().recipients().get(i).notifyOn().contains(Recipient.Notify.SUCCESS)) successLog = true;
        }
    }

    QueueId id() {
        return file.envelope().queueId();
    }

    Envelope envelope() {
        return file.envelope();
    }

    String address(int index) {
        return envelope().recipients().get(index).address();
    }

    /** The address part of the recipient's ORCPT, or null. */
    String origTo(int index) {
        return DeliveryLogFormat.orcptAddress(envelope().recipients().get(index).orcpt());
    }
}
