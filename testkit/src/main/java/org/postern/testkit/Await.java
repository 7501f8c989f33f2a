// Await: waits, bounded, for a condition a test cannot be told about directly -- another process
// listening, a server noticing a closed socket, a spool emptying -- instead of sleeping a guessed
// time. Fails with what it was waiting for when the deadline passes.
package org.postern.testkit;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

public final class Await {
    private static final Duration POLL = Duration.ofMillis(20);

    private Await() {}

    /**
     * Re-evaluates {@code condition} until it is true or {@code timeout} has passed (then an
     * AssertionError naming {@code what}). Exceptions from the condition count as "not yet"; the
     * last one is attached to the failure.
     */
    public static void until(String what, Duration timeout, Callable<Boolean> condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (true) {
            try {
                if (Boolean.TRUE.equals(condition.call())) return;
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() - deadline >= 0) {
                AssertionError failure = new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
                if (last != null) failure.initCause(last);
                throw failure;
            }
            LockSupport.parkNanos(POLL.toNanos());
            if (Thread.interrupted()) throw new AssertionError("interrupted while waiting for " + what);
        }
    }
}
