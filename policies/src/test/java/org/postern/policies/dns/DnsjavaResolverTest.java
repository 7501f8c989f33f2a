// DnsjavaResolverTest: DnsjavaResolver over an in-memory transport: error mapping (NXDOMAIN, NODATA,
// SERVFAIL, network failure, timeout), RFC 2308 negative TTLs, cache expiry with an injected clock,
// in-flight de-duplication, name handling and the "host:port" server syntax.
package org.postern.policies.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.postern.testkit.MutableClock;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class DnsjavaResolverTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));

    private static Name n(String s) {
        try {
            return Name.fromString(s, Name.root);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static Message response(Message query, int rcode, Record... answers) {
        Message m = new Message(query.getHeader().getID());
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setFlag(Flags.RD);
        m.getHeader().setFlag(Flags.RA);
        m.getHeader().setRcode(rcode);
        m.addRecord(query.getQuestion(), Section.QUESTION);
        for (Record r : answers) m.addRecord(r, Section.ANSWER);
        return m;
    }

    private static Message withSoa(Message m, long ttl, long minimum) {
        m.addRecord(new SOARecord(n("example."), DClass.IN, ttl, n("ns.example."), n("hostmaster.example."),
                1, 3600, 600, 86400, minimum), Section.AUTHORITY);
        return m;
    }

    private static ARecord a(String name, long ttl, String ip) {
        try {
            return new ARecord(n(name), DClass.IN, ttl, InetAddress.getByName(ip));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private DnsjavaResolver resolver(FakeTransport t) {
        return DnsjavaResolver.builder().transport(t).clock(clock).timeout(Duration.ofSeconds(2)).build();
    }

    private static FakeTransport answering(Function<Message, Message> f) {
        return new FakeTransport(q -> CompletableFuture.completedFuture(f.apply(q)));
    }

    private static DnsAnswer get(CompletionStage<DnsAnswer> s) throws Exception {
        return s.toCompletableFuture().get();
    }

    @Test
    void foundIsServedFromCacheUntilTheTtlRunsOut() throws Exception {
        FakeTransport t = answering(q -> response(q, Rcode.NOERROR, a("host.example", 300, "192.0.2.1")));
        DnsjavaResolver r = resolver(t);
        DnsAnswer first = get(r.a("host.example"));
        assertThat(first.status()).isEqualTo(DnsAnswer.Status.FOUND);
        assertThat(first.addresses()).containsExactly(InetAddress.getByName("192.0.2.1"));
        assertThat(first.ttl()).isEqualTo(300);
        assertThat(first.name()).isEqualTo("host.example");

        clock.advance(Duration.ofSeconds(299));
        DnsAnswer cached = get(r.a("HOST.example."));
        assertThat(cached.ttl()).isEqualTo(1);
        assertThat(t.queries).hasValue(1);

        clock.advance(Duration.ofSeconds(1));
        get(r.a("host.example"));
        assertThat(t.queries).hasValue(2);
    }

    @Test
    void nxdomainIsCachedForTheSoaNegativeTtl() throws Exception {
        FakeTransport t = answering(q -> withSoa(response(q, Rcode.NXDOMAIN), 3600, 60));
        DnsjavaResolver r = resolver(t);
        DnsAnswer nx = get(r.a("nx.example"));
        assertThat(nx.status()).isEqualTo(DnsAnswer.Status.NXDOMAIN);
        assertThat(nx.ttl()).as("min(SOA TTL, MINIMUM)").isEqualTo(60);
        clock.advance(Duration.ofSeconds(59));
        assertThat(get(r.a("nx.example")).status()).isEqualTo(DnsAnswer.Status.NXDOMAIN);
        assertThat(t.queries).hasValue(1);
        clock.advance(Duration.ofSeconds(1));
        get(r.a("nx.example"));
        assertThat(t.queries).hasValue(2);
    }

    @Test
    void nodataUsesTheSoaTtlWhenSmaller() throws Exception {
        FakeTransport t = answering(q -> withSoa(response(q, Rcode.NOERROR), 30, 600));
        DnsAnswer nodata = get(resolver(t).mx("host.example"));
        assertThat(nodata.status()).isEqualTo(DnsAnswer.Status.NODATA);
        assertThat(nodata.ttl()).isEqualTo(30);
    }

    @Test
    void negativeAnswerWithoutSoaIsNotCached() throws Exception {
        FakeTransport t = answering(q -> response(q, Rcode.NXDOMAIN));
        DnsjavaResolver r = resolver(t);
        assertThat(get(r.a("nx.example")).ttl()).isZero();
        get(r.a("nx.example"));
        assertThat(t.queries).hasValue(2);
    }

    @Test
    void servfailAndRefusedAreTempfailAndNotCached() throws Exception {
        FakeTransport servfail = answering(q -> response(q, Rcode.SERVFAIL));
        DnsjavaResolver r = resolver(servfail);
        DnsAnswer a = get(r.a("broken.example"));
        assertThat(a.status()).isEqualTo(DnsAnswer.Status.TEMPFAIL);
        assertThat(a.reason()).contains("SERVFAIL");
        get(r.a("broken.example"));
        assertThat(servfail.queries).hasValue(2);

        DnsAnswer refused = get(resolver(answering(q -> response(q, Rcode.REFUSED))).a("x.example"));
        assertThat(refused.status()).isEqualTo(DnsAnswer.Status.TEMPFAIL);
    }

    @Test
    void networkFailureIsTempfail() throws Exception {
        FakeTransport t = new FakeTransport(q -> CompletableFuture.failedFuture(new SocketTimeoutException("Query timed out")));
        DnsAnswer a = get(resolver(t).txt("x.example"));
        assertThat(a.status()).isEqualTo(DnsAnswer.Status.TEMPFAIL);
        assertThat(a.reason()).contains("no answer").contains("2000 ms");
    }

    @Test
    void aTransportThatNeverAnswersIsCutOffByTheTimeBudget() throws Exception {
        FakeTransport t = new FakeTransport(q -> new CompletableFuture<>());
        DnsjavaResolver r = DnsjavaResolver.builder().transport(t).clock(clock).timeout(Duration.ofMillis(100)).build();
        long start = System.nanoTime();
        DnsAnswer a = get(r.a("slow.example"));
        assertThat(a.status()).isEqualTo(DnsAnswer.Status.TEMPFAIL);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void concurrentLookupsOfOneNameShareOneQuery() throws Exception {
        CompletableFuture<Message> pending = new CompletableFuture<>();
        Message[] seen = new Message[1];
        FakeTransport t = new FakeTransport(q -> {
            seen[0] = q;
            return pending;
        });
        DnsjavaResolver r = resolver(t);
        CompletionStage<DnsAnswer> one = r.a("host.example");
        CompletionStage<DnsAnswer> two = r.a("host.example");
        assertThat(t.queries).hasValue(1);
        pending.complete(response(seen[0], Rcode.NOERROR, a("host.example", 300, "192.0.2.1")));
        assertThat(get(one).isFound()).isTrue();
        assertThat(get(two).isFound()).isTrue();
    }

    @Test
    void cnameChainGivesTheTargetRecords() throws Exception {
        FakeTransport t = answering(q -> response(q, Rcode.NOERROR,
                new CNAMERecord(n("alias.example"), DClass.IN, 300, n("host.example")), a("host.example", 120, "192.0.2.9")));
        DnsAnswer a = get(resolver(t).a("alias.example"));
        assertThat(a.status()).isEqualTo(DnsAnswer.Status.FOUND);
        assertThat(a.name()).isEqualTo("alias.example");
        assertThat(a.addresses()).containsExactly(InetAddress.getByName("192.0.2.9"));
        assertThat(a.records()).allMatch(rec -> rec.getType() == Type.A);
    }

    @Test
    void namesThatCannotExistAreNxdomainWithoutAQuery() throws Exception {
        FakeTransport t = answering(q -> response(q, Rcode.NOERROR));
        DnsjavaResolver r = resolver(t);
        DnsAnswer a = get(r.a("a".repeat(64) + ".example"));
        assertThat(a.status()).isEqualTo(DnsAnswer.Status.NXDOMAIN);
        assertThat(a.reason()).startsWith("invalid domain name");
        assertThat(get(r.a("")).status()).isEqualTo(DnsAnswer.Status.NXDOMAIN);
        assertThat(t.queries).hasValue(0);
    }

    @Test
    void cacheCanBeTurnedOff() throws Exception {
        FakeTransport t = answering(q -> response(q, Rcode.NOERROR, a("host.example", 300, "192.0.2.1")));
        DnsjavaResolver r = DnsjavaResolver.builder().transport(t).cacheSize(0).build();
        get(r.a("host.example"));
        get(r.a("host.example"));
        assertThat(t.queries).hasValue(2);
    }

    @Test
    void serverSyntax() throws Exception {
        assertThat(DnsjavaResolver.parseServer("127.0.0.1:5353"))
                .isEqualTo(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 5353));
        assertThat(DnsjavaResolver.parseServer("192.0.2.53")).isEqualTo(new InetSocketAddress(InetAddress.getByName("192.0.2.53"), 53));
        assertThat(DnsjavaResolver.parseServer("[::1]:5353")).isEqualTo(new InetSocketAddress(InetAddress.getByName("::1"), 5353));
        assertThat(DnsjavaResolver.parseServer("2001:db8::53")).isEqualTo(new InetSocketAddress(InetAddress.getByName("2001:db8::53"), 53));
        assertThatThrownBy(() -> DnsjavaResolver.parseServer("dns.example:53")).hasMessageContaining("dns.example");
        assertThatThrownBy(() -> DnsjavaResolver.parseServer("127.0.0.1:70000")).hasMessageContaining("port");
        assertThatThrownBy(() -> DnsjavaResolver.parseServer("127.0.0:53")).hasMessageContaining("not an IP address");
        DnsjavaResolver r = DnsjavaResolver.builder().server("127.0.0.1:5353").server("[::1]:53").build();
        assertThat(r.servers()).hasSize(2);
    }

    @Test
    void builderRejectsNonsense() {
        assertThatThrownBy(() -> DnsjavaResolver.builder().timeout(Duration.ZERO).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DnsjavaResolver.builder().attempts(0).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DnsjavaResolver.builder().cacheSize(-1).build()).isInstanceOf(IllegalArgumentException.class);
    }
}
