// Backoff: when a deferred message is tried again and when it has been queued too long -- Postfix's
// qmgr_active_done rule: wait as long as the message is old, within minimal_backoff_time and
// maximal_backoff_time; expire after maximal_queue_lifetime (bounce_queue_lifetime for bounces). Pure.
package org.postern.gateway.qmgr;

import java.time.Duration;
import java.time.Instant;

/** Retry arithmetic. The delay doubles with each attempt (age grows) until maximal_backoff_time. */
final class Backoff {
    private final QmgrSettings settings;

    Backoff(QmgrSettings settings) {
        this.settings = settings;
    }

    /** The next attempt of a message that arrived at {@code arrival} and was deferred at {@code now}. */
    Instant nextAttempt(Instant arrival, Instant now) {
        Duration age = Duration.between(arrival, now);
        Duration wait = age;
        if (wait.compareTo(settings.maximalBackoff()) > 0) wait = settings.maximalBackoff();
        if (wait.compareTo(settings.minimalBackoff()) < 0) wait = settings.minimalBackoff();
        return now.plus(wait);
    }

    /** True when a message from {@code sender} that arrived at {@code arrival} may not be deferred again. */
    boolean expired(String sender, Instant arrival, Instant now) {
        return !now.isBefore(arrival.plus(settings.lifetimeFor(sender)));
    }
}
