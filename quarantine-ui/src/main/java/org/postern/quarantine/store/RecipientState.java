// RecipientState: where one recipient of a quarantined message stands. Stored in the recipients table of
// the quarantine index (column state); moved by release, delete and purge in SqliteQuarantine.
package org.postern.quarantine.store;

import java.util.Locale;

/**
 * QUARANTINED until someone acts; RELEASING while a release is claimed but not yet reinjected (so two
 * releases cannot both send); RELEASED once reinjected; DELETED once an operator discarded it.
 */
public enum RecipientState {
    QUARANTINED, RELEASING, RELEASED, DELETED;

    /** The value in the index: the lower-case name. */
    public String dbName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RecipientState fromDb(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
