// DnsblIT: DnsblQuery + DnsjavaResolver against a real dnsmasq serving test block lists: listed
// clients (IPv4 and IPv6) with TXT reasons and the expanded default_rbl_reply, not listed, reply
// filters, RHSBL sender domains, TEMPFAIL (never NOT_LISTED) when DNS fails, and cached answers.
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
import org.postern.testkit.MutableClock;

class DnsblIT {
    private static final String V6_CLIENT = "2001:db8::1";
    private static Dnsmasq dns;

    @BeforeAll
    static void startDnsmasq() throws Exception {
        String v6Name = ReverseName.labels(InetAddress.getByName(V6_CLIENT)) + ".zen.test";
        dns = Dnsmasq.builder()
                .zone("zen.test").zone("dbl.test").zone("swl.test")
                .address("2.0.0.127.zen.test", "127.0.0.2")
                .txt("2.0.0.127.zen.test", "Listed in SBL, see https://zen.test/query/127.0.0.2")
                .address("10.0.0.127.zen.test", "127.0.0.10")
                .txt("10.0.0.127.zen.test", "policy block list")
                .host("4.0.0.127.zen.test", "127.0.0.4", "127.0.0.2")
                .address(v6Name, "127.0.0.3")
                .address("spammer.example.dbl.test", "127.0.1.2")
                .txt("spammer.example.dbl.test", "domain listed")
                .address("7.2.0.192.swl.test", "127.0.10.2")
                .unreachableZone("dead.test")
                .servfailZone("broken.test")
                .start();
    }

