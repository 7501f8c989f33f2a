// EndOfDataScan: end of DATA on a vscan_mode before-queue or content-filter listener -- claims the queue id
// before cleanup commits, then has the vscan stage inspect the message and turns its Disposition into the
// reply (550 5.7.1, the next hop's refusal, 451, 250). Governed by vscan_mode and vscan_*_nexthop/_time_limit.
package org.postern.gateway.smtpd;

import io.vertx.core.Future;
import org.postern.core.QueueId;
import org.postern.core.SmtpReply;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.vscan.VscanMode;
import org.postern.gateway.vscan.VscanStage;

/** One per transaction that ends with a commit. */
final class EndOfDataScan {
    /** content-filter without a backend: the client keeps the message. */
    static final SmtpReply UNAVAILABLE = SmtpReply.of(451, "4.3.5", "Error: content filter unavailable");

    private final SmtpSession s;
    private final VscanStage vscan;
    private final QueueId id;

    private EndOfDataScan(SmtpSession s, VscanStage vscan, QueueId id) {
        this.s = s;
        this.vscan = vscan;
        this.id = id;
    }

    /**
     * For a listener that scans at end of DATA and a running vscan stage: the claim on {@code id}, made now
     * (before the commit). Null when the message is to be committed as after the queue (no stage, or the
     * listener's mode does not scan at end of DATA).
     */
    static EndOfDataScan claim(SmtpSession s, QueueId id) {
        if (!s.settings.vscanMode().scansAtEndOfData()) return null;
        VscanStage vscan = s.listener.vscan();
        if (vscan == null) return null;
        vscan.claim(id);
        return new EndOfDataScan(s, vscan, id);
    }

    /** True when the listener needs a vscan stage that is not there (content-filter without a backend). */
    static boolean unavailable(SmtpSession s) {
        return s.settings.vscanMode() == VscanMode.CONTENT_FILTER && s.listener.vscan() == null;
    }

    /** The commit did not put the message in incoming/ (failed, refused, discarded, held): nothing to inspect. */
    void release() {
        vscan.release(id);
    }

    /**
     * The reply for the message cleanup committed to {@code queue}: the inspection's when it went to
     * incoming/, else {@code queued}.
     */
    Future<SmtpReply> reply(QueueName queue, SmtpReply queued) {
        if (queue != QueueName.INCOMING) {
            release();
            return Future.succeededFuture(queued);
        }
        return vscan.inspectNow(id, s.settings.scanRequest()).map(d -> d.reply() != null ? d.reply() : queued)
                .otherwise(e -> { // inspectNow never fails; should it, a content filter must not claim success
                    s.log.warning(id + ": vscan: " + e);
                    return s.settings.vscanMode() == VscanMode.CONTENT_FILTER ? UNAVAILABLE : queued;
                });
    }
}
