// Disposition: what the vscan stage made of a message smtpd is still holding the client for (vscan_mode
// before-queue or content-filter), and the reply smtpd is to give at end of DATA. Returned by
// VscanStage.inspectNow; immutable.
package org.postern.gateway.vscan;

import java.util.Objects;
import org.postern.core.SmtpReply;

/**
 * @param outcome what happened
 * @param reply   the end-of-DATA reply, or null for smtpd's own "250 2.0.0 Ok: queued as ID" (the message is
 *                in Postern's care: disposed of, or left in incoming/ for the after-queue stage)
 */
public record Disposition(Outcome outcome, SmtpReply reply) {
    public enum Outcome {
        /** Disposed of (delivered, tagged, quarantined, discarded, or for content-filter: taken by the next hop). */
        ACCEPTED,
        /** Every recipient's action is reject: the message is gone; answer 550 5.7.1. */
        REJECTED,
        /** content-filter: the next hop refused it (its reply, or 4xx when it could not be reached); the message is gone. */
        REFUSED,
        /** Not scanned (scanner down or slow): before-queue leaves it to the after-queue stage, content-filter answers 451. */
        TEMPFAIL,
        /** before-queue: over vscan_before_queue_time_limit; the scan goes on after the queue. */
        LATE
    }

    public Disposition {
        Objects.requireNonNull(outcome, "outcome");
        if (outcome == Outcome.REJECTED || outcome == Outcome.REFUSED) Objects.requireNonNull(reply, "reply");
    }

    static Disposition accepted(SmtpReply reply) {
        return new Disposition(Outcome.ACCEPTED, reply);
    }

    static final Disposition QUEUED = new Disposition(Outcome.ACCEPTED, null);
    static final Disposition LATE = new Disposition(Outcome.LATE, null);
}
