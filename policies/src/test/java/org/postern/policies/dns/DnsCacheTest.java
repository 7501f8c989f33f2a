// DnsCacheTest: TTL expiry of positive and negative answers with an injected clock (no sleeping),
// caps, the LRU bound, and what is never cached (TEMPFAIL, TTL 0).
package org.postern.policies.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postern.testkit.MutableClock;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

class DnsCacheTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));
    private final DnsCache cache = new DnsCache(clock, 100, Duration.ofDays(1), Duration.ofHours(3));

    private static DnsAnswer found(String name, long ttl) throws Exception {
        return DnsAnswer.found(name, Type.A,
                List.of(new ARecord(Name.fromString(name + "."), DClass.IN, ttl, InetAddress.getByName("192.0.2.1"))), ttl);
    }

    @Test
    void positiveAnswerLivesForItsTtl() throws Exception {
        DnsCache.Key key = DnsCache.Key.of("host.example", Type.A);
        cache.put(key, found("host.example", 300));
        assertThat(cache.get(key).ttl()).isEqualTo(300);
        clock.advance(Duration.ofSeconds(120));
        assertThat(cache.get(key).ttl()).isEqualTo(180);
        clock.advance(Duration.ofMillis(179_500));
        assertThat(cache.get(key)).as("half a second left").isNotNull().extracting(DnsAnswer::ttl).isEqualTo(1L);
        clock.advance(Duration.ofMillis(500));
        assertThat(cache.get(key)).isNull();
        assertThat(cache.size()).isZero();
    }

    @Test
    void negativeAnswerLivesForItsNegativeTtl() {
        DnsCache.Key key = DnsCache.Key.of("nx.example", Type.A);
        cache.put(key, DnsAnswer.nxdomain("nx.example", Type.A, 60));
        clock.advance(Duration.ofSeconds(59));
        assertThat(cache.get(key).status()).isEqualTo(DnsAnswer.Status.NXDOMAIN);
        clock.advance(Duration.ofSeconds(1));
        assertThat(cache.get(key)).isNull();
    }

    @Test
    void keysIgnoreCaseAndTrailingDotButNotType() throws Exception {
        cache.put(DnsCache.Key.of("Host.Example.", Type.A), found("host.example", 300));
        assertThat(cache.get(DnsCache.Key.of("host.example", Type.A))).isNotNull();
        assertThat(cache.get(DnsCache.Key.of("host.example", Type.AAAA))).isNull();
    }

    @Test
    void tempfailAndZeroTtlAreNotCached() {
        cache.put(DnsCache.Key.of("a.example", Type.A), DnsAnswer.tempfail("a.example", Type.A, "timeout"));
        cache.put(DnsCache.Key.of("b.example", Type.A), DnsAnswer.nxdomain("b.example", Type.A, 0));
        assertThat(cache.size()).isZero();
    }

    @Test
    void ttlsAreCapped() throws Exception {
        DnsCache small = new DnsCache(clock, 10, Duration.ofMinutes(10), Duration.ofMinutes(1));
        small.put(DnsCache.Key.of("p.example", Type.A), found("p.example", 86400));
        small.put(DnsCache.Key.of("n.example", Type.A), DnsAnswer.nodata("n.example", Type.A, 86400));
        clock.advance(Duration.ofMinutes(1));
        assertThat(small.get(DnsCache.Key.of("n.example", Type.A))).isNull();
        assertThat(small.get(DnsCache.Key.of("p.example", Type.A))).isNotNull();
        clock.advance(Duration.ofMinutes(9));
        assertThat(small.get(DnsCache.Key.of("p.example", Type.A))).isNull();
    }

    @Test
    void boundedLeastRecentlyUsedFirst() throws Exception {
        DnsCache tiny = new DnsCache(clock, 2, Duration.ofDays(1), Duration.ofHours(3));
        tiny.put(DnsCache.Key.of("one.example", Type.A), found("one.example", 300));
        tiny.put(DnsCache.Key.of("two.example", Type.A), found("two.example", 300));
        tiny.get(DnsCache.Key.of("one.example", Type.A));
        tiny.put(DnsCache.Key.of("three.example", Type.A), found("three.example", 300));
        assertThat(tiny.size()).isEqualTo(2);
        assertThat(tiny.get(DnsCache.Key.of("two.example", Type.A))).isNull();
        assertThat(tiny.get(DnsCache.Key.of("one.example", Type.A))).isNotNull();
    }

    @Test
    void sizeZeroDisables() throws Exception {
        DnsCache off = new DnsCache(clock, 0, Duration.ofDays(1), Duration.ofHours(3));
        off.put(DnsCache.Key.of("one.example", Type.A), found("one.example", 300));
        assertThat(off.get(DnsCache.Key.of("one.example", Type.A))).isNull();
    }
}
