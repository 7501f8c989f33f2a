// VerdictClass: the class a scanned message falls in -- infected, unscannable, banned, spam, probable
// spam or clean -- each with its own vscan_<class>_action in main.cf. Ordered most severe first; a
// message takes the most severe class any filter found. Used by ScanVerdict and ActionPolicy.
package org.postern.filters;

import java.util.Locale;

public enum VerdictClass {
    INFECTED, UNSCANNABLE, BANNED, SPAM, PROBABLE_SPAM, CLEAN;

    /** The name used in main.cf (vscan_infected_action), vscan_policy_maps and the quarantine index. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static VerdictClass of(String key) {
        return valueOf(key.toUpperCase(Locale.ROOT));
    }
}
