// EvaluationSemanticsTest: how lists combine (SMTPD_ACCESS_README, smtpd_check.c): first decisive
// result wins, warn_if_reject, defer_if_permit/defer_if_reject resolution, restriction classes, DISCARD,
// smtpd_delay_reject order at RCPT (client, HELO, sender, relay, recipient), DATA and END-OF-MESSAGE.
package org.postern.policies.restrict;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationSemanticsTest {
    @TempDir
    Path dir;
    Fixture fx;

    private static final String TAIL = "; from=<s@example.com> to=<x@example.net> proto=ESMTP helo=<client.example.org>";

    @BeforeEach
    void setUp() {
        fx = new Fixture(dir);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private Verdict rcpt() {
        return fx.rcpt(Fixture.rcpt("s@example.com", "x@example.net"));
    }

    // Found by SmtpdRestrictionsFuzzTest: each restriction nested the next one's evaluation a stack frame
    // deeper; a list of thousands overflowed the stack and every recipient got "451 internal error".
    @Test
    void aListOfThousandsOfRestrictionsIsEvaluatedInALoop() throws Exception {
        fx.load("smtpd_recipient_restrictions = " + "permit_mynetworks, ".repeat(20_000) + "reject\n");
        Verdict v = rcpt();
        assertThat(v.reply()).hasToString("554 5.7.1 <x@example.net>: Recipient address rejected: Access denied");
        assertThat(v.log()).extracting(LogEvent::line).noneMatch(l -> l.contains("internal error"));
    }

    @Test
    void warnIfRejectLogsTheNextRejectAndGoesOn() throws Exception {
        fx.load("smtpd_client_restrictions = warn_if_reject reject, permit\n");
        Verdict v = rcpt();
        assertThat(v.accepted()).isTrue();
        assertThat(v.log()).extracting(LogEvent::line).containsExactly("NOQUEUE: reject_warning: RCPT from"
                + " unknown[198.51.100.7]: 554 5.7.1 <unknown[198.51.100.7]>: Client host rejected: Access denied" + TAIL);
    }

    @Test
    void warnIfRejectCoversOnlyTheNextRestriction() throws Exception {
        fx.load("smtpd_sender_restrictions = warn_if_reject reject_non_fqdn_sender, reject_non_fqdn_helo_hostname\n");
        Verdict v = fx.rcpt(Fixture.facts(Stage.RCPT).helo("localhost", "ESMTP").sender("user").recipient("x@example.net").build());
        assertThat(v.reply().oneLine()).isEqualTo("504 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname");
        assertThat(v.log()).extracting(LogEvent::line).first().asString().contains("reject_warning: RCPT from")
                .contains("<user>: Sender address rejected: need fully-qualified address");
    }

    @Test
    void warnIfRejectBeforeAClassCoversTheWholeClass() throws Exception {
        fx.load("smtpd_restriction_classes = strict\nstrict = reject_non_fqdn_sender, reject\n"
                + "smtpd_client_restrictions = warn_if_reject strict, permit\n");
        Verdict v = fx.rcpt(Fixture.rcpt("user", "x@example.net"));
        assertThat(v.accepted()).isTrue();
        assertThat(v.log()).extracting(LogEvent::line).allMatch(l -> l.contains("reject_warning:")).hasSize(2);
    }

    @Test
    void warnIfRejectNeverHidesAConfigurationError() throws Exception {
        fx.file("access", "s@example.com relay.example:25\n");
        fx.load("smtpd_client_restrictions = warn_if_reject check_sender_access hash:access, permit\n");
        assertThat(rcpt().reply().oneLine()).isEqualTo("451 4.3.5 Server configuration error");
    }

    @Test
    void warnIfRejectTurnsDeferIfPermitIntoAWarningOnly() throws Exception {
        fx.load("smtpd_client_restrictions = warn_if_reject defer_if_permit\n");
        Verdict v = rcpt();
        assertThat(v.accepted()).isTrue();
        assertThat(v.log()).extracting(LogEvent::line).singleElement().asString()
                .contains("reject_warning: RCPT from").contains("defer_if_permit requested");
    }

    @Test
    void deferIfPermitFromTheClientListDefersAnOtherwiseAcceptedRecipient() throws Exception {
        fx.load("smtpd_client_restrictions = defer_if_permit\nsmtpd_recipient_restrictions = permit_auth_destination\n");
        Verdict v = rcpt();
        assertThat(v.reply().oneLine()).isEqualTo("450 4.7.0 <unknown[198.51.100.7]>: Client host rejected: defer_if_permit requested");
        assertThat(v.decidedBy().origin()).isEqualTo(fx.restrictions.list("smtpd_client_restrictions").origin());
        assertThat(v.decidedBy().origin().toString()).endsWith("main.cf:6");
    }

    @Test
    void anExplicitRejectWinsOverAPendingDeferIfPermit() throws Exception {
        fx.load("smtpd_client_restrictions = defer_if_permit\nsmtpd_recipient_restrictions = reject\n");
        assertThat(rcpt().reply().oneLine()).isEqualTo("554 5.7.1 <x@example.net>: Recipient address rejected: Access denied");
    }

    @Test
    void bothDeferralsEndTheList() throws Exception {
        fx.load("smtpd_sender_restrictions = defer_if_permit, defer_if_reject, reject\n");
        Verdict v = rcpt();
        assertThat(v.reply().oneLine()).isEqualTo("450 4.7.0 <s@example.com>: Sender address rejected: defer_if_permit requested");
    }

    @Test
    void classesReplyAsTheListThatUsesThem() throws Exception {
        fx.file("rcpt", "x@example.net strict\n");
        fx.load("smtpd_restriction_classes = strict\nstrict = reject\n"
                + "smtpd_client_restrictions = strict\n");
        assertThat(rcpt().reply().oneLine()).isEqualTo("554 5.7.1 <unknown[198.51.100.7]>: Client host rejected: Access denied");
        fx.close();
        fx = new Fixture(dir);
        fx.load("smtpd_restriction_classes = strict\nstrict = reject\n"
                + "smtpd_recipient_restrictions = check_recipient_access hash:rcpt\n");
        Verdict v = rcpt();
        assertThat(v.reply().oneLine()).isEqualTo("554 5.7.1 <x@example.net>: Recipient address rejected: Access denied");
        assertThat(v.decidedBy().origin().toString()).endsWith("main.cf:7");
    }

    @Test
    void delayedListsRunAtRcptInPostfixOrder() throws Exception {
        fx.file("client", "198.51.100.7 WARN client-list\n").file("helo", "client.example.org WARN helo-list\n")
                .file("sender", "s@example.com WARN sender-list\n").file("relay", "x@example.net WARN relay-list\n")
                .file("rcpt", "x@example.net WARN recipient-list\n");
        String lists = "smtpd_client_restrictions = check_client_access hash:client\n"
                + "smtpd_helo_restrictions = check_helo_access hash:helo\n"
                + "smtpd_sender_restrictions = check_sender_access hash:sender\n"
                + "smtpd_relay_restrictions = check_recipient_access hash:relay, reject_unauth_destination\n"
                + "smtpd_recipient_restrictions = hash:rcpt\n";
        fx.load(lists);
        assertThat(rcpt().log()).extracting(LogEvent::line).containsExactly(
                "NOQUEUE: warn: RCPT from unknown[198.51.100.7]: client-list" + TAIL,
                "NOQUEUE: warn: RCPT from unknown[198.51.100.7]: helo-list" + TAIL,
                "NOQUEUE: warn: RCPT from unknown[198.51.100.7]: sender-list" + TAIL,
                "NOQUEUE: warn: RCPT from unknown[198.51.100.7]: relay-list" + TAIL,
                "NOQUEUE: warn: RCPT from unknown[198.51.100.7]: recipient-list" + TAIL);
        fx.close();
        fx = new Fixture(dir);
        fx.load(lists + "smtpd_relay_before_recipient_restrictions = no\n");
        assertThat(rcpt().log()).extracting(LogEvent::line).element(3).asString().contains("recipient-list");
    }

    @Test
    void aPermitInOneListDoesNotSkipTheOthersButARejectEndsEverything() throws Exception {
        fx.file("rcpt", "x@example.net WARN recipient-list\n");
        fx.load("smtpd_client_restrictions = permit\nsmtpd_sender_restrictions = reject\n"
                + "smtpd_recipient_restrictions = check_recipient_access hash:rcpt\n");
        Verdict v = rcpt();
        assertThat(v.reply().oneLine()).isEqualTo("554 5.7.1 <s@example.com>: Sender address rejected: Access denied");
        assertThat(v.log()).extracting(LogEvent::line).noneMatch(l -> l.contains("recipient-list"));
    }

    @Test
    void relayAndRecipientListsMustBothPass() throws Exception {
        fx.load("smtpd_relay_restrictions = permit\nsmtpd_recipient_restrictions = reject_unauth_destination\n");
        assertThat(fx.rcpt(Fixture.rcpt("s@example.com", "x@elsewhere.example")).reply().oneLine())
                .isEqualTo("554 5.7.1 <x@elsewhere.example>: Relay access denied");
        fx.close();
        fx = new Fixture(dir);
        fx.load("smtpd_recipient_restrictions = permit\n"); // relay list: Postern's default ends in reject_unauth_destination
        assertThat(fx.rcpt(Fixture.rcpt("s@example.com", "x@elsewhere.example")).reply().oneLine())
                .isEqualTo("554 5.7.1 <x@elsewhere.example>: Relay access denied");
        assertThat(fx.rcpt(Fixture.rcpt("s@example.com", "x@relay.example")).accepted()).isTrue();
    }

    @Test
    void discardInTheClientListAcceptsAndSkipsTheRecipientLists() throws Exception {
        fx.file("client", "198.51.100.7 DISCARD\n");
        fx.load("smtpd_client_restrictions = check_client_access hash:client\nsmtpd_recipient_restrictions = reject\n");
        Verdict v = rcpt();
        assertThat(v.accepted()).isTrue();
        assertThat(v.discard()).isTrue();
        assertThat(v.effects(Action.DISCARD)).hasSize(1);
    }

    @Test
    void aBarePostmasterIsAlwaysAccepted() throws Exception {
        fx.load("smtpd_client_restrictions = reject\n");
        assertThat(fx.rcpt(Fixture.rcpt("s@example.com", "postmaster")).accepted()).isTrue();
    }

    @Test
    void withDelayRejectTheEarlyStagesAreNotChecked() throws Exception {
        fx.load("smtpd_client_restrictions = reject\nsmtpd_helo_restrictions = reject\nsmtpd_sender_restrictions = reject\n");
        assertThat(Fixture.await(fx.restrictions.connect(Fixture.facts(Stage.CONNECT).build())).accepted()).isTrue();
        assertThat(Fixture.await(fx.restrictions.helo(Fixture.facts(Stage.HELO).build())).accepted()).isTrue();
        assertThat(Fixture.await(fx.restrictions.mail(Fixture.facts(Stage.MAIL).sender("s@example.com").build())).accepted()).isTrue();
        assertThat(rcpt().accepted()).isFalse();
    }

    @Test
    void withoutDelayRejectEachStageChecksItsListAndCarriesDeferrals() throws Exception {
        fx.file("client", "198.51.100.7 HOLD\n");
        fx.load("smtpd_delay_reject = no\nsmtpd_client_restrictions = check_client_access hash:client, defer_if_permit\n"
                + "smtpd_helo_restrictions = reject_non_fqdn_helo_hostname\nsmtpd_recipient_restrictions = permit_auth_destination\n");
        Verdict connect = Fixture.await(fx.restrictions.connect(Fixture.facts(Stage.CONNECT).helo(null, null).build()));
        assertThat(connect.accepted()).isTrue();
        assertThat(connect.sideEffects()).isEmpty(); // no mail transaction yet: HOLD is skipped with a warning
        assertThat(connect.log()).extracting(LogEvent::line).singleElement().asString()
                .contains("action HOLD is always skipped in Client host or Helo command restrictions");
        assertThat(connect.pendingDeferral()).isNotNull();
        Verdict helo = Fixture.await(fx.restrictions.helo(Fixture.facts(Stage.HELO).helo("localhost", "ESMTP")
                .pendingDeferral(connect.pendingDeferral()).build()));
        assertThat(helo.reply().oneLine()).isEqualTo("504 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname");
        assertThat(helo.log().get(0).line()).startsWith("NOQUEUE: reject: EHLO from unknown[198.51.100.7]:");
        Verdict rcpt = fx.rcpt(Fixture.facts(Stage.RCPT).sender("s@example.com").recipient("x@example.net")
                .pendingDeferral(connect.pendingDeferral()).build());
        assertThat(rcpt.reply().oneLine()).isEqualTo("450 4.7.0 <unknown[198.51.100.7]>: Client host rejected: defer_if_permit requested");
    }

    @Test
    void dataRestrictionsHideTheRecipientWhenThereAreSeveral() throws Exception {
        fx.load("smtpd_data_restrictions = reject_multi_recipient_bounce\n");
        Verdict v = Fixture.await(fx.restrictions.data(Fixture.facts(Stage.DATA).sender("").recipient("x@example.net")
                .recipientCount(2).build()));
        assertThat(v.reply().oneLine()).isEqualTo("550 5.5.3 <DATA>: Data command rejected: Multi-recipient bounce");
        assertThat(v.log()).extracting(LogEvent::line).containsExactly("NOQUEUE: reject: DATA from unknown[198.51.100.7]:"
                + " 550 5.5.3 <DATA>: Data command rejected: Multi-recipient bounce; from=<> proto=ESMTP helo=<client.example.org>");
    }

    @Test
    void prependIsRefusedAtEndOfData() throws Exception {
        fx.file("sender", "s@example.com PREPEND X-Late: yes\n");
        fx.load("smtpd_end_of_data_restrictions = check_sender_access hash:sender\n");
        Verdict v = Fixture.await(fx.restrictions.endOfData(Fixture.facts(Stage.END_OF_DATA).sender("s@example.com")
                .recipient("x@example.net").recipientCount(1).queueId("4Xk2s01hNz").build()));
        assertThat(v.accepted()).isTrue();
        assertThat(v.sideEffects()).isEmpty();
        assertThat(v.log()).extracting(LogEvent::line).containsExactly(
                "warning: access table hash:sender: action PREPEND must be used before smtpd_end_of_data_restrictions");
    }

    @Test
    void aListEvaluatedOnItsOwnAccumulatesSideEffects() throws Exception {
        fx.file("sender", "s@example.com HOLD\n").file("rcpt", "x@example.net BCC copy@example.net\n");
        fx.load("smtpd_recipient_restrictions = check_sender_access hash:sender, check_recipient_access hash:rcpt, permit\n");
        Verdict v = Fixture.await(fx.restrictions.list("smtpd_recipient_restrictions").evaluate(
                Fixture.rcpt("s@example.com", "x@example.net")));
        assertThat(v.accepted()).isTrue();
        assertThat(v.sideEffects()).extracting(Decision::action).containsExactly(Action.HOLD, Action.BCC);
        assertThat(v.decidedBy().restriction()).isEqualTo("permit");
    }
}
