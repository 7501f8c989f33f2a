// QueueIdGenerator: hands out queue ids in Postfix's short style (upper-case hex, here always 11
// digits) for smtpd at MAIL FROM time. Ids are unique within the spool across restarts because they
// grow strictly: from the injected Clock and above every id found in queue_directory at open.
package org.postern.gateway.queue;

import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.postern.core.QueueId;

/**
 * An id is the number of 1/4096-second ticks since 2024-01-01T00:00:00Z, printed as 11 upper-case
 * hex digits (zero-padded, so string order is arrival order; enough until the year 2160). The
 * tick is computed from the clock's microseconds; when the clock does not move (bursts of more
 * than 4096 ids a second, a clock stepped back, a restart with an earlier clock) the previous id
 * plus one is used instead, so ids never repeat in one process and never go below a floor taken
 * from the spool. The writer still creates each file with CREATE_NEW and takes a new id on a
 * collision, so even a foreign file with a matching name is never overwritten. Thread-safe.
 */
public final class QueueIdGenerator {
    /** Number of hex digits of every generated id. */
    public static final int LENGTH = 11;
    static final long TICKS_PER_SECOND = 4096;
    static final Instant EPOCH = Instant.parse("2024-01-01T00:00:00Z");
    private static final long MAX = (1L << (4 * LENGTH)) - 1;
    private static final Pattern FORM = Pattern.compile("[0-9A-F]{" + LENGTH + "}");

    private final Clock clock;
    private final AtomicLong last;

    /** Ids from the clock alone. */
    public QueueIdGenerator(Clock clock) {
        this(clock, -1);
    }

    /** Ids from the clock, always greater than {@code floor} (the greatest id already in the spool). */
    QueueIdGenerator(Clock clock, long floor) {
        this.clock = clock;
        this.last = new AtomicLong(floor);
    }

    /** A fresh id, greater than every id this generator returned before. */
    public QueueId next() {
        long tick = ticks(clock.instant());
        long value = last.updateAndGet(prev -> Math.max(tick, prev + 1));
        if (value > MAX) throw new IllegalStateException("queue id space exhausted: " + value);
        return new QueueId(format(value));
    }

    /** The number a generated id stands for; empty for ids of another form (e.g. foreign files). */
    static OptionalLong valueOf(String name) {
        if (name == null || !FORM.matcher(name).matches()) return OptionalLong.empty();
        return OptionalLong.of(Long.parseLong(name, 16));
    }

    static String format(long value) {
        return String.format(Locale.ROOT, "%0" + LENGTH + "X", value);
    }

    static long ticks(Instant now) {
        long seconds = now.getEpochSecond() - EPOCH.getEpochSecond();
        if (seconds < 0) return 0;
        long micros = now.getNano() / 1_000;
        return seconds * TICKS_PER_SECOND + micros * TICKS_PER_SECOND / 1_000_000;
    }
}
