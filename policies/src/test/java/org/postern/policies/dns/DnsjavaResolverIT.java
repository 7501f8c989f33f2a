// DnsjavaResolverIT: DnsjavaResolver against a real dnsmasq on loopback: A/AAAA/MX/TXT/PTR answers,
// NXDOMAIN vs NODATA, TTL caching seen in dnsmasq's query log (with an injected clock), negative
// caching by the SOA of an authoritative zone, and TEMPFAIL for timeouts, dead ports and SERVFAIL.
package org.postern.policies.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postern.testkit.Dnsmasq;
import org.postern.testkit.FreePort;
import org.postern.testkit.MutableClock;

class DnsjavaResolverIT {
    private static Dnsmasq dns;

    @BeforeAll
    static void startDnsmasq() {
        dns = Dnsmasq.builder()
                .zone("example.test")
                .host("mail.example.test", "192.0.2.25", "2001:db8::25")
                .host("backup.example.test", "192.0.2.26")
                .mx("example.test", "mail.example.test", 10)
                .mx("example.test", "backup.example.test", 20)
                .txt("example.test", "v=spf1 ip4:192.0.2.0/24 -all")
                .ptr("192.0.2.77", "client.example.test")
                .ptr("2001:db8::77", "client6.example.test")
                .host("client.example.test", "192.0.2.77")
                .cname("www.example.test", "mail.example.test")
                .servfailZone("broken.test")
                .unreachableZone("dead.test")
                .ttl(Duration.ofSeconds(300))
                .start();
    }

