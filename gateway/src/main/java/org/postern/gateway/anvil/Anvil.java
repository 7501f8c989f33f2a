// Anvil: smtpd's client rate counters, as Postfix's anvil(8) keeps them -- connections, MAIL FROM, RCPT TO
// and AUTH commands per client address in a window of anvil_rate_time_unit. One per smtpd service; the
// limits themselves (smtpd_client_*_rate_limit) are applied by smtpd. Thread-safe, time from a Clock.
package org.postern.gateway.anvil;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client's window opens at its first event and lasts one time unit; the first event after that opens a
 * new window with every count at zero (anvil's rule: the rate is the number of events since the window
 * opened, not a sliding average). Clients whose window has ended are forgotten, so memory is bounded by
 * the clients seen within about one time unit.
 */
public final class Anvil {
    /** The events smtpd counts. */
    public enum Event { CONNECT, MAIL, RCPT, AUTH }

    /** Expired windows are swept after this many events (and when the table is large, sooner). */
    private static final int SWEEP_EVERY = 4096;
    private static final int LARGE = 16_384;

    private final long unitMillis;
    private final Clock clock;
    private final ConcurrentHashMap<String, Window> clients = new ConcurrentHashMap<>();
    private final AtomicLong events = new AtomicLong();

    /** @param unit anvil_rate_time_unit; must be positive */
    public Anvil(Duration unit, Clock clock) {
        if (unit.isZero() || unit.isNegative()) throw new IllegalArgumentException("anvil_rate_time_unit " + unit);
        this.unitMillis = unit.toMillis();
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Counts one {@code event} of {@code client} (an address) and returns its count in the current window. */
    public int count(String client, Event event) {
        long now = clock.millis();
        int[] result = new int[1];
        clients.compute(client, (k, w) -> {
            if (w == null || now - w.start >= unitMillis || now < w.start) w = new Window(now);
            result[0] = ++w.counts[event.ordinal()];
            return w;
        });
        long n = events.incrementAndGet();
        if (n % SWEEP_EVERY == 0 || (clients.size() > LARGE && n % 256 == 0)) sweep(now);
        return result[0];
    }

    /** Number of clients with a window, ended or not (for tests and status). */
    public int clients() {
        return clients.size();
    }

    private void sweep(long now) {
        for (Iterator<Map.Entry<String, Window>> it = clients.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Window> e = it.next();
            if (now - e.getValue().start >= unitMillis) clients.remove(e.getKey(), e.getValue());
        }
    }

    /** One client's counts since {@code start}; mutated only inside ConcurrentHashMap.compute. */
    private static final class Window {
        final long start;
        final int[] counts = new int[Event.values().length];

        Window(long start) {
            this.start = start;
        }
    }
}
