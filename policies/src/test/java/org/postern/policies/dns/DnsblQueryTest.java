// DnsblQueryTest: Postfix semantics of reject_rbl_client / permit_dnswl_client / reject_rhsbl_*:
// site parsing, query names (IPv4 octets, IPv6 nibbles, domain.zone), the A record deciding through
// the filter, TXT asked only when listed, and TEMPFAIL kept apart from NOT_LISTED.
package org.postern.policies.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

class DnsblQueryTest {

    private static DnsblResult check(DnsblQuery q, StubResolver r, String ip) throws Exception {
        return q.checkAddress(r, InetAddress.getByName(ip)).toCompletableFuture().get();
    }

    @Test
    void parsesZoneAndOptionalFilter() {
        DnsblQuery plain = DnsblQuery.parse("zen.example.org");
        assertThat(plain.zone()).isEqualTo("zen.example.org");
        assertThat(plain.filter().isAny()).isTrue();
        assertThat(plain).hasToString("zen.example.org");

        DnsblQuery filtered = DnsblQuery.parse("Zen.Example.ORG.=127.0.0.[2..11]");
        assertThat(filtered.zone()).isEqualTo("zen.example.org");
        assertThat(filtered.filter()).hasToString("127.0.0.[2..11]");
        assertThat(filtered).hasToString("zen.example.org=127.0.0.[2..11]");
    }

    @Test
    void badZoneOrFilterNamesTheToken() {
        assertThatThrownBy(() -> DnsblQuery.parse("zen..example.org"))
                .isInstanceOf(DnsblSyntaxException.class).hasMessageContaining("bad label \"\"");
        assertThatThrownBy(() -> DnsblQuery.parse("zen.exa mple.org"))
                .isInstanceOf(DnsblSyntaxException.class)
                .satisfies(e -> assertThat(((DnsblSyntaxException) e).token()).isEqualTo("exa mple"));
        assertThatThrownBy(() -> DnsblQuery.parse("=127.0.0.2")).hasMessageContaining("empty");
        assertThatThrownBy(() -> DnsblQuery.parse("zen.example.org=127.0.0.[2..x]"))
                .isInstanceOf(DnsblSyntaxException.class)
                .satisfies(e -> assertThat(((DnsblSyntaxException) e).token()).isEqualTo("x"));
    }

    @Test
    void queryNames() throws Exception {
        DnsblQuery q = DnsblQuery.parse("zen.test");
        assertThat(q.addressQueryName(InetAddress.getByName("127.0.0.2"))).isEqualTo("2.0.0.127.zen.test");
        assertThat(q.addressQueryName(InetAddress.getByName("2001:db8::2")))
                .isEqualTo("2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.test");
        assertThat(q.domainQueryName("Spammer.Example.")).contains("spammer.example.zen.test");
        assertThat(q.domainQueryName("user@spammer.example")).contains("spammer.example.zen.test");
        assertThat(q.domainQueryName("")).isEmpty();
        assertThat(q.domainQueryName("user@[192.0.2.1]")).isEmpty();
        assertThat(q.domainQueryName("bad..example")).isEmpty();
        assertThat(q.domainQueryName("a".repeat(64) + ".example")).isEmpty();
        assertThat(q.domainQueryName("x.".repeat(125) + "example")).isEmpty();
    }

    @Test
    void listedWithReasonFromTxt() throws Exception {
        StubResolver r = new StubResolver().a("2.0.0.127.zen.test", "127.0.0.2").txt("2.0.0.127.zen.test", "see https://zen.test/127.0.0.2");
        DnsblResult res = check(DnsblQuery.parse("zen.test"), r, "127.0.0.2");
        assertThat(res.status()).isEqualTo(DnsblResult.Status.LISTED);
        assertThat(res.zone()).isEqualTo("zen.test");
        assertThat(res.query()).isEqualTo("2.0.0.127.zen.test");
        assertThat(res.addresses()).containsExactly(InetAddress.getByName("127.0.0.2"));
        assertThat(res.txt()).isEqualTo("see https://zen.test/127.0.0.2");
        assertThat(r.asked).containsExactly("A 2.0.0.127.zen.test", "TXT 2.0.0.127.zen.test");
    }

