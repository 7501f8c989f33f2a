// CheckListener: how the cleanup stage hears, while a message streams in, what its header/body
// checks found -- each table match, MIME errors (strict_* parameters) and table failures -- so it
// can write Postfix's log lines (CheckLog) as they happen, in message order.
package org.postern.policies.checks;

import org.postern.policies.table.TableLookupException;

/** Callbacks from {@link MessageChecks}, on the thread that feeds it. */
public interface CheckListener {

    /**
     * A table matched. Log {@link CheckLog#line} when {@link CheckResult#logged()}, and
     * {@link CheckResult#problem()} as a warning when it is not null.
     */
    void matched(CheckResult result);

    /**
     * A MIME error that the strict_* parameters turn into a rejection (550 5.6.0 at end of data);
     * log {@link CheckLog#mimeError}. Reported once per kind of error.
     */
    void mimeError(MimeError error, String text);

    /**
     * A table of {@code checks} could not answer: the message gets 451 4.3.5 at end of data and is
     * not inspected further; log {@link CheckLog#lookupProblem} as a warning (and the cause).
     */
    void lookupFailed(String checks, TableLookupException cause);
}
