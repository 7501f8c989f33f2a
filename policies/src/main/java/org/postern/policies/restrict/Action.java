// Action: what one restriction (or access(5) table entry, or policy server answer) asks for.
// Postfix semantics (smtpd_check.c check_table_result): OK, REJECT, DEFER, TEMPFAIL and DISCARD
// end a list; the rest are noted (deferred verdicts, side effects, log lines) and evaluation goes on.
package org.postern.policies.restrict;

/** The kinds of {@link Decision}. */
public enum Action {
    /** No opinion: the next restriction decides. */
    DUNNO(false),
    /** Permit (OK, RELAY, all-numerical values, permit, permit_* restrictions): ends the list. */
    OK(true),
    /** A 4xx/5xx refusal by policy (REJECT, 4NN/5NN text, reject_* restrictions): ends the list. */
    REJECT(true),
    /** A 4xx "try again later" by policy (DEFER, defer): ends the list. */
    DEFER(true),
    /** The server could not decide (table or configuration error): 451 4.3.x; never only a warning. */
    TEMPFAIL(true),
    /** Remember a 4xx reply that replaces a later (or the implicit final) permit. */
    DEFER_IF_PERMIT(false),
    /** Remember a 4xx reply that replaces a later 5xx reject. */
    DEFER_IF_REJECT(false),
    /** Accept and silently drop the whole message (side effect): ends evaluation, as OK. */
    DISCARD(true),
    /** Put the message on hold (side effect). */
    HOLD(false),
    /** Send the message through transport:destination (side effect; the last one wins). */
    FILTER(false),
    /** Deliver to this address instead of all recipients (side effect; the last one wins). */
    REDIRECT(false),
    /** Also deliver to this address (side effect). */
    BCC(false),
    /** Prepend this header to the message (side effect). */
    PREPEND(false),
    /** Log a warning with the session context. */
    WARN(false),
    /** Log an informational record with the session context. */
    INFO(false);

    private final boolean decisive;

    Action(boolean decisive) {
        this.decisive = decisive;
    }

    /** True when this action ends the evaluation of a restriction list. */
    public boolean decisive() {
        return decisive;
    }

    /** True for the actions the caller must apply to the mail transaction. */
    public boolean sideEffect() {
        return this == DISCARD || this == HOLD || this == FILTER || this == REDIRECT || this == BCC || this == PREPEND;
    }
}
