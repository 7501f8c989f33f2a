// QmgrSettings: the queue manager's frozen settings, Postfix's defaults: minimal_backoff_time, maximal_backoff_time,
// queue_run_delay, maximal_queue_lifetime, bounce_queue_lifetime, default_destination_concurrency_limit and
// default_destination_recipient_limit. Built from main.cf by fromConfig, or directly (tests).
package org.postern.gateway.qmgr;

import java.time.Duration;
import java.util.Objects;
import org.postern.policies.conf.Config;

/**
 * @param minimalBackoff         minimal_backoff_time (300s): shortest wait before a deferred message is retried
 * @param maximalBackoff         maximal_backoff_time (4000s): longest wait before a deferred message is retried
 * @param queueRunDelay          queue_run_delay (300s): how often deferred/ is scanned for messages due
 * @param maximalQueueLifetime   maximal_queue_lifetime (5d): after this a still-deferred recipient bounces
 * @param bounceQueueLifetime    bounce_queue_lifetime (5d): the same for mail from the null sender
 * @param concurrencyLimit       default_destination_concurrency_limit (20): parallel deliveries per next hop
 * @param recipientLimit         default_destination_recipient_limit (50): recipients per delivery
 * @param incomingPollInterval   Postern's own (1s): fallback scan of incoming/ when nobody called wakeup()
 */
public record QmgrSettings(Duration minimalBackoff, Duration maximalBackoff, Duration queueRunDelay,
                           Duration maximalQueueLifetime, Duration bounceQueueLifetime, int concurrencyLimit,
                           int recipientLimit, Duration incomingPollInterval) {
    public QmgrSettings {
        Objects.requireNonNull(minimalBackoff, "minimalBackoff");
        Objects.requireNonNull(maximalBackoff, "maximalBackoff");
        Objects.requireNonNull(maximalQueueLifetime, "maximalQueueLifetime");
        Objects.requireNonNull(bounceQueueLifetime, "bounceQueueLifetime");
        positive(queueRunDelay, "queueRunDelay");
        positive(incomingPollInterval, "incomingPollInterval");
        if (minimalBackoff.isNegative() || maximalBackoff.compareTo(minimalBackoff) < 0) {
            throw new IllegalArgumentException("need 0 <= minimal_backoff_time <= maximal_backoff_time");
        }
        if (maximalQueueLifetime.isNegative() || bounceQueueLifetime.isNegative()) {
            throw new IllegalArgumentException("negative queue lifetime");
        }
        if (concurrencyLimit < 1) throw new IllegalArgumentException("concurrency limit " + concurrencyLimit);
        if (recipientLimit < 1) throw new IllegalArgumentException("recipient limit " + recipientLimit);
    }

    /** Postfix's defaults. */
    public static QmgrSettings defaults() {
        return new QmgrSettings(Duration.ofSeconds(300), Duration.ofSeconds(4000), Duration.ofSeconds(300),
                Duration.ofDays(5), Duration.ofDays(5), 20, 50, Duration.ofSeconds(1));
    }

    /** The settings main.cf gives. */
    public static QmgrSettings fromConfig(Config c) {
        return new QmgrSettings(c.getTime("minimal_backoff_time"), c.getTime("maximal_backoff_time"),
                c.getTime("queue_run_delay"), c.getTime("maximal_queue_lifetime"), c.getTime("bounce_queue_lifetime"),
                c.getInt("default_destination_concurrency_limit"), c.getInt("default_destination_recipient_limit"),
                Duration.ofSeconds(1));
    }

    public QmgrSettings withLimits(int concurrency, int recipients) {
        return new QmgrSettings(minimalBackoff, maximalBackoff, queueRunDelay, maximalQueueLifetime, bounceQueueLifetime,
                concurrency, recipients, incomingPollInterval);
    }

    /** The lifetime that applies to a message from {@code sender} ("" is the null sender). */
    public Duration lifetimeFor(String sender) {
        return sender.isEmpty() ? bounceQueueLifetime : maximalQueueLifetime;
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive");
    }
}