    @Test
    void nxdomainAndNodataAreNotListedAndTxtIsNotAsked() throws Exception {
        StubResolver r = new StubResolver()
                .answer("4.0.0.127.zen.test", Type.A, DnsAnswer.nodata("4.0.0.127.zen.test", Type.A, 60));
        assertThat(check(DnsblQuery.parse("zen.test"), r, "127.0.0.3").status()).isEqualTo(DnsblResult.Status.NOT_LISTED);
        assertThat(check(DnsblQuery.parse("zen.test"), r, "127.0.0.4").status()).isEqualTo(DnsblResult.Status.NOT_LISTED);
        assertThat(r.asked).containsExactly("A 3.0.0.127.zen.test", "A 4.0.0.127.zen.test");
    }

    @Test
    void filterDecidesWhichCodesCount() throws Exception {
        StubResolver r = new StubResolver().a("10.0.0.127.zen.test", "127.0.0.10", "127.0.0.4").txt("10.0.0.127.zen.test", "pbl");
        DnsblResult excluded = check(DnsblQuery.parse("zen.test=127.0.0.[2..3]"), r, "127.0.0.10");
        assertThat(excluded.status()).isEqualTo(DnsblResult.Status.NOT_LISTED);
        assertThat(excluded.addresses()).hasSize(2); // what the list said, for the log
        assertThat(r.asked).containsExactly("A 10.0.0.127.zen.test");

        DnsblResult included = check(DnsblQuery.parse("zen.test=127.0.0.[4;10..11]"), r, "127.0.0.10");
        assertThat(included.isListed()).isTrue();
        assertThat(included.addresses()).containsExactly(InetAddress.getByName("127.0.0.10"), InetAddress.getByName("127.0.0.4"));
        DnsblResult one = check(DnsblQuery.parse("zen.test=127.0.0.4"), r, "127.0.0.10");
        assertThat(one.addresses()).containsExactly(InetAddress.getByName("127.0.0.4"));
    }

    @Test
    void tempfailIsNeverNotListed() throws Exception {
        StubResolver r = new StubResolver()
                .answer("2.0.0.127.zen.test", Type.A, DnsAnswer.tempfail("2.0.0.127.zen.test", Type.A, "SERVFAIL from 127.0.0.1:53"));
        DnsblResult res = check(DnsblQuery.parse("zen.test"), r, "127.0.0.2");
        assertThat(res.status()).isEqualTo(DnsblResult.Status.TEMPFAIL);
        assertThat(res.isTempfail()).isTrue();
        assertThat(res.error()).contains("SERVFAIL");
    }

    @Test
    void txtFailureKeepsTheListingWithEmptyReason() throws Exception {
        StubResolver r = new StubResolver().a("2.0.0.127.zen.test", "127.0.0.2")
                .answer("2.0.0.127.zen.test", Type.TXT, DnsAnswer.tempfail("2.0.0.127.zen.test", Type.TXT, "timeout"));
        DnsblResult res = check(DnsblQuery.parse("zen.test"), r, "127.0.0.2");
        assertThat(res.isListed()).isTrue();
        assertThat(res.txt()).isEmpty();
    }

    @Test
    void severalTxtRecordsAreJoinedAndCutAt500() throws Exception {
        StubResolver r = new StubResolver().a("2.0.0.127.zen.test", "127.0.0.2").txt("2.0.0.127.zen.test", "one", "two");
        assertThat(check(DnsblQuery.parse("zen.test"), r, "127.0.0.2").txt()).isEqualTo("one / two");

        StubResolver big = new StubResolver().a("2.0.0.127.zen.test", "127.0.0.2")
                .txt("2.0.0.127.zen.test", "x".repeat(200), "y".repeat(200), "z".repeat(200));
        String txt = check(DnsblQuery.parse("zen.test"), big, "127.0.0.2").txt();
        assertThat(txt).hasSize(500).startsWith("x".repeat(200) + " / " + "y".repeat(200) + " / z");
    }

    @Test
    void rhsblChecksTheDomainAndSkipsWhatCannotBeAsked() throws Exception {
        StubResolver r = new StubResolver().a("spammer.example.dbl.test", "127.0.1.2");
        DnsblQuery q = DnsblQuery.parse("dbl.test");
        assertThat(q.checkDomain(r, "someone@Spammer.Example").toCompletableFuture().get().isListed()).isTrue();
        assertThat(q.checkDomain(r, "good.example").toCompletableFuture().get().status())
                .isEqualTo(DnsblResult.Status.NOT_LISTED);
        DnsblResult skipped = q.checkDomain(r, "").toCompletableFuture().get();
        assertThat(skipped.status()).isEqualTo(DnsblResult.Status.NOT_LISTED);
        assertThat(skipped.query()).isEmpty();
        assertThat(r.asked).containsExactly("A spammer.example.dbl.test", "TXT spammer.example.dbl.test", "A good.example.dbl.test");
    }
}
