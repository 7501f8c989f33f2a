// RblIT: reject_rbl_client, reject_rhsbl_sender and permit_dnswl_client against a REAL DNS server --
// Debian's dnsmasq (testkit Dnsmasq) serving a test DNSBL zone and an RHSBL zone -- through the real
// DnsjavaResolver: listed, not listed, filtered codes, TXT reply text, and a dead server -> 451, not permit.
package org.postern.policies.restrict;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.policies.dns.DnsjavaResolver;
import org.postern.testkit.Dnsmasq;

class RblIT {
    static Dnsmasq dns;

    @TempDir
    Path dir;
    Fixture fx;

    @BeforeAll
    static void startDns() {
        dns = Dnsmasq.builder().zone("zen.test").zone("dbl.test").zone("wl.test")
                .host("7.100.51.198.zen.test", "127.0.0.2").txt("7.100.51.198.zen.test", "Listed by zen.test, see https://zen.test/q")
                .host("8.100.51.198.zen.test", "127.0.0.10")
                .host("bad.example.dbl.test", "127.0.1.2").txt("bad.example.dbl.test", "spam domain")
                .host("9.100.51.198.wl.test", "127.0.9.1")
                .unreachableZone("dead.test")
                .start();
    }

    @AfterAll
    static void stopDns() {
        if (dns != null) dns.close();
    }

    @BeforeEach
    void setUp() {
        fx = new Fixture(dir);
        fx.resolver = DnsjavaResolver.builder().server(dns.hostPort()).timeout(Duration.ofSeconds(2)).build();
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private Verdict from(String client, String sender) {
        return fx.rcpt(SessionFacts.builder(Stage.RCPT, FakeDns.literal(client)).helo("client.example.org", "ESMTP")
                .sender(sender).recipient("x@example.net").build());
    }

    @Test
    void aListedClientIsRefusedWithTheTxtText() throws Exception {
        fx.load("smtpd_client_restrictions = reject_rbl_client zen.test\n");
        int asked = dns.queryCount("7.100.51.198.zen.test", "A");
        int txt = dns.queryCount("7.100.51.198.zen.test", "TXT");
        Verdict v = from("198.51.100.7", "s@example.com");
        assertThat(v.reply().oneLine()).as(dns.describe()).isEqualTo("554 5.7.1 Service unavailable; Client host [198.51.100.7]"
                + " blocked using zen.test; Listed by zen.test, see https://zen.test/q");
        assertThat(v.log()).extracting(LogEvent::line).containsExactly("NOQUEUE: reject: RCPT from unknown[198.51.100.7]: "
                + v.reply().oneLine() + "; from=<s@example.com> to=<x@example.net> proto=ESMTP helo=<client.example.org>");
        assertThat(dns.queryCount("7.100.51.198.zen.test", "A")).isEqualTo(asked + 1);
        assertThat(dns.queryCount("7.100.51.198.zen.test", "TXT")).isEqualTo(txt + 1);
    }

    @Test
    void anUnlistedClientPasses() throws Exception {
        fx.load("smtpd_client_restrictions = reject_rbl_client zen.test\n");
        assertThat(from("198.51.100.200", "s@example.com").accepted()).isTrue();
        assertThat(dns.queryCount("200.100.51.198.zen.test", "A")).isEqualTo(1);
    }

    @Test
    void theReplyFilterSelectsListingCodes() throws Exception {
        fx.load("smtpd_client_restrictions = reject_rbl_client zen.test=127.0.0.[2..4]\n");
        assertThat(from("198.51.100.8", "s@example.com").accepted()).isTrue(); // 127.0.0.10: filtered out
        assertThat(from("198.51.100.7", "s@example.com").reply().code()).isEqualTo(554);
    }

    @Test
    void aListedSenderDomainIsRefused() throws Exception {
        fx.load("smtpd_sender_restrictions = reject_rhsbl_sender dbl.test\n");
        assertThat(from("198.51.100.200", "s@bad.example").reply().oneLine()).isEqualTo(
                "554 5.7.1 Service unavailable; Sender address [s@bad.example] blocked using dbl.test; spam domain");
        assertThat(from("198.51.100.200", "s@good.example").accepted()).isTrue();
    }

    @Test
    void anAllowListedClientIsPermitted() throws Exception {
        fx.load("smtpd_client_restrictions = permit_dnswl_client wl.test, reject\n");
        assertThat(from("198.51.100.9", "s@example.com").accepted()).isTrue();
        assertThat(from("198.51.100.10", "s@example.com").reply().code()).isEqualTo(554);
    }

    @Test
    void aListThatDoesNotAnswerGives451NotPermit() throws Exception {
        fx.resolver = DnsjavaResolver.builder().server(dns.hostPort()).timeout(Duration.ofMillis(800)).build();
        fx.load("smtpd_client_restrictions = reject_rbl_client dead.test\n");
        Verdict v = from("198.51.100.7", "s@example.com");
        assertThat(v.reply().oneLine()).isEqualTo(
                "451 4.7.1 Service unavailable; Client host [198.51.100.7] not checked: DNS lookup failure at dead.test");
        assertThat(v.log()).filteredOn(LogEvent::warning).singleElement().asString().contains("RBL lookup error");
    }

    @Test
    void aDeadDnsServerGives451NotPermit() throws Exception {
        try (Dnsmasq.StubServer dead = Dnsmasq.StubServer.silent()) {
            fx.resolver = DnsjavaResolver.builder().server(dead.hostPort()).timeout(Duration.ofMillis(800)).build();
            fx.load("smtpd_client_restrictions = reject_rbl_client zen.test\n");
            Verdict v = from("198.51.100.7", "s@example.com");
            assertThat(v.accepted()).isFalse();
            assertThat(v.reply().code()).isEqualTo(451);
            assertThat(dead.received()).isGreaterThan(0);
        }
    }
}
