// OutageWatch: notices that the content filters have been unable to scan for vscan_outage_notify_time and
// tells the postmaster once (notify_classes "resource"), then once more when scanning works again.
// Fed by VscanStage after each inspection; mail meanwhile waits in incoming/.
package org.postern.gateway.vscan;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.BiConsumer;

/** Used on the vscan stage's context only. */
public final class OutageWatch {
    private final Duration after;
    private final Clock clock;
    private final BiConsumer<String, String> notify;
    private Instant since;
    private boolean reported;

    /** @param notify (subject, text) to the postmaster */
    public OutageWatch(Duration after, Clock clock, BiConsumer<String, String> notify) {
        this.after = Objects.requireNonNull(after, "after");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.notify = Objects.requireNonNull(notify, "notify");
    }

    /** An inspection could not scan: {@code why} names the scanner and the failure. */
    void failed(String why) {
        Instant now = clock.instant();
        if (since == null) since = now;
        if (!reported && !after.isZero() && !now.isBefore(since.plus(after))) {
            reported = true;
            VscanStage.LOG.warn("vscan: content filters unable to scan since {}: {}", since, why);
            notify.accept("Postern: content filtering has been failing since " + since,
                    "Postern's content filters have not been able to scan mail since " + since + ".\n"
                            + "Mail waits in the incoming queue and is retried; nothing passes unscanned.\n\n"
                            + "Last failure: " + why + "\n");
        }
    }

    /** An inspection finished: the outage (if any) is over. */
    void succeeded() {
        if (since != null && reported) {
            VscanStage.LOG.info("vscan: content filters scan again (failing since {})", since);
            notify.accept("Postern: content filtering works again", "Postern's content filters scan mail again;"
                    + " they were failing from " + since + " to " + clock.instant() + ".\n");
        }
        since = null;
        reported = false;
    }
}
