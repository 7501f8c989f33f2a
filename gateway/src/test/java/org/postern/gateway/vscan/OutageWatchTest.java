// OutageWatchTest: the postmaster hears of a scanner outage once it lasted vscan_outage_notify_time, once,
// and again when scanning works; short hiccups stay quiet.
package org.postern.gateway.vscan;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postern.testkit.MutableClock;

class OutageWatchTest {
    private final MutableClock clock = new MutableClock();
    private final List<String> subjects = new ArrayList<>();
    private final OutageWatch watch = new OutageWatch(Duration.ofHours(1), clock, (s, t) -> subjects.add(s));

    @Test
    void oneNoticeAfterTheThresholdAndOneWhenItEnds() {
        watch.failed("clamav=tempfail (Connection refused)");
        clock.advance(Duration.ofMinutes(59));
        watch.failed("again");
        assertThat(subjects).isEmpty();
        clock.advance(Duration.ofMinutes(2));
        watch.failed("still");
        watch.failed("still");
        assertThat(subjects).singleElement().satisfies(s -> assertThat(s).contains("failing since"));
        watch.succeeded();
        assertThat(subjects).hasSize(2).last().satisfies(s -> assertThat(s).contains("works again"));
    }

    @Test
    void aShortOutageIsNotReported() {
        watch.failed("x");
        clock.advance(Duration.ofMinutes(30));
        watch.succeeded();
        clock.advance(Duration.ofHours(2));
        watch.failed("a new outage starts its own clock");
        assertThat(subjects).isEmpty();
    }
}