    @AfterAll
    static void stopDnsmasq() {
        if (dns != null) dns.close();
    }

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));
    private final DnsjavaResolver resolver =
            DnsjavaResolver.builder().server(dns.hostPort()).clock(clock).timeout(Duration.ofMillis(1500)).build();

    private static DnsblResult get(CompletionStage<DnsblResult> s) throws Exception {
        return s.toCompletableFuture().get();
    }

    private DnsblResult client(String spec, String ip) throws Exception {
        return get(DnsblQuery.parse(spec).checkAddress(resolver, InetAddress.getByName(ip)));
    }

    @Test
    void listedClientWithReasonAndPostfixReply() throws Exception {
        DnsblResult r = client("zen.test", "127.0.0.2");
        assertThat(r.status()).as(dns.describe()).isEqualTo(DnsblResult.Status.LISTED);
        assertThat(r.addresses()).containsExactly(InetAddress.getByName("127.0.0.2"));
        assertThat(r.txt()).isEqualTo("Listed in SBL, see https://zen.test/query/127.0.0.2");
        RblReplyFacts facts = RblReplyFacts.of(554, RblClass.CLIENT, "127.0.0.2", r).withClient("unknown", "127.0.0.2");
        assertThat(RblReplyTemplate.defaultTemplate().reply(facts).oneLine()).isEqualTo("554 5.7.1 Service unavailable; "
                + "Client host [127.0.0.2] blocked using zen.test; Listed in SBL, see https://zen.test/query/127.0.0.2");
    }

    @Test
    void unlistedClientIsNotListed() throws Exception {
        DnsblResult r = client("zen.test", "127.0.0.3");
        assertThat(r.status()).isEqualTo(DnsblResult.Status.NOT_LISTED);
        assertThat(dns.queryCount("3.0.0.127.zen.test", "TXT")).isZero();
    }

    @Test
    void filterExcludingTheCodeMeansNotListedAndNoTxtQuery() throws Exception {
        DnsblResult r = client("zen.test=127.0.0.[2..9]", "127.0.0.10");
        assertThat(r.status()).isEqualTo(DnsblResult.Status.NOT_LISTED);
        assertThat(r.addresses()).containsExactly(InetAddress.getByName("127.0.0.10"));
        assertThat(dns.queryCount("10.0.0.127.zen.test", "TXT")).isZero();
        DnsblResult included = client("zen.test=127.0.0.[10;11]", "127.0.0.10");
        assertThat(included.isListed()).isTrue();
        assertThat(included.txt()).isEqualTo("policy block list");
    }

    @Test
    void severalCodesAreFilteredOneByOne() throws Exception {
        DnsblResult r = client("zen.test=127.0.0.4", "127.0.0.4");
        assertThat(r.isListed()).as(dns.describe()).isTrue();
        assertThat(r.addresses()).containsExactly(InetAddress.getByName("127.0.0.4"));
        assertThat(r.txt()).isEmpty();
        assertThat(client("zen.test", "127.0.0.4").addresses()).hasSize(2);
    }

    @Test
    void ipv6ClientIsLookedUpByNibbles() throws Exception {
        DnsblResult r = client("zen.test", V6_CLIENT);
        assertThat(r.status()).as(dns.describe()).isEqualTo(DnsblResult.Status.LISTED);
        assertThat(r.query()).endsWith(".8.b.d.0.1.0.0.2.zen.test").hasSize(64 + "zen.test".length());
        assertThat(client("zen.test", "2001:db8::2").status()).isEqualTo(DnsblResult.Status.NOT_LISTED);
    }

    @Test
    void rhsblSenderDomain() throws Exception {
        DnsblQuery dbl = DnsblQuery.parse("dbl.test");
        DnsblResult listed = get(dbl.checkDomain(resolver, "bounce@Spammer.Example"));
        assertThat(listed.isListed()).as(dns.describe()).isTrue();
        assertThat(listed.query()).isEqualTo("spammer.example.dbl.test");
        assertThat(listed.txt()).isEqualTo("domain listed");
        RblReplyFacts facts = RblReplyFacts.of(554, RblClass.SENDER, "bounce@Spammer.Example", listed);
        assertThat(RblReplyTemplate.defaultTemplate().expand(facts))
                .isEqualTo("554 Service unavailable; Sender address [bounce@Spammer.Example] blocked using dbl.test; domain listed");
        assertThat(get(dbl.checkDomain(resolver, "someone@good.example")).status()).isEqualTo(DnsblResult.Status.NOT_LISTED);
        assertThat(get(DnsblQuery.parse("dbl.test=127.0.1.[3..255]").checkDomain(resolver, "spammer.example")).status())
                .isEqualTo(DnsblResult.Status.NOT_LISTED);
    }

    @Test
    void dnswlListing() throws Exception {
        assertThat(client("swl.test=127.0.[0..255].[2..3]", "192.0.2.7").isListed()).isTrue();
        assertThat(client("swl.test=127.0.[0..255].[0;1]", "192.0.2.7").isListed()).isFalse();
    }

    @Test
    void dnsFailuresAreTempfailNeverNotListed() throws Exception {
        DnsblResult timeout = client("dead.test", "127.0.0.2");
        assertThat(timeout.status()).isEqualTo(DnsblResult.Status.TEMPFAIL);
        assertThat(timeout.error()).contains("no answer");
        DnsblResult servfail = client("broken.test", "127.0.0.2");
        assertThat(servfail.status()).isEqualTo(DnsblResult.Status.TEMPFAIL);
        assertThat(servfail.error()).contains("SERVFAIL");
        DnsblResult rhsbl = get(DnsblQuery.parse("broken.test").checkDomain(resolver, "x@spammer.example"));
        assertThat(rhsbl.status()).isEqualTo(DnsblResult.Status.TEMPFAIL);
    }

    @Test
    void wholeResolverDownIsTempfail() throws Exception {
        try (Dnsmasq.StubServer silent = Dnsmasq.StubServer.silent()) {
            DnsjavaResolver down = DnsjavaResolver.builder().server(silent.hostPort()).timeout(Duration.ofMillis(400)).build();
            DnsblResult r = get(DnsblQuery.parse("zen.test").checkAddress(down, InetAddress.getByName("127.0.0.2")));
            assertThat(r.status()).isEqualTo(DnsblResult.Status.TEMPFAIL);
            assertThat(silent.received()).isPositive();
        }
    }

    @Test
    void repeatedChecksAreAnsweredFromTheCache() throws Exception {
        DnsjavaResolver fresh = DnsjavaResolver.builder().server(dns.hostPort()).clock(clock).build();
        DnsblQuery zen = DnsblQuery.parse("zen.test=127.0.0.10");
        for (int i = 0; i < 3; i++) {
            assertThat(get(zen.checkAddress(fresh, InetAddress.getByName("127.0.0.10"))).isListed()).isTrue();
        }
        int before = dns.queryCount("10.0.0.127.zen.test", "A");
        clock.advance(Duration.ofSeconds(301));
        assertThat(get(zen.checkAddress(fresh, InetAddress.getByName("127.0.0.10"))).isListed()).isTrue();
        assertThat(dns.queryCount("10.0.0.127.zen.test", "A")).as(dns.describe()).isEqualTo(before + 1);
    }
}
