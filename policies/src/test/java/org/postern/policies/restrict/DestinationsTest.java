// DestinationsTest: relay control and recipient validation -- permit_auth_destination,
// reject_unauth_destination, defer_unauth_destination (mydestination, relay_domains and subdomains,
// routed addresses, literals, bare local parts) and reject_unlisted_recipient/sender with relay_recipient_maps.
package org.postern.policies.restrict;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DestinationsTest {
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

    static Stream<Arguments> recipients() {
        return Stream.of(
                Arguments.of("x@example.net", true), // mydestination
                Arguments.of("x@EXAMPLE.NET.", true),
                Arguments.of("x@relay.example", true), // relay_domains
                Arguments.of("x@sub.relay.example", true), // parent_domain_matches_subdomains has relay_domains
                Arguments.of("x", true), // a bare local part gets @$myorigin (mx.example.net is not ours, but...)
                Arguments.of("x@elsewhere.example", false),
                Arguments.of("x%elsewhere.example@example.net", false), // sender-specified routing
                Arguments.of("elsewhere.example!x@relay.example", false),
                Arguments.of("\"x@elsewhere.example\"@example.net", false),
                Arguments.of("x@[192.0.2.25]", false));
    }

    @ParameterizedTest(name = "{0} authorized={1}")
    @MethodSource("recipients")
    void rejectUnauthDestination(String recipient, boolean authorized) throws Exception {
        fx.load("myorigin = example.net\nsmtpd_relay_restrictions =\nsmtpd_recipient_restrictions = reject_unauth_destination\n");
        Verdict v = fx.rcpt(Fixture.rcpt("s@example.com", recipient));
        if (authorized) {
            assertThat(v.accepted()).isTrue();
        } else {
            assertThat(v.reply().oneLine()).isEqualTo("554 5.7.1 <" + recipient + ">: Relay access denied");
        }
    }

    @ParameterizedTest(name = "{0} authorized={1}")
    @MethodSource("recipients")
    void permitAuthDestination(String recipient, boolean authorized) throws Exception {
        fx.load("myorigin = example.net\nsmtpd_relay_restrictions =\nsmtpd_recipient_restrictions = permit_auth_destination, reject\n");
        assertThat(fx.rcpt(Fixture.rcpt("s@example.com", recipient)).accepted()).isEqualTo(authorized);
    }

    @Test
    void allowUntrustedRoutingLetsRoutedAddressesThrough() throws Exception {
        fx.load("allow_untrusted_routing = yes\nsmtpd_relay_restrictions =\nsmtpd_recipient_restrictions = reject_unauth_destination\n");
        assertThat(fx.rcpt(Fixture.rcpt("s@example.com", "x%elsewhere.example@example.net")).accepted()).isTrue();
    }

    @Test
    void deferUnauthDestinationIsTheTemporaryForm() throws Exception {
        fx.load("relay_domains_reject_code = 550\nsmtpd_relay_restrictions = permit_mynetworks, defer_unauth_destination\n");
        assertThat(fx.rcpt(Fixture.rcpt("s@example.com", "x@elsewhere.example")).reply().oneLine())
                .isEqualTo("450 4.7.1 <x@elsewhere.example>: Relay access denied");
    }

    @Test
    void theDefaultRelayRestrictionsTrustMynetworksAndSasl() throws Exception {
        fx.load("smtpd_sasl_auth_enable = yes\n");
        assertThat(fx.rcpt(SessionFacts.builder(Stage.RCPT, FakeDns.literal("192.0.2.77")).sender("s@example.com")
                .recipient("x@elsewhere.example").build()).accepted()).isTrue();
        assertThat(fx.rcpt(Fixture.facts(Stage.RCPT).sasl("PLAIN", "alice", null).sender("s@example.com")
                .recipient("x@elsewhere.example").build()).accepted()).isTrue();
    }

    @Test
    void unlistedRelayRecipientsAreRejectedByDefault() throws Exception {
        fx.file("relay_recipients", "known@relay.example x\n@sub.relay.example x\n");
        fx.load("relay_recipient_maps = hash:relay_recipients\n");
        assertThat(fx.rcpt(Fixture.rcpt("s@example.com", "known@relay.example")).accepted()).isTrue();
        assertThat(fx.rcpt(Fixture.rcpt("s@example.com", "any@sub.relay.example")).accepted()).isTrue();
        Verdict v = fx.rcpt(Fixture.rcpt("s@example.com", "nobody@relay.example"));
        assertThat(v.reply().oneLine())
                .isEqualTo("550 5.1.1 <nobody@relay.example>: Recipient address rejected: User unknown in relay recipient table");
        // local (mydestination) recipients are LocalRecipientsTest's; the fixture lists every one
        assertThat(fx.rcpt(Fixture.rcpt("s@example.com", "anyone@example.net")).accepted()).isTrue();
    }

    @Test
    void smtpdRejectUnlistedRecipientNoTurnsTheImplicitCheckOff() throws Exception {
        fx.file("relay_recipients", "known@relay.example x\n");
        fx.load("relay_recipient_maps = hash:relay_recipients\nsmtpd_reject_unlisted_recipient = no\n");
        assertThat(fx.rcpt(Fixture.rcpt("s@example.com", "nobody@relay.example")).accepted()).isTrue();
        fx.close();
        fx = new Fixture(dir);
        fx.load("relay_recipient_maps = hash:relay_recipients\nsmtpd_reject_unlisted_recipient = no\n"
                + "smtpd_recipient_restrictions = reject_unlisted_recipient\nshow_user_unknown_table_name = no\n");
        assertThat(fx.rcpt(Fixture.rcpt("s@example.com", "nobody@relay.example")).reply().oneLine())
                .isEqualTo("550 5.1.1 <nobody@relay.example>: Recipient address rejected: User unknown");
    }

    @Test
    void unlistedSenders() throws Exception {
        fx.file("relay_recipients", "known@relay.example x\n");
        fx.load("relay_recipient_maps = hash:relay_recipients\nsmtpd_reject_unlisted_sender = yes\n");
        assertThat(fx.rcpt(Fixture.rcpt("forged@relay.example", "x@example.net")).reply().oneLine())
                .isEqualTo("550 5.1.0 <forged@relay.example>: Sender address rejected: User unknown in relay recipient table");
        assertThat(fx.rcpt(Fixture.rcpt("known@relay.example", "x@example.net")).accepted()).isTrue();
    }

    @Test
    void aFailingRecipientTableIsATemporaryFailure() throws Exception {
        fx.load("relay_recipient_maps = fail:down\n");
        Verdict v = fx.rcpt(Fixture.rcpt("s@example.com", "x@relay.example"));
        assertThat(v.reply().oneLine()).isEqualTo("451 4.3.0 <x@relay.example>: Temporary lookup failure");
    }
}
