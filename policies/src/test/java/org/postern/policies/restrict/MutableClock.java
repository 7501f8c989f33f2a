// MutableClock: a Clock the test moves by hand, so policy connection idle/TTL limits are tested
// without sleeping. Test support for org.postern.policies.restrict.
package org.postern.policies.restrict;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

final class MutableClock extends Clock {
    private volatile Instant now = Instant.parse("2026-11-22T10:00:00Z");

    void advance(Duration d) {
        now = now.plus(d);
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
