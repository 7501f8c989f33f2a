// DnsRestrictionsTest: the DNS-based restrictions against FakeDns -- reject_rbl_client (filters, TXT
// reasons, default_rbl_reply, rbl_reply_maps, maps_rbl_reject_code), the rhsbl family, permit_dnswl_client,
// reject_unknown_{sender,recipient}_domain (null MX), reject_unknown_helo_hostname; DNS failure never permits.
package org.postern.policies.restrict;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DnsRestrictionsTest {
    @TempDir
    Path dir;
    Fixture fx;

    private static final String LISTED = "7.100.51.198.zen.test";

    @BeforeEach
    void setUp() {
        fx = new Fixture(dir);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private Verdict rcpt(String sender, String recipient) {
        return fx.rcpt(Fixture.rcpt(sender, recipient));
    }

    private Verdict rcpt() {
        return rcpt("s@example.com", "x@example.net");
    }

    @Test
    void aListedClientGetsTheDefaultRblReplyWithTheTxtReason() throws Exception {
        fx.dns.a(LISTED, "127.0.0.2").txt(LISTED, "listed for a test");
        fx.load("smtpd_client_restrictions = reject_rbl_client zen.test\n");
        Verdict v = rcpt();
        assertThat(v.reply().oneLine())
                .isEqualTo("554 5.7.1 Service unavailable; Client host [198.51.100.7] blocked using zen.test; listed for a test");
        assertThat(v.decidedBy().restriction()).isEqualTo("reject_rbl_client zen.test");
        assertThat(v.decidedBy().origin().toString()).isEqualTo(dir.resolve("main.cf") + ":6");
    }

    @Test
    void withoutTxtTheReplyHasNoReason() throws Exception {
        fx.dns.a(LISTED, "127.0.0.2");
        fx.load("smtpd_client_restrictions = reject_rbl_client zen.test\nmaps_rbl_reject_code = 550\n");
        assertThat(rcpt().reply().oneLine()).isEqualTo("550 5.7.1 Service unavailable; Client host [198.51.100.7] blocked using zen.test");
    }

    @Test
    void anUnlistedClientPasses() throws Exception {
        fx.load("smtpd_client_restrictions = reject_rbl_client zen.test\n");
        assertThat(rcpt().accepted()).isTrue();
        assertThat(fx.dns.count(LISTED)).isEqualTo(1);
    }

    @Test
    void theReplyFilterDecidesWhichAnswersCount() throws Exception {
        fx.dns.a(LISTED, "127.0.0.2");
        fx.load("smtpd_client_restrictions = reject_rbl_client zen.test=127.0.0.[3..5]\n");
        assertThat(rcpt().accepted()).isTrue();
        fx.close();
        fx = new Fixture(dir);
        fx.dns.a(LISTED, "127.0.0.4");
        fx.load("smtpd_client_restrictions = reject_rbl_client zen.test=127.0.0.[3..5]\n");
        assertThat(rcpt().reply().code()).isEqualTo(554);
    }

    @Test
    void aDnsFailureDefersInsteadOfPermitting() throws Exception {
        fx.dns.broken(LISTED);
        fx.load("smtpd_client_restrictions = reject_rbl_client zen.test, permit\n");
        Verdict v = rcpt();
        assertThat(v.reply().oneLine()).isEqualTo(
                "451 4.7.1 Service unavailable; Client host [198.51.100.7] not checked: DNS lookup failure at zen.test");
        assertThat(v.log()).filteredOn(LogEvent::warning).extracting(LogEvent::line)
                .containsExactly("warning: 7.100.51.198.zen.test: RBL lookup error: test: timeout");
    }

    @Test
    void aDnsFailureDoesNotHideALaterReject() throws Exception {
        fx.dns.broken(LISTED);
        fx.load("smtpd_client_restrictions = reject_rbl_client zen.test, reject\n");
        assertThat(rcpt().reply().code()).isEqualTo(554);
    }

    @Test
    void rblTempfailActionDeferRefusesAtOnce() throws Exception {
        fx.dns.broken(LISTED);
        fx.load("smtpd_client_restrictions = reject_rbl_client zen.test, reject\nrbl_tempfail_action = defer\n");
        assertThat(rcpt().reply().code()).isEqualTo(451);
    }

    @Test
    void rblReplyMapsGiveAPerListTemplate() throws Exception {
        fx.dns.a(LISTED, "127.0.0.2").txt(LISTED, "spam source");
        fx.file("rbl_replies", "zen.test 521 4.7.1 Go away: $rbl_reason (client $client_address)\nother.test $bogus\n");
        fx.load("smtpd_client_restrictions = reject_rbl_client zen.test=127.0.0.2\nrbl_reply_maps = hash:rbl_replies\n");
        Verdict v = rcpt();
        assertThat(v.reply().oneLine()).isEqualTo("521 5.7.1 Go away: spam source (client 198.51.100.7)");
        assertThat(v.disconnect()).isTrue();
    }

    @Test
    void anExplicitDefaultRblReplyIsReadUnexpanded() throws Exception {
        fx.dns.a(LISTED, "127.0.0.2");
        fx.load("smtpd_client_restrictions = reject_rbl_client zen.test\ndefault_rbl_reply = $rbl_code Blocked by $rbl_domain\n");
        assertThat(rcpt().reply().oneLine()).isEqualTo("554 5.7.1 Blocked by zen.test");
    }

    @Test
    void rhsblRestrictionsAskAboutDomainsAndNameWhatTheyRefuse() throws Exception {
        fx.dns.a("bad.example.dbl.test", "127.0.1.2");
        fx.load("smtpd_sender_restrictions = reject_rhsbl_sender dbl.test\n"
                + "smtpd_recipient_restrictions = reject_rhsbl_recipient dbl.test\n"
                + "smtpd_helo_restrictions = reject_rhsbl_helo dbl.test\n"
                + "smtpd_client_restrictions = reject_rhsbl_client dbl.test, reject_rhsbl_reverse_client dbl.test\n"
                + "relay_domains = bad.example\n");
        assertThat(rcpt("s@bad.example", "x@example.net").reply().oneLine())
                .isEqualTo("554 5.7.1 Service unavailable; Sender address [s@bad.example] blocked using dbl.test");
        assertThat(rcpt("s@example.com", "x@bad.example").reply().oneLine())
                .isEqualTo("554 5.7.1 Service unavailable; Recipient address [x@bad.example] blocked using dbl.test");
        assertThat(fx.rcpt(Fixture.facts(Stage.RCPT).helo("bad.example", "ESMTP").sender("s@example.com")
                .recipient("x@example.net").build()).reply().oneLine())
                .isEqualTo("554 5.7.1 Service unavailable; Helo command [bad.example] blocked using dbl.test");
        assertThat(fx.rcpt(Fixture.facts(Stage.RCPT).clientName("bad.example").sender("s@example.com")
                .recipient("x@example.net").build()).reply().oneLine())
                .isEqualTo("554 5.7.1 Service unavailable; Client host [bad.example] blocked using dbl.test");
        assertThat(fx.rcpt(Fixture.facts(Stage.RCPT).reverseClientName("bad.example").sender("s@example.com")
                .recipient("x@example.net").build()).reply().oneLine())
                .isEqualTo("554 5.7.1 Service unavailable; Unverified Client host [bad.example] blocked using dbl.test");
    }

    @Test
    void rhsblSkipsLiteralsNumericNamesAndUnknownClients() throws Exception {
        fx.load("smtpd_sender_restrictions = reject_rhsbl_sender dbl.test\n"
                + "smtpd_helo_restrictions = reject_rhsbl_helo dbl.test\nsmtpd_client_restrictions = reject_rhsbl_client dbl.test\n");
        Verdict v = fx.rcpt(Fixture.facts(Stage.RCPT).helo("192.0.2.1", "ESMTP").sender("s@[192.0.2.1]")
                .recipient("x@example.net").build());
        assertThat(v.accepted()).isTrue();
        assertThat(fx.dns.asked).isEmpty();
    }

    @Test
    void anIpv6ClientIsAskedByNibbles() throws Exception {
        String name = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.test";
        fx.dns.a(name, "127.0.0.2");
        fx.load("smtpd_client_restrictions = reject_rbl_client zen.test\n");
        Verdict v = fx.rcpt(SessionFacts.builder(Stage.RCPT, FakeDns.literal("2001:db8::1")).sender("s@example.com")
                .recipient("x@example.net").build());
        assertThat(v.reply().oneLine()).isEqualTo("554 5.7.1 Service unavailable; Client host [2001:db8::1] blocked using zen.test");
    }

    @Test
    void anAllowListPermitsButNeverAnUnauthorizedDestination() throws Exception {
        fx.dns.a("7.100.51.198.list.test", "127.0.9.1");
        fx.load("smtpd_recipient_restrictions = permit_dnswl_client list.test, reject\n");
        assertThat(rcpt().accepted()).isTrue();
        assertThat(rcpt("s@example.com", "x@relay.example").accepted()).isTrue();
        fx.close();
        fx = new Fixture(dir);
        fx.dns.a("7.100.51.198.list.test", "127.0.9.1");
        fx.load("smtpd_relay_restrictions = permit_dnswl_client list.test, reject\n");
        assertThat(rcpt("s@example.com", "x@elsewhere.example").reply().code()).isEqualTo(554);
    }

    @Test
    void anAllowListFailureTurnsALaterRejectIntoADeferral() throws Exception {
        fx.dns.broken("7.100.51.198.list.test");
        fx.load("smtpd_recipient_restrictions = permit_dnswl_client list.test, reject\n");
        assertThat(rcpt().reply().oneLine()).isEqualTo("450 4.7.1 <198.51.100.7>: Client host rejected: Service unavailable");
    }

    @Test
    void unknownSenderDomains() throws Exception {
        fx.dns.mx("mx.example", 10, "mail.mx.example").a("a-only.example", "192.0.2.9").mx("nullmx.example", 0, ".")
                .broken("broken.example");
        fx.load("smtpd_sender_restrictions = reject_unknown_sender_domain\n");
        String p = "Sender address rejected: ";
        assertThat(rcpt("s@nowhere.example", "x@example.net").reply().oneLine())
                .isEqualTo("450 4.1.8 <s@nowhere.example>: " + p + "Domain not found");
        assertThat(rcpt("s@mx.example", "x@example.net").accepted()).isTrue();
        assertThat(rcpt("s@a-only.example", "x@example.net").accepted()).isTrue();
        assertThat(rcpt("s@nullmx.example", "x@example.net").reply().oneLine())
                .isEqualTo("550 5.7.27 <s@nullmx.example>: " + p + "Domain nullmx.example does not accept mail (nullMX)");
        Verdict broken = rcpt("s@broken.example", "x@example.net");
        assertThat(broken.reply().oneLine()).isEqualTo("450 4.1.8 <s@broken.example>: " + p + "Domain not found");
        assertThat(broken.decidedBy().action()).isEqualTo(Action.DEFER_IF_PERMIT);
        int asked = fx.dns.asked.size();
        assertThat(rcpt("s@example.net", "x@example.net").accepted()).isTrue(); // mydestination: no DNS
        assertThat(rcpt("", "x@example.net").accepted()).isTrue();
        assertThat(fx.dns.asked).hasSize(asked);
    }

    @Test
    void unknownAddressRejectCodeAndTempfailAction() throws Exception {
        fx.dns.broken("broken.example");
        fx.load("smtpd_sender_restrictions = reject_unknown_sender_domain, reject\nunknown_address_reject_code = 550\n");
        assertThat(rcpt("s@nowhere.example", "x@example.net").reply().oneLine())
                .isEqualTo("550 5.1.8 <s@nowhere.example>: Sender address rejected: Domain not found");
        // defer_if_permit: the later explicit reject wins
        assertThat(rcpt("s@broken.example", "x@example.net").reply().code()).isEqualTo(554);
        fx.close();
        fx = new Fixture(dir);
        fx.dns.broken("broken.example");
        fx.load("smtpd_sender_restrictions = reject_unknown_sender_domain, reject\nunknown_address_tempfail_action = defer\n");
        assertThat(rcpt("s@broken.example", "x@example.net").reply().code()).isEqualTo(450);
    }

    @Test
    void unknownRecipientDomains() throws Exception {
        fx.dns.mx("nullmx.relay.example", 0, ".");
        fx.load("smtpd_recipient_restrictions = reject_unknown_recipient_domain\n");
        String p = "Recipient address rejected: ";
        assertThat(rcpt("s@example.com", "x@gone.relay.example").reply().oneLine())
                .isEqualTo("450 4.1.2 <x@gone.relay.example>: " + p + "Domain not found");
        assertThat(rcpt("s@example.com", "x@nullmx.relay.example").reply().oneLine())
                .isEqualTo("556 5.1.10 <x@nullmx.relay.example>: " + p + "Domain nullmx.relay.example does not accept mail (nullMX)");
    }

    @Test
    void unknownHeloHostnames() throws Exception {
        fx.dns.a("host.example.org", "192.0.2.3").mx("mxonly.example.org", 10, "mail.example.org").broken("slow.example.org");
        fx.load("smtpd_helo_restrictions = reject_unknown_helo_hostname\n");
        String p = ">: Helo command rejected: Host not found";
        assertThat(fx.rcpt(helo("nohost.example.org")).reply().oneLine()).isEqualTo("450 4.7.1 <nohost.example.org" + p);
        assertThat(fx.rcpt(helo("host.example.org")).accepted()).isTrue();
        assertThat(fx.rcpt(helo("mxonly.example.org")).accepted()).isTrue();
        Verdict slow = fx.rcpt(helo("slow.example.org"));
        assertThat(slow.reply().oneLine()).isEqualTo("450 4.7.1 <slow.example.org" + p);
        assertThat(slow.decidedBy().action()).isEqualTo(Action.DEFER_IF_PERMIT);
    }

    private static SessionFacts helo(String name) {
        return Fixture.facts(Stage.RCPT).helo(name, "ESMTP").sender("s@example.com").recipient("x@example.net").build();
    }
}
