// Query: which quarantined messages list() returns -- filters by verdict class, age, recipient and recipient
// state, newest first, one page at a time. Built by the CLI (postern quarantine list) and the web UI.
package org.postern.quarantine.store;

import java.time.Instant;

/**
 * Null means "any". Start from {@link #all()} and narrow with the with* methods.
 *
 * @param verdictClass only this verdict class (infected, spam, ...)
 * @param since        only messages quarantined at or after this instant
 * @param recipient    only messages with a recipient containing this text (case-insensitive for ASCII)
 * @param state        only messages with a recipient in this state (the same recipient, with {@code recipient})
 * @param limit        page size, 1..{@value #MAX_LIMIT}
 * @param offset       messages to skip
 */
public record Query(String verdictClass, Instant since, String recipient, RecipientState state, int limit,
                    int offset) {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    public Query {
        if (limit < 1 || limit > MAX_LIMIT) throw new IllegalArgumentException("limit not in 1.." + MAX_LIMIT + ": " + limit);
        if (offset < 0) throw new IllegalArgumentException("offset < 0: " + offset);
        if (verdictClass != null && verdictClass.isBlank()) verdictClass = null;
        if (recipient != null && recipient.isEmpty()) recipient = null;
    }

    /** Every message, the newest {@value #DEFAULT_LIMIT}. */
    public static Query all() {
        return new Query(null, null, null, null, DEFAULT_LIMIT, 0);
    }

    public Query withVerdictClass(String v) {
        return new Query(v, since, recipient, state, limit, offset);
    }

    public Query withSince(Instant v) {
        return new Query(verdictClass, v, recipient, state, limit, offset);
    }

    public Query withRecipient(String v) {
        return new Query(verdictClass, since, v, state, limit, offset);
    }

    public Query withState(RecipientState v) {
        return new Query(verdictClass, since, recipient, v, limit, offset);
    }

    public Query withPage(int newLimit, int newOffset) {
        return new Query(verdictClass, since, recipient, state, newLimit, newOffset);
    }
}
