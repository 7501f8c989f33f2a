// QueueIdGeneratorTest: queue ids are Postfix-style hex, follow the clock, and never repeat --
// not in bursts, not with a clock stepped back, not across threads, not below the spool's floor.
package org.postern.gateway.queue;

import org.postern.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.postern.core.QueueId;

class QueueIdGeneratorTest {
    private static final Instant T = Instant.parse("2026-11-21T23:26:00.500000Z");

    @Test
    void idIsElevenUpperCaseHexDigitsOfTicksSince2024() {
        QueueId id = new QueueIdGenerator(Clock.fixed(T, ZoneOffset.UTC)).next();
        long seconds = T.getEpochSecond() - Instant.parse("2024-01-01T00:00:00Z").getEpochSecond();
        long expected = seconds * 4096 + 2048; // .5 s = 2048 ticks
        assertThat(id.value()).matches("[0-9A-F]{11}").isEqualTo(String.format("%011X", expected));
        assertThat(QueueIdGenerator.valueOf(id.value())).hasValue(expected);
    }

    @Test
    void followsTheClockWhenItMovesFasterThanIdsAreTaken() {
        MutableClock clock = new MutableClock(T);
        QueueIdGenerator g = new QueueIdGenerator(clock);
        long first = QueueIdGenerator.valueOf(g.next().value()).getAsLong();
        clock.set(T.plusSeconds(10));
        long later = QueueIdGenerator.valueOf(g.next().value()).getAsLong();
        assertThat(later - first).isEqualTo(10 * 4096);
    }

    @Test
    void burstWithAStoppedClockGivesDistinctIncreasingIds() {
        QueueIdGenerator g = new QueueIdGenerator(Clock.fixed(T, ZoneOffset.UTC));
        String previous = "";
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            String id = g.next().value();
            assertThat(id).hasSize(11);
            assertThat(id.compareTo(previous)).isPositive();
            seen.add(id);
            previous = id;
        }
        assertThat(seen).hasSize(100_000);
    }

    @Test
    void clockSteppedBackStillGivesIncreasingIds() {
        MutableClock clock = new MutableClock(T);
        QueueIdGenerator g = new QueueIdGenerator(clock);
        String before = g.next().value();
        clock.set(T.minusSeconds(3600));
        String after = g.next().value();
        assertThat(after.compareTo(before)).isPositive();
    }

    @Test
    void floorFromTheSpoolWinsOverAnEarlierClock() {
        long floor = QueueIdGenerator.valueOf("0FFFFFFFFFF").getAsLong();
        QueueIdGenerator g = new QueueIdGenerator(Clock.fixed(T, ZoneOffset.UTC), floor);
        assertThat(g.next().value()).isEqualTo("10000000000");
        assertThat(g.next().value()).isEqualTo("10000000001");
    }

    @Test
    void clockBefore2024StartsAtZero() {
        QueueIdGenerator g = new QueueIdGenerator(Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
        assertThat(g.next().value()).isEqualTo("00000000000");
        assertThat(g.next().value()).isEqualTo("00000000001");
    }

    @Test
    void concurrentCallersNeverGetTheSameId() throws Exception {
        QueueIdGenerator g = new QueueIdGenerator(Clock.systemUTC());
        Set<String> seen = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                jobs.add(pool.submit(() -> {
                    for (int i = 0; i < 10_000; i++) seen.add(g.next().value());
                }));
            }
            for (Future<?> j : jobs) j.get();
        } finally {
            pool.shutdown();
        }
        assertThat(seen).hasSize(80_000);
    }

    /**
     * `postern quarantine release` draws ids in its own JVM beside the gateway, from the same clock, without
     * knowing the gateway's last id: its ids carry its pid, so they are never ids the gateway takes, and two
     * such processes never take each other's.
     */
    @Test
    void idsOfAnotherProcessNeverMeetTheGatewaysNorEachOthers() {
        Clock clock = Clock.fixed(T, ZoneOffset.UTC);
        QueueIdGenerator gateway = new QueueIdGenerator(clock);
        QueueIdGenerator cli = QueueIdGenerator.forProcess(clock, 4242);
        QueueIdGenerator otherCli = QueueIdGenerator.forProcess(clock, 4243);
        Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < 1000; i++) {
            assertThat(seen.add(gateway.next().value())).isTrue();
            assertThat(seen.add(cli.next().value())).isTrue();
            assertThat(seen.add(otherCli.next().value())).isTrue();
        }
        String id = QueueIdGenerator.forProcess(clock, 4242).next().value();
        assertThat(id).isEqualTo(String.format("%011XP4242", QueueIdGenerator.ticks(T)));
        assertThat(QueueIdGenerator.valueOf(id)).as("never raises the gateway's floor").isEmpty();
        assertThat(org.postern.core.QueueId.isValid(id)).isTrue();
    }

    @Test
    void valueOfRejectsForeignNames() {
        assertThat(QueueIdGenerator.valueOf("3f2a61c0a1b")).isEmpty();
        assertThat(QueueIdGenerator.valueOf("3F2A61C0A1")).isEmpty();
        assertThat(QueueIdGenerator.valueOf("3F2A61C0A1B.tmp")).isEmpty();
        assertThat(QueueIdGenerator.valueOf(null)).isEmpty();
    }
}
