// QueueIdGenerator: hands out queue ids in Postfix's short style (upper-case hex, 11 digits) for smtpd at
// MAIL FROM time, unique across restarts: from the injected Clock, above every id in queue_directory at open.
// Another process writing into the spool (`postern quarantine release`) tags its ids with its process id.
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
 *
 * <p>Another process than the gateway draws from the same clock but cannot know the gateway's last id: its
 * generator ({@link #forProcess}) appends {@code P} and its process id to the 11 digits (e.g.
 * {@code 0A3F2B61C0DP48213}). Such an id is never of the gateway's form, so the two can never pick the same id
 * (Postfix mixes the inode number into its long ids for the same reason); two such processes differ by their
 * process ids, and one process's ids grow strictly. They still sort by time beside the gateway's.
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
    private final String tag;

    /** Ids from the clock alone. */
    public QueueIdGenerator(Clock clock) {
        this(clock, -1);
    }

    /** Ids from the clock, always greater than {@code floor} (the greatest id already in the spool). */
    QueueIdGenerator(Clock clock, long floor) {
        this(clock, floor, "");
    }

    private QueueIdGenerator(Clock clock, long floor, String tag) {
        this.clock = clock;
        this.last = new AtomicLong(floor);
        this.tag = tag;
    }

    /** Ids for process {@code pid}, which is not the gateway: the clock's digits, then {@code P} and the pid. */
    public static QueueIdGenerator forProcess(Clock clock, long pid) {
        if (pid < 0) throw new IllegalArgumentException("process id " + pid);
        return new QueueIdGenerator(clock, -1, "P" + pid);
    }

    /** A fresh id, greater than every id this generator returned before. */
    public QueueId next() {
        long tick = ticks(clock.instant());
        long value = last.updateAndGet(prev -> Math.max(tick, prev + 1));
        if (value > MAX) throw new IllegalStateException("queue id space exhausted: " + value);
        return new QueueId(format(value) + tag);
    }

    /** The number a gateway's id stands for; empty for ids of another form (another process's, foreign files). */
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
