// ScanRequest: what smtpd asks of the vscan stage at end of DATA for a listener whose vscan_mode is
// before-queue (with vscan_before_queue_time_limit) or content-filter (with vscan_content_filter_nexthop).
// Built once per listener from its frozen settings; immutable.
package org.postern.gateway.vscan;

import java.time.Duration;
import java.util.Objects;
import org.postern.gateway.smtp.Destination;

/**
 * @param mode    {@link VscanMode#BEFORE_QUEUE} or {@link VscanMode#CONTENT_FILTER}
 * @param budget  before-queue: the time the scan may take before smtpd answers 250 and the scan continues
 *                after the queue; null for content-filter (bounded by the scanners' own timeouts)
 * @param nexthop content-filter: where scanned mail is sent before the reply; null for before-queue
 */
public record ScanRequest(VscanMode mode, Duration budget, Destination nexthop) {
    public ScanRequest {
        Objects.requireNonNull(mode, "mode");
        if (mode == VscanMode.BEFORE_QUEUE) {
            Objects.requireNonNull(budget, "budget");
            if (budget.isNegative() || budget.isZero()) throw new IllegalArgumentException("budget " + budget);
            if (nexthop != null) throw new IllegalArgumentException("before-queue has no next hop");
        } else if (mode == VscanMode.CONTENT_FILTER) {
            Objects.requireNonNull(nexthop, "nexthop");
            if (budget != null) throw new IllegalArgumentException("content-filter has no time budget");
        } else {
            throw new IllegalArgumentException("not scanned at end of DATA: " + mode.key());
        }
    }

    public static ScanRequest beforeQueue(Duration budget) {
        return new ScanRequest(VscanMode.BEFORE_QUEUE, budget, null);
    }

    public static ScanRequest contentFilter(Destination nexthop) {
        return new ScanRequest(VscanMode.CONTENT_FILTER, null, nexthop);
    }

    /** The FILTER ("smtp:[127.0.0.1]:10025") a content-filter message is committed with: whatever the after-queue
     *  stage makes of it (after a crash, or recipients the next hop deferred) goes back to the next hop. */
    public String filter() {
        return nexthop == null ? null : nexthop.protocol().transportName() + ":" + nexthop.nexthop();
    }
}