    @AfterAll
    static void stopDnsmasq() {
        if (dns != null) dns.close();
    }

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));

    private DnsjavaResolver resolver() {
        return DnsjavaResolver.builder().server(dns.hostPort()).clock(clock).timeout(Duration.ofSeconds(2)).build();
    }

    private static DnsAnswer get(CompletionStage<DnsAnswer> s) throws Exception {
        return s.toCompletableFuture().get();
    }

    @Test
    void addressesMxTxtAndCname() throws Exception {
        DnsjavaResolver r = resolver();
        DnsAnswer a = get(r.a("mail.example.test"));
        assertThat(a.status()).as(dns.describe()).isEqualTo(DnsAnswer.Status.FOUND);
        assertThat(a.addresses()).containsExactly(InetAddress.getByName("192.0.2.25"));
        assertThat(a.ttl()).isEqualTo(300);
        assertThat(get(r.aaaa("mail.example.test")).addresses()).containsExactly(InetAddress.getByName("2001:db8::25"));
        assertThat(get(r.addresses("mail.example.test")).addresses())
                .containsExactlyInAnyOrder(InetAddress.getByName("192.0.2.25"), InetAddress.getByName("2001:db8::25"));

        DnsAnswer mx = get(r.mx("example.test"));
        assertThat(mx.mxHosts()).containsExactly(new DnsAnswer.MxHost(10, "mail.example.test"),
                new DnsAnswer.MxHost(20, "backup.example.test"));
        assertThat(get(r.txt("example.test")).texts()).containsExactly("v=spf1 ip4:192.0.2.0/24 -all");
        assertThat(get(r.a("www.example.test")).addresses()).containsExactly(InetAddress.getByName("192.0.2.25"));
    }

    @Test
    void ptrForIpv4AndIpv6() throws Exception {
        DnsjavaResolver r = resolver();
        assertThat(get(r.ptr(InetAddress.getByName("192.0.2.77"))).targets()).containsExactly("client.example.test");
        assertThat(get(r.ptr(InetAddress.getByName("2001:db8::77"))).targets()).containsExactly("client6.example.test");
    }

    @Test
    void nxdomainAndNodataAreTold() throws Exception {
        DnsjavaResolver r = resolver();
        assertThat(get(r.a("nosuch.example.test")).status()).isEqualTo(DnsAnswer.Status.NXDOMAIN);
        assertThat(get(r.a("example.test")).status()).isEqualTo(DnsAnswer.Status.NODATA);
        assertThat(get(r.mx("mail.example.test")).status()).isEqualTo(DnsAnswer.Status.NODATA);
        assertThat(get(r.addresses("nosuch.example.test")).status()).isEqualTo(DnsAnswer.Status.NXDOMAIN);
    }

    @Test
    void secondLookupComesFromTheCacheUntilTheTtlRunsOut() throws Exception {
        DnsjavaResolver r = resolver();
        assertThat(get(r.a("backup.example.test")).isFound()).isTrue();
        assertThat(get(r.a("backup.example.test")).isFound()).isTrue();
        assertThat(dns.queryCount("backup.example.test", "A")).as(dns.describe()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(299));
        assertThat(get(r.a("backup.example.test")).ttl()).isEqualTo(1);
        assertThat(dns.queryCount("backup.example.test", "A")).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        assertThat(get(r.a("backup.example.test")).isFound()).isTrue();
        assertThat(dns.queryCount("backup.example.test", "A")).isEqualTo(2);
    }

    @Test
    void negativeAnswersOfAnAuthoritativeZoneAreCachedForTheSoaTtl() throws Exception {
        try (Dnsmasq auth = Dnsmasq.builder().authoritative().zone("auth.test").host("a.auth.test", "192.0.2.9")
                .ttl(Duration.ofSeconds(60)).start()) {
            DnsjavaResolver r = DnsjavaResolver.builder().server(auth.hostPort()).clock(clock).build();
            DnsAnswer nx = get(r.a("nx.auth.test"));
            assertThat(nx.status()).as(auth.describe()).isEqualTo(DnsAnswer.Status.NXDOMAIN);
            assertThat(nx.ttl()).isEqualTo(60);
            DnsAnswer nodata = get(r.mx("a.auth.test"));
            assertThat(nodata.status()).isEqualTo(DnsAnswer.Status.NODATA);
            assertThat(nodata.ttl()).isEqualTo(60);
            clock.advance(Duration.ofSeconds(59));
            get(r.a("nx.auth.test"));
            get(r.mx("a.auth.test"));
            assertThat(auth.queryCount("nx.auth.test", "A")).isEqualTo(1);
            assertThat(auth.queryCount("a.auth.test", "MX")).isEqualTo(1);
            clock.advance(Duration.ofSeconds(1));
            get(r.a("nx.auth.test"));
            assertThat(auth.queryCount("nx.auth.test", "A")).isEqualTo(2);
        }
    }

    @Test
    void servfailIsTempfailAndNotCached() throws Exception {
        DnsjavaResolver r = resolver();
        DnsAnswer a = get(r.a("x.broken.test"));
        assertThat(a.status()).as(dns.describe()).isEqualTo(DnsAnswer.Status.TEMPFAIL);
        assertThat(a.reason()).contains("SERVFAIL");
        get(r.a("x.broken.test"));
        assertThat(dns.queryCount("x.broken.test", "A")).isEqualTo(2);
    }

    @Test
    void upstreamThatNeverAnswersIsTempfailWithinTheBudget() throws Exception {
        DnsjavaResolver r = DnsjavaResolver.builder().server(dns.hostPort()).clock(clock)
                .timeout(Duration.ofMillis(600)).attempts(1).build();
        long start = System.nanoTime();
        DnsAnswer a = get(r.a("x.dead.test"));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(a.status()).isEqualTo(DnsAnswer.Status.TEMPFAIL);
        assertThat(a.reason()).contains("no answer");
        assertThat(took).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void silentServerAndDeadPortAreTempfail() throws Exception {
        try (Dnsmasq.StubServer silent = Dnsmasq.StubServer.silent()) {
            // dnsjava checks timeouts about once a second, so each of the 2 tries needs more than that
            DnsjavaResolver r = DnsjavaResolver.builder().server(silent.hostPort()).timeout(Duration.ofSeconds(3))
                    .attempts(2).build();
            DnsAnswer a = get(r.a("anything.example"));
            assertThat(a.status()).isEqualTo(DnsAnswer.Status.TEMPFAIL);
            assertThat(silent.received()).isEqualTo(2);
        }
        int deadPort = FreePort.next(); // free for TCP; nothing binds UDP there in this test
        DnsjavaResolver dead = DnsjavaResolver.builder().server("127.0.0.1:" + deadPort).timeout(Duration.ofSeconds(1)).build();
        DnsAnswer a = get(dead.mx("example.test"));
        assertThat(a.status()).isEqualTo(DnsAnswer.Status.TEMPFAIL);
        assertThat(a.reason()).containsAnyOf("port unreachable", "no answer");
    }
}
