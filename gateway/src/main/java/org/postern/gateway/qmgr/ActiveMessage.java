// ActiveMessage: qmgr's in-memory state of one message in active/ -- its queue file, when it became
// active, the deliveries still running for it and what bounced or was deferred so far. Mutated only
// on the qmgr event loop; the queue file (outcomes) is written by Qmgr on a worker.
package org.postern.gateway.qmgr;

import io.vertx.core.Promise;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.gateway.queue.QueueFile;

final class ActiveMessage {
    final QueueFile file;
    final Instant activeAt;
    /** Completes when the message has left active/ (removed or deferred) or was abandoned. */
    final Promise<Void> done = Promise.promise();
    /** Recipients that bounced during this activation (handed to the BounceSink at the end). */
    final List<BounceSink.Bounced> bounced = new ArrayList<>();
    /** Recipients delivered in this activation whose NOTIFY asks for a success notice. */
    final List<BounceSink.Succeeded> succeeded = new ArrayList<>();
    /** The last deferral of each recipient still pending (dsn, reason), for expiry. */
    final Map<Integer, BounceSink.Bounced> deferred = new HashMap<>();
    /** Recipients neither delivered nor bounced yet, in envelope order. */
    final Set<Integer> pending;
    int deliveriesLeft;
    /**
     * Handed over as new mail (commit listener, vscan) rather than found by a listing: it has never been
     * deferred, so it has no defer log to remove (three unlink calls a message saved).
     */
    final boolean handedOn;
    /** The queue file is gone already: its last delivery left nothing to write into it (Deliveries.record). */
    boolean removed;

    ActiveMessage(QueueFile file, Instant activeAt, boolean handedOn) {
        this.file = file;
        this.activeAt = activeAt;
        this.handedOn = handedOn;
        this.pending = new LinkedHashSet<>(file.pendingRecipients());
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
