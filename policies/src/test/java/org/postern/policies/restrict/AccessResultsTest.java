// AccessResultsTest: every access(5) action as the value of a check_sender_access entry, table-driven
// with the replies and log lines Postfix gives (access(5), smtpd_check.c check_table_result): which
// actions decide, which only note a side effect or a log line and let evaluation continue.
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

class AccessResultsTest {
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

    /** Loads "bad@example.com VALUE" and checks RCPT bad@example.com -> x@example.net (a local recipient). */
    private Verdict verdict(String value, String after) throws Exception {
        fx.file("access", "bad@example.com " + value + "\n");
        fx.load("smtpd_recipient_restrictions = check_sender_access hash:access" + after + "\n");
        return fx.rcpt(Fixture.rcpt("bad@example.com", "x@example.net"));
    }

    static Stream<Arguments> refusals() {
        String p = "<bad@example.com>: Sender address rejected: ";
        return Stream.of(
                Arguments.of("REJECT", "554 5.7.1 " + p + "Access denied"),
                Arguments.of("reject go away", "554 5.7.1 " + p + "go away"),
                Arguments.of("REJECT 5.7.9 custom", "554 5.7.9 " + p + "custom"),
                Arguments.of("DEFER", "450 4.7.1 " + p + "Access denied"),
                Arguments.of("DEFER later please", "450 4.7.1 " + p + "later please"),
                Arguments.of("550 no thanks", "550 5.7.1 " + p + "no thanks"),
                Arguments.of("450 4.2.0 busy", "450 4.2.0 " + p + "busy"),
                // smtpd_dsn_fix: a recipient DSN becomes the sender DSN when a sender is refused
                Arguments.of("550 5.1.1 unknown", "550 5.1.7 " + p + "unknown"),
                Arguments.of("REJECT 4.1.2 mixed", "554 5.1.8 " + p + "mixed"),
                Arguments.of("421 closing", "421 4.7.1 " + p + "closing"),
                Arguments.of("DEFER_IF_PERMIT maybe later", "450 4.7.1 " + p + "maybe later"),
                Arguments.of("DEFER_IF_PERMIT", "450 4.7.1 " + p + "Service unavailable"),
                // a restriction list as value: its replies name what the table was asked about
                Arguments.of("reject", "554 5.7.1 " + p + "Access denied"),
                Arguments.of("permit_mynetworks, reject_non_fqdn_recipient, reject", "554 5.7.1 " + p + "Access denied"),
                Arguments.of("relay.example:25", "451 4.3.5 Server configuration error"),
                Arguments.of("no_such_restriction", "451 4.3.5 Server configuration error"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusingValues(String value, String reply) throws Exception {
        Verdict v = verdict(value, "");
        assertThat(v.accepted()).isFalse();
        assertThat(v.reply().oneLine()).isEqualTo(reply);
        assertThat(v.log()).extracting(LogEvent::line).contains("NOQUEUE: reject: RCPT from unknown[198.51.100.7]: "
                + reply + "; from=<bad@example.com> to=<x@example.net> proto=ESMTP helo=<client.example.org>");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void theOriginOfARefusalIsTheTableEntry(String value, String reply) throws Exception {
        Verdict v = verdict(value, "");
        assertThat(v.decidedBy().origin().toString()).isEqualTo(dir.resolve("access") + ":1");
        java.util.List<String> allowed = new java.util.ArrayList<>(java.util.List.of(value.split("[ ,]+")));
        allowed.add("check_sender_access hash:access"); // a nested list's own restriction decides, else the check
        assertThat(v.decidedBy().restriction()).isIn(allowed);
    }

    static Stream<Arguments> permits() {
        return Stream.of(Arguments.of("OK"), Arguments.of("RELAY"), Arguments.of("ok with text"),
                Arguments.of("1700000000"), Arguments.of("450"), Arguments.of("permit"));
    }

    /** A permit ends the list: a reject after it is never reached. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("permits")
    void permittingValuesEndTheList(String value) throws Exception {
        Verdict v = verdict(value, ", reject");
        assertThat(v.accepted()).isTrue();
        assertThat(v.decidedBy().action()).isEqualTo(Action.OK);
    }

    static Stream<Arguments> sideEffects() {
        String p = "<bad@example.com>: Sender address ";
        return Stream.of(
                Arguments.of("HOLD", Action.HOLD, null, "hold: RCPT from unknown[198.51.100.7]: " + p + "triggers HOLD action"),
                Arguments.of("HOLD look later", Action.HOLD, null, "hold: RCPT from unknown[198.51.100.7]: " + p + "look later"),
                Arguments.of("FILTER smtp:[192.0.2.9]:10025", Action.FILTER, "smtp:[192.0.2.9]:10025",
                        "filter: RCPT from unknown[198.51.100.7]: " + p + "triggers FILTER smtp:[192.0.2.9]:10025"),
                Arguments.of("REDIRECT abuse@example.net", Action.REDIRECT, "abuse@example.net",
                        "redirect: RCPT from unknown[198.51.100.7]: " + p + "triggers REDIRECT abuse@example.net"),
                Arguments.of("BCC audit@example.net", Action.BCC, "audit@example.net",
                        "bcc: RCPT from unknown[198.51.100.7]: " + p + "triggers BCC audit@example.net"),
                Arguments.of("PREPEND X-Tag: suspicious", Action.PREPEND, "X-Tag: suspicious", null),
                Arguments.of("WARN odd sender", Action.WARN, null, "warn: RCPT from unknown[198.51.100.7]: odd sender"),
                Arguments.of("INFO noted", Action.INFO, null, "info: RCPT from unknown[198.51.100.7]: noted"));
    }

    /** Side effects and log actions do not decide: the "reject" after them still refuses. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("sideEffects")
    void sideEffectsLetEvaluationContinue(String value, Action action, String argument, String logged) throws Exception {
        Verdict v = verdict(value, ", reject");
        assertThat(v.accepted()).isFalse();
        assertThat(v.reply().oneLine()).isEqualTo("554 5.7.1 <x@example.net>: Recipient address rejected: Access denied");
        if (action.sideEffect()) {
            assertThat(v.sideEffects()).singleElement().satisfies(d -> {
                assertThat(d.action()).isEqualTo(action);
                assertThat(d.argument()).isEqualTo(argument);
                assertThat(d.origin().toString()).isEqualTo(dir.resolve("access") + ":1");
            });
        } else {
            assertThat(v.sideEffects()).isEmpty();
        }
        if (logged != null) {
            assertThat(v.log().get(0).line()).isEqualTo("NOQUEUE: " + logged
                    + "; from=<bad@example.com> to=<x@example.net> proto=ESMTP helo=<client.example.org>");
        }
    }

    @Test
    void discardAcceptsAndStopsEveryLaterRestriction() throws Exception {
        Verdict v = verdict("DISCARD", ", reject");
        assertThat(v.accepted()).isTrue();
        assertThat(v.discard()).isTrue();
        assertThat(v.effects(Action.DISCARD)).hasSize(1);
        assertThat(v.log()).extracting(LogEvent::line).containsExactly("NOQUEUE: discard: RCPT from unknown[198.51.100.7]:"
                + " <bad@example.com>: Sender address triggers DISCARD action; from=<bad@example.com> to=<x@example.net>"
                + " proto=ESMTP helo=<client.example.org>");
        // later commands of the transaction are not checked any more
        Verdict data = Fixture.await(fx.restrictions.data(Fixture.facts(Stage.DATA).sender("bad@example.com")
                .recipientCount(1).discarded(true).build()));
        assertThat(data.accepted()).isTrue();
        assertThat(data.log()).isEmpty();
    }

    @Test
    void dunnoStopsTheSearchButDecidesNothing() throws Exception {
        fx.file("access", "bad@example.com DUNNO\nexample.com REJECT\n");
        fx.load("smtpd_recipient_restrictions = check_sender_access hash:access\n");
        assertThat(fx.rcpt(Fixture.rcpt("bad@example.com", "x@example.net")).accepted()).isTrue();
        assertThat(fx.rcpt(Fixture.rcpt("other@example.com", "x@example.net")).reply().code()).isEqualTo(554);
    }

    @Test
    void malformedSideEffectsAreWarningsAndDoNothing() throws Exception {
        fx.file("access", "a@example.com FILTER nocolon\nb@example.com REDIRECT nobody\nc@example.com PREPEND not a header\n"
                + "d@example.com FILTER\n");
        fx.load("smtpd_recipient_restrictions = check_sender_access hash:access\n");
        for (String s : new String[] {"a", "b", "c", "d"}) {
            Verdict v = fx.rcpt(Fixture.rcpt(s + "@example.com", "x@example.net"));
            assertThat(v.accepted()).isTrue();
            assertThat(v.sideEffects()).isEmpty();
            assertThat(v.log()).singleElement().satisfies(e -> {
                assertThat(e.warning()).isTrue();
                assertThat(e.line()).startsWith("warning: access table hash:access");
            });
        }
    }

    @Test
    void deferIfRejectTurnsALaterRejectIntoItsDeferral() throws Exception {
        Verdict v = verdict("DEFER_IF_REJECT not sure", ", reject");
        assertThat(v.reply().oneLine()).isEqualTo("450 4.7.1 <bad@example.com>: Sender address rejected: not sure");
        assertThat(v.decidedBy().action()).isEqualTo(Action.DEFER_IF_REJECT);
    }

    @Test
    void deferIfPermitDoesNotStopAnExplicitReject() throws Exception {
        Verdict v = verdict("DEFER_IF_PERMIT maybe", ", reject");
        assertThat(v.reply().oneLine()).isEqualTo("554 5.7.1 <x@example.net>: Recipient address rejected: Access denied");
    }

    @Test
    void tableValueListsAreParsedOnceAndCached() throws Exception {
        fx.file("access", "bad@example.com reject_unauth_destination, permit\n");
        fx.load("smtpd_relay_restrictions =\nsmtpd_recipient_restrictions = check_sender_access hash:access, reject\n");
        assertThat(fx.rcpt(Fixture.rcpt("bad@example.com", "x@elsewhere.example")).reply().oneLine())
                .isEqualTo("554 5.7.1 <x@elsewhere.example>: Relay access denied");
        assertThat(fx.rcpt(Fixture.rcpt("bad@example.com", "y@example.net")).accepted()).isTrue();
    }

    @Test
    void aLookupTableInsideAValueIsAConfigurationErrorWithPostfixsWarnings() throws Exception {
        Verdict v = verdict("check_client_access hash:other", "");
        assertThat(v.reply().oneLine()).isEqualTo("451 4.3.5 Server configuration error");
        assertThat(v.log()).filteredOn(LogEvent::warning).extracting(LogEvent::line).containsExactly(
                "warning: access table hash:access has entry with lookup table: check_client_access hash:other",
                "warning: do not specify lookup tables inside SMTPD access maps",
                "warning: define a restriction class and specify its name instead.");
    }
}
