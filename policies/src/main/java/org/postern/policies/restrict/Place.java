// Place: where a restriction is being parsed -- the list kind (its stage and default access check),
// the class its generic replies name (the list's, or the access check's for a table value that is a
// restriction list), the main.cf line or table entry, the list name, and whether it is a lookup-time parse.
package org.postern.policies.restrict;

import org.postern.core.Origin;

/** Immutable parse position. {@code runtime}: an access-table value, whose errors become "451 4.3.5". */
record Place(ListKind kind, ReplyClass replyClass, Origin origin, String listName, boolean runtime) {

    Place(ListKind kind, Origin origin, String listName, boolean runtime) {
        this(kind, kind.replyClass(), origin, listName, runtime);
    }

    /** The same place for another list kind (a restriction class used from that list). */
    Place in(ListKind k) {
        return new Place(k, k.replyClass(), origin, listName, runtime);
    }
}
