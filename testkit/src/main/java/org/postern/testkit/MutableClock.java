// MutableClock: a java.time.Clock that tests move by hand, so backoff, expiry and cache TTLs are
// tested without sleeping (ARCHITECTURE.md invariant 6). Shared by every module's tests.
package org.postern.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** Starts at a fixed instant (UTC) and moves only when told; thread-safe. */
public final class MutableClock extends Clock {
    public static final Instant DEFAULT_START = Instant.parse("2026-11-21T12:00:00Z");
    private volatile Instant now;

    public MutableClock(Instant start) {
        this.now = start;
    }

    public MutableClock() {
        this(DEFAULT_START);
    }

    public synchronized void advance(Duration d) {
        now = now.plus(d);
    }

    public void set(Instant instant) {
        now = instant;
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
