// GenericRestrictionsTest: the restrictions that need no I/O, table-driven with the replies of
// postconf(5) and smtpd_check.c -- reject/defer/defer_if_*, pipelining, plaintext, mynetworks, SASL,
// unknown client names, HELO syntax, non-FQDN addresses, multi-recipient bounce, sleep.
package org.postern.policies.restrict;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postern.policies.restrict.SessionFacts.NameStatus;

class GenericRestrictionsTest {
    @TempDir
    Path dir;
    Fixture fx;

    @BeforeEach
    void setUp() {
        fx = new Fixture(dir);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private static final String CLIENT = "<unknown[198.51.100.7]>: Client host rejected: ";

    private static Arguments c(String mainCf, UnaryOperator<SessionFacts.Builder> facts, String reply) {
        return Arguments.of(mainCf, facts, reply);
    }

    static Stream<Arguments> cases() {
        UnaryOperator<SessionFacts.Builder> same = b -> b;
        return Stream.of(
                c("smtpd_client_restrictions = reject", same, "554 5.7.1 " + CLIENT + "Access denied"),
                c("smtpd_client_restrictions = reject\nreject_code = 550", same, "550 5.7.1 " + CLIENT + "Access denied"),
                c("smtpd_helo_restrictions = reject", same, "554 5.7.1 <client.example.org>: Helo command rejected: Access denied"),
                c("smtpd_sender_restrictions = reject", same, "554 5.7.1 <s@example.com>: Sender address rejected: Access denied"),
                c("smtpd_sender_restrictions = reject", b -> b.sender(""), "554 5.7.1 <>: Sender address rejected: Access denied"),
                c("smtpd_recipient_restrictions = reject", same,
                        "554 5.7.1 <x@example.net>: Recipient address rejected: Access denied"),
                c("smtpd_client_restrictions = defer", same, "450 4.3.2 " + CLIENT + "Try again later"),
                c("smtpd_client_restrictions = defer_if_permit", same, "450 4.7.0 " + CLIENT + "defer_if_permit requested"),
                c("smtpd_sender_restrictions = defer_if_reject, reject", same,
                        "450 4.7.0 <s@example.com>: Sender address rejected: defer_if_reject requested"),
                c("smtpd_client_restrictions = reject_unauth_pipelining", b -> b.illegalPipelining(true),
                        "503 5.5.0 " + CLIENT + "Improper use of SMTP command pipelining"),
                c("smtpd_client_restrictions = reject_unauth_pipelining", same, null),
                c("smtpd_client_restrictions = reject_plaintext_session", same, "450 4.7.1 Session encryption is required"),
                c("smtpd_client_restrictions = reject_plaintext_session", b -> b.tls("TLSv1.3", "TLS_AES_256_GCM_SHA384", 256), null),
                c("smtpd_client_restrictions = permit_mynetworks, reject", same, "554 5.7.1 " + CLIENT + "Access denied"),
                c("smtpd_client_restrictions = permit_mynetworks, reject",
                        b -> SessionFacts.builder(Stage.RCPT, FakeDns.literal("192.0.2.10")).sender("s@example.com")
                                .recipient("x@example.net"), null),
                c("smtpd_client_restrictions = reject_unknown_client_hostname", same,
                        "450 4.7.25 Client host rejected: cannot find your hostname, [198.51.100.7]"),
                c("smtpd_client_restrictions = reject_unknown_client\nunknown_client_reject_code = 550", same,
                        "550 5.7.25 Client host rejected: cannot find your hostname, [198.51.100.7]"),
                c("smtpd_client_restrictions = reject_unknown_client_hostname\nunknown_client_reject_code = 550",
                        b -> b.clientName("unknown", NameStatus.TEMPFAIL),
                        "450 4.7.25 Client host rejected: cannot find your hostname, [198.51.100.7]"),
                c("smtpd_client_restrictions = reject_unknown_client_hostname", b -> b.clientName("mail.example.org"), null),
                c("smtpd_client_restrictions = reject_unknown_reverse_client_hostname", same,
                        "450 4.7.1 Client host rejected: cannot find your reverse hostname, [198.51.100.7]"),
                c("smtpd_client_restrictions = reject_unknown_reverse_client_hostname", b -> b.reverseClientName("ptr.example.org"), null),
                c("smtpd_helo_restrictions = reject_invalid_helo_hostname", b -> b.helo("bad_host!", "ESMTP"),
                        "501 5.5.2 <bad_host!>: Helo command rejected: Invalid name"),
                c("smtpd_helo_restrictions = reject_invalid_helo_hostname", b -> b.helo("[192.0.2.999]", "ESMTP"),
                        "501 5.5.2 <[192.0.2.999]>: Helo command rejected: invalid ip address"),
                c("smtpd_helo_restrictions = reject_invalid_hostname", b -> b.helo("[::1]", "ESMTP"),
                        "501 5.5.2 <[::1]>: Helo command rejected: invalid ip address"),
                c("smtpd_helo_restrictions = reject_invalid_helo_hostname", b -> b.helo("[IPv6:::1]", "ESMTP"), null),
                c("smtpd_helo_restrictions = reject_invalid_helo_hostname", b -> b.helo("host.example.", "ESMTP"), null),
                c("smtpd_helo_restrictions = reject_invalid_helo_hostname", b -> b.helo("192.0.2.1", "ESMTP"), null),
                c("smtpd_helo_restrictions = reject_non_fqdn_helo_hostname", b -> b.helo("localhost", "ESMTP"),
                        "504 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname"),
                c("smtpd_helo_restrictions = reject_non_fqdn_hostname", b -> b.helo("mx.example.", "SMTP"), null),
                c("smtpd_sender_restrictions = reject_non_fqdn_sender", b -> b.sender("user"),
                        "504 5.5.2 <user>: Sender address rejected: need fully-qualified address"),
                c("smtpd_sender_restrictions = reject_non_fqdn_sender", b -> b.sender("user@localhost"),
                        "504 5.5.2 <user@localhost>: Sender address rejected: need fully-qualified address"),
                c("smtpd_sender_restrictions = reject_non_fqdn_sender", b -> b.sender("user@[192.0.2.1]"), null),
                c("smtpd_sender_restrictions = reject_non_fqdn_sender", b -> b.sender(""), null),
                c("smtpd_relay_restrictions = reject_non_fqdn_recipient, reject_unauth_destination", b -> b.recipient("x@example."),
                        "504 5.5.2 <x@example.>: Recipient address rejected: need fully-qualified address"),
                c("smtpd_recipient_restrictions = reject_multi_recipient_bounce", b -> b.sender("").recipientCount(1),
                        "550 5.5.3 <x@example.net>: Recipient address rejected: Multi-recipient bounce"),
                c("smtpd_recipient_restrictions = reject_multi_recipient_bounce", b -> b.sender(""), null),
                c("smtpd_client_restrictions = permit_sasl_authenticated, reject\nsmtpd_sasl_auth_enable = yes",
                        b -> b.sasl("PLAIN", "alice", null), null),
                c("smtpd_client_restrictions = permit_sasl_authenticated, reject", b -> b.sasl("PLAIN", "alice", null),
                        "554 5.7.1 " + CLIENT + "Access denied"));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("cases")
    void reply(String mainCf, UnaryOperator<SessionFacts.Builder> facts, String reply) throws Exception {
        fx.load(mainCf + "\n");
        Verdict v = fx.rcpt(facts.apply(Fixture.facts(Stage.RCPT).sender("s@example.com").recipient("x@example.net")).build());
        if (reply == null) {
            assertThat(v.accepted()).as("%s", v.log()).isTrue();
        } else {
            assertThat(v.reply()).as("%s", v.log()).isNotNull();
            assertThat(v.reply().oneLine()).isEqualTo(reply);
        }
    }

    @Test
    void sleepPausesWithoutBlockingAndDecidesNothing() throws Exception {
        fx.load("smtpd_client_restrictions = sleep 3, permit\n");
        Verdict v = fx.rcpt(Fixture.rcpt("s@example.com", "x@example.net"));
        assertThat(v.accepted()).isTrue();
        assertThat(fx.sleeps).containsExactly(Duration.ofSeconds(3));
    }

    @Test
    void aBadReplyCodeBecomes450ServiceUnavailableWithAWarning() throws Exception {
        fx.load("smtpd_client_restrictions = reject\nreject_code = 250\n");
        Verdict v = fx.rcpt(Fixture.rcpt("s@example.com", "x@example.net"));
        assertThat(v.reply().oneLine()).isEqualTo("450 4.7.1 Service unavailable");
        assertThat(v.log().get(0).line()).startsWith("warning: SMTP reply code configuration error: 250");
    }

    @Test
    void a421ReplyAsksTheCallerToDisconnect() throws Exception {
        fx.load("smtpd_client_restrictions = defer\ndefer_code = 421\n");
        assertThat(fx.rcpt(Fixture.rcpt("s@example.com", "x@example.net")).disconnect()).isTrue();
    }
}
