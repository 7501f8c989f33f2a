// VscanMode: how a listener's mail meets the content filter (master.cf -o vscan_mode=): after-queue
// (incoming -> vscan -> active), before-queue (scanned at end of DATA, 550 for a rejecting verdict),
// content-filter (scanned and reinjected by SMTP before the reply, like amavisd-new), none (reinjection).
package org.postern.gateway.vscan;

import java.util.Locale;

public enum VscanMode {
    /** Committed to incoming/; the vscan stage scans it later (the default). */
    AFTER_QUEUE,
    /** Scanned at end of DATA within vscan_before_queue_time_limit; a rejecting verdict is a 550. */
    BEFORE_QUEUE,
    /** Scanned at end of DATA, then sent to vscan_content_filter_nexthop before the reply. */
    CONTENT_FILTER,
    /** Not scanned: committed straight into active/ (releases, mail an outside filter already scanned). */
    NONE;

    /** The main.cf word: after-queue, before-queue, content-filter, none. */
    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses a main.cf value; IllegalArgumentException names the bad one. */
    public static VscanMode of(String word) {
        String w = word == null ? "" : word.strip().toLowerCase(Locale.ROOT);
        for (VscanMode m : values()) {
            if (m.key().equals(w)) return m;
        }
        throw new IllegalArgumentException("unknown vscan_mode \"" + word
                + "\" (after-queue, before-queue, content-filter, none)");
    }

    /** True when smtpd waits for the scan before it answers the end of DATA. */
    public boolean scansAtEndOfData() {
        return this == BEFORE_QUEUE || this == CONTENT_FILTER;
    }
}
