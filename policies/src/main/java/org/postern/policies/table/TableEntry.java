// TableEntry: the result of a lookup-table match -- the value (after $1.. substitution for
// regexp:/pcre:) and the Origin (file:line) of the entry or rule that matched, which every policy
// decision carries into the mail log (ARCHITECTURE.md invariant 8).
package org.postern.policies.table;

import java.util.Objects;
import org.postern.core.Origin;

/** A matched table entry: its value and where it is written. */
public record TableEntry(String value, Origin origin) {
    public TableEntry {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(origin, "origin");
    }
}
