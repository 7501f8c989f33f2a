// QuarantineRefusal: the answer when a release or delete cannot be done as asked (no such message, already
// released, ...). Futures of SqliteQuarantine fail with it; the CLI prints the message, the web UI maps kind.
package org.postern.quarantine.store;

import java.util.Objects;

/** An expected refusal, not a fault: it carries no stack trace. */
public final class QuarantineRefusal extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why. */
    public enum Kind {
        NO_SUCH_MESSAGE, NO_SUCH_RECIPIENT, ALREADY_RELEASED, RELEASE_IN_PROGRESS, DELETED, CONTENT_MISSING,
        NOT_BEING_RELEASED
    }

    private final Kind kind;

    public QuarantineRefusal(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public Kind kind() {
        return kind;
    }
}
