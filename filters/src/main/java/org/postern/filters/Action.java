// Action: what the vscan stage does with a message for one recipient, by policy: deliver, deliver tagged
// (X-Spam-* headers, subject tag), quarantine, discard, or reject (before-queue only; after the queue
// a reject is quarantined instead, since it would need a bounce to a probably forged sender).
package org.postern.filters;

import java.util.Locale;

public enum Action {
    DELIVER, TAG, QUARANTINE, DISCARD, REJECT;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a main.cf / vscan_policy_maps word; IllegalArgumentException names the bad one. */
    public static Action of(String word) {
        try {
            return valueOf(word.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown action \"" + word + "\" (deliver, tag, quarantine, discard, reject)");
        }
    }
}
