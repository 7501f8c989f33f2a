// QmgrSettings: the queue manager's frozen settings, Postfix's defaults: minimal_backoff_time, maximal_backoff_time,
// queue_run_delay, maximal_queue_lifetime, bounce_queue_lifetime, default_destination_concurrency_limit,
// default_destination_recipient_limit (and the smtp_/relay_/lmtp_ overrides), initial_destination_concurrency,
// delay_warning_time. Built from main.cf by fromConfig, or directly (tests).
package org.postern.gateway.qmgr;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * @param incomingPollInterval   Postern's own (1s): fallback scan of active/ when nobody called wakeup()
 * @param initialConcurrency     initial_destination_concurrency (5): deliveries to a next hop before it proved itself
 * @param delayWarning           delay_warning_time (0: never): when the sender hears that mail is still queued
 * @param perTransport           transport name (smtp, lmtp) -> its limits, overriding the defaults
 */
public record QmgrSettings(Duration minimalBackoff, Duration maximalBackoff, Duration queueRunDelay,
                           Duration maximalQueueLifetime, Duration bounceQueueLifetime, int concurrencyLimit,
                           int recipientLimit, Duration incomingPollInterval, int initialConcurrency,
                           Duration delayWarning, Map<String, Limits> perTransport) {
    public QmgrSettings(Duration minimalBackoff, Duration maximalBackoff, Duration queueRunDelay,
                        Duration maximalQueueLifetime, Duration bounceQueueLifetime, int concurrencyLimit,
                        int recipientLimit, Duration incomingPollInterval) {
        this(minimalBackoff, maximalBackoff, queueRunDelay, maximalQueueLifetime, bounceQueueLifetime, concurrencyLimit,
                recipientLimit, incomingPollInterval, concurrencyLimit, Duration.ZERO, Map.of());
    }

    public QmgrSettings {
        Objects.requireNonNull(delayWarning, "delayWarning");
        perTransport = Map.copyOf(perTransport);
        if (initialConcurrency < 1) throw new IllegalArgumentException("initial concurrency " + initialConcurrency);
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

    /** One transport's destination_concurrency_limit and destination_recipient_limit. */
    public record Limits(int concurrency, int recipients) {}

    /** Postfix's defaults. */
    public static QmgrSettings defaults() {
        return new QmgrSettings(Duration.ofSeconds(300), Duration.ofSeconds(4000), Duration.ofSeconds(300),
                Duration.ofDays(5), Duration.ofDays(5), 20, 50, Duration.ofSeconds(1), 5, Duration.ZERO,
                Map.of("smtp", new Limits(20, 50), "lmtp", new Limits(20, 50)));
    }

    /** The settings main.cf gives. */
    public static QmgrSettings fromConfig(Config c) {
        Map<String, Limits> per = new HashMap<>();
        for (String t : List.of("smtp", "lmtp")) {
            per.put(t, new Limits(c.getInt(t + "_destination_concurrency_limit"), c.getInt(t + "_destination_recipient_limit")));
        }
        return new QmgrSettings(c.getTime("minimal_backoff_time"), c.getTime("maximal_backoff_time"),
                c.getTime("queue_run_delay"), c.getTime("maximal_queue_lifetime"), c.getTime("bounce_queue_lifetime"),
                c.getInt("default_destination_concurrency_limit"), c.getInt("default_destination_recipient_limit"),
                Duration.ofSeconds(1), c.getInt("initial_destination_concurrency"), c.getTime("delay_warning_time"), per);
    }

    public QmgrSettings withLimits(int concurrency, int recipients) {
        return new QmgrSettings(minimalBackoff, maximalBackoff, queueRunDelay, maximalQueueLifetime, bounceQueueLifetime,
                concurrency, recipients, incomingPollInterval, concurrency, delayWarning, Map.of());
    }

    public QmgrSettings withDelayWarning(Duration after) {
        return new QmgrSettings(minimalBackoff, maximalBackoff, queueRunDelay, maximalQueueLifetime, bounceQueueLifetime,
                concurrencyLimit, recipientLimit, incomingPollInterval, initialConcurrency, after, perTransport);
    }

    /** Parallel deliveries per next hop for {@code transport} (smtp_destination_concurrency_limit, ...). */
    public int concurrencyLimit(String transport) {
        Limits l = perTransport.get(transport);
        return l == null ? concurrencyLimit : Math.max(1, l.concurrency());
    }

    /** Recipients per delivery for {@code transport} (smtp_destination_recipient_limit, ...). */
    public int recipientLimit(String transport) {
        Limits l = perTransport.get(transport);
        return l == null ? recipientLimit : Math.max(1, l.recipients());
    }

    /** The lifetime that applies to a message from {@code sender} ("" is the null sender). */
    public Duration lifetimeFor(String sender) {
        return sender.isEmpty() ? bounceQueueLifetime : maximalQueueLifetime;
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive");
    }
}
