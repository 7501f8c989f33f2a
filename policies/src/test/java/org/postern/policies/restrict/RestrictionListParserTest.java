// RestrictionListParserTest: load errors name main.cf:line and the offending token (unknown names
// with "did you mean", missing or bad arguments, restrictions a list cannot use, Postfix-only
// restrictions, class problems, the relay requirement), and load warnings for unreachable restrictions.
package org.postern.policies.restrict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.Diagnostic;

class RestrictionListParserTest {
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

    /** main.cf line 6 is the first line after the fixture's five. */
    private String at(int line) {
        return dir.resolve("main.cf") + ":" + line + ": error: ";
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of("smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destinaton",
                        "smtpd_recipient_restrictions: unknown restriction \"reject_unauth_destinaton\";"
                                + " did you mean \"reject_unauth_destination\"?"),
                Arguments.of("smtpd_client_restrictions = frobnicate",
                        "smtpd_client_restrictions: unknown restriction \"frobnicate\""),
                Arguments.of("smtpd_client_restrictions = check_client_access",
                        "smtpd_client_restrictions: restriction \"check_client_access\" needs maptype:mapname"),
                Arguments.of("smtpd_client_restrictions = check_client_access, permit",
                        "smtpd_client_restrictions: restriction \"check_client_access\": bad argument \"permit\": need maptype:mapname"),
                Arguments.of("smtpd_client_restrictions = reject_rbl_client",
                        "smtpd_client_restrictions: restriction \"reject_rbl_client\" needs a DNS list domain (domain or domain=d.d.d.d)"),
                Arguments.of("smtpd_client_restrictions = reject_rbl_client zen.example=127.0.0.[2..300]",
                        "smtpd_client_restrictions: reject_rbl_client zen.example=127.0.0.[2..300]: bad DNSBL reply filter"),
                Arguments.of("smtpd_client_restrictions = sleep soon",
                        "smtpd_client_restrictions: restriction \"sleep\": bad argument \"soon\": need a number of seconds"),
                Arguments.of("smtpd_client_restrictions = check_policy_service 127.0.0.1",
                        "smtpd_client_restrictions: restriction \"check_policy_service\": bad argument \"127.0.0.1\""),
                Arguments.of("smtpd_client_restrictions = check_policy_service { inet:127.0.0.1:9, tiemout=1s }",
                        "check_policy_service: policy service \"inet:127.0.0.1:9\": unknown attribute \"tiemout\""),
                // found while fuzzing: Character.isDigit took the Arabic-Indic 3 for a digit
                Arguments.of("smtpd_client_restrictions = check_policy_service { inet:127.0.0.1:9, timeout=\u0663s }",
                        "check_policy_service: bad time value for timeout: \"\u0663s\""),
                Arguments.of("smtpd_client_restrictions = check_policy_service tcp:127.0.0.1:9",
                        "check_policy_service: bad policy service \"tcp:127.0.0.1:9\": expected inet:host:port or unix:/path"),
                Arguments.of("smtpd_client_restrictions = check_client_access hash:missing",
                        "hash:missing: cannot open"),
                Arguments.of("smtpd_client_restrictions = warn_if_reject",
                        "smtpd_client_restrictions: \"warn_if_reject\" at the end of the list"),
                Arguments.of("smtpd_client_restrictions = check_client_mx_access hash:x",
                        "smtpd_client_restrictions: restriction \"check_client_mx_access\" is a Postfix restriction that Postern"
                                + " does not support (DNS-server access checks are not implemented)"),
                Arguments.of("smtpd_data_restrictions = hash:access",
                        "smtpd_data_restrictions: specify one of (check_client_access, check_reverse_client_hostname_access,"
                                + " check_helo_access, check_sender_access, check_recipient_access) before Data command"
                                + " restriction \"hash:access\""),
                Arguments.of("smtpd_delay_reject = no\nsmtpd_client_restrictions = reject_non_fqdn_sender",
                        "smtpd_client_restrictions: restriction \"reject_non_fqdn_sender\" needs the sender address, which is"
                                + " not known when smtpd_client_restrictions runs (at CONNECT, because smtpd_delay_reject = no)"),
                Arguments.of("smtpd_delay_reject = no\nsmtpd_helo_restrictions = check_recipient_access hash:access",
                        "smtpd_helo_restrictions: restriction \"check_recipient_access\" needs the recipient address, which is"
                                + " not known when smtpd_helo_restrictions runs (at EHLO, because smtpd_delay_reject = no)"),
                Arguments.of("smtpd_sender_restrictions = reject_sender_login_mismatch",
                        "smtpd_sender_restrictions: restriction \"reject_sender_login_mismatch\""
                                + " needs smtpd_sender_login_maps, which is empty"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void loadErrorsNameTheLineAndTheToken(String mainCf, String message) {
        fx.file("access", "x OK\n");
        ConfigException e = fx.failure(mainCf + "\n");
        int line = 6 + (int) mainCf.chars().filter(c -> c == '\n').count();
        assertThat(e.errors()).extracting(Diagnostic::toString).anySatisfy(d -> assertThat(d).startsWith(at(line)).contains(message));
    }

    @Test
    void everyBadTokenIsReportedInOnePass() {
        ConfigException e = fx.failure("smtpd_client_restrictions = bogus1, permit_mynetworks, bogus2\n"
                + "smtpd_helo_restrictions = bogus3\n");
        assertThat(e.errors()).hasSize(3);
        assertThat(e.errors()).extracting(d -> d.origin().line()).containsExactly(6, 6, 7);
    }

    @Test
    void tokenSplittingFollowsPostfix() throws Exception {
        fx.file("access", "x OK\n");
        fx.load("smtpd_client_restrictions = permit_mynetworks,check_client_access   hash:access,\n"
                + "   check_policy_service { inet:127.0.0.1:10040, timeout=10s }, reject_rbl_client zen.example , REJECT\n");
        assertThat(fx.restrictions.list("smtpd_client_restrictions").restrictions()).extracting(Restriction::name)
                .containsExactly("permit_mynetworks", "check_client_access hash:access",
                        "check_policy_service { inet:127.0.0.1:10040, timeout=10s }", "reject_rbl_client zen.example", "REJECT");
    }

    @Test
    void aBareTableIsTheListsOwnAccessCheck() throws Exception {
        fx.file("access", "x OK\n");
        fx.load("smtpd_helo_restrictions = hash:access\nsmtpd_recipient_restrictions = hash:access, reject\n");
        assertThat(fx.restrictions.list("smtpd_helo_restrictions").restrictions()).extracting(Restriction::name)
                .containsExactly("check_helo_access hash:access");
        assertThat(fx.restrictions.list("smtpd_recipient_restrictions").restrictions().get(0).name())
                .isEqualTo("check_recipient_access hash:access");
    }

    @Test
    void aClassNeedsADefinition() {
        ConfigException e = fx.failure("smtpd_restriction_classes = strict\n");
        assertThat(e.errors()).extracting(Diagnostic::toString)
                .containsExactly(at(6) + "restriction class `strict' needs a definition");
    }

    @Test
    void classLoopsAreLoadErrors() {
        ConfigException e = fx.failure("smtpd_restriction_classes = a, b\na = permit_mynetworks, b\nb = a\n"
                + "smtpd_client_restrictions = a\n");
        assertThat(e.errors()).extracting(Diagnostic::message)
                .anySatisfy(m -> assertThat(m).contains("restriction class \"a\" refers to itself: a -> b -> a"));
    }

    @Test
    void errorsInAClassNameTheClassLine() {
        ConfigException e = fx.failure("smtpd_restriction_classes = strict\nstrict = reject_unknwon_sender_domain\n"
                + "smtpd_sender_restrictions = strict\n");
        assertThat(e.errors()).extracting(Diagnostic::toString).containsExactly(at(7) + "restriction class strict:"
                + " unknown restriction \"reject_unknwon_sender_domain\"; did you mean \"reject_unknown_sender_domain\"?");
    }

    @Test
    void classDefinitionsExpandParameters() throws Exception {
        fx.load("smtpd_restriction_classes = strict\nmy_list = reject_non_fqdn_sender\nstrict = $my_list, ${my_list}\n"
                + "smtpd_sender_restrictions = strict\n");
        Restriction cls = fx.restrictions.list("smtpd_sender_restrictions").restrictions().get(0);
        assertThat(((RestrictionClasses.ClassRestriction) cls).list().restrictions()).extracting(Restriction::name)
                .containsExactly("reject_non_fqdn_sender", "reject_non_fqdn_sender");
    }

    // Found by SmtpdRestrictionsFuzzTest: macros repeating macros were re-expanded at every use (10^9 times).
    @Test
    void classMacrosAreExpandedOnceAndBounded() throws Exception {
        StringBuilder cf = new StringBuilder("smtpd_restriction_classes = fan\nsmtpd_recipient_restrictions = fan, reject\n"
                + "fan = $m0\n");
        for (int i = 0; i < 9; i++) cf.append("m").append(i).append(" = ").append(("$m" + (i + 1) + " ").repeat(10)).append('\n');
        cf.append("m9 = permit_mynetworks\n");
        ConfigException e = assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> fx.failure(cf.toString()));
        assertThat(e.errors()).extracting(Diagnostic::toString).containsExactly(at(8)
                + "restriction class definition expands to more than 1000000 characters");
        fx.load("smtpd_restriction_classes = c\nc = $a $a, ${a}\na = $b\nb = permit_mynetworks\n"
                + "smtpd_recipient_restrictions = c, reject\n");
        Restriction c = fx.restrictions.list("smtpd_recipient_restrictions").restrictions().get(0);
        assertThat(((RestrictionClasses.ClassRestriction) c).list().restrictions()).extracting(Restriction::name)
                .containsExactly("permit_mynetworks", "permit_mynetworks", "permit_mynetworks");
    }

    @Test
    void aMacroLoopInAClassIsAnErrorAtTheClassLine() {
        ConfigException e = fx.failure("smtpd_restriction_classes = c\nc = $a\na = $b\nb = $a\n"
                + "smtpd_recipient_restrictions = c, reject\n");
        assertThat(e.errors()).extracting(Diagnostic::toString)
                .containsExactly(at(7) + "restriction class definition nests $names too deep");
    }

    @Test
    void relayOrRecipientRestrictionsMustBeAbleToRefuseRelaying() {
        ConfigException e = fx.failure("smtpd_relay_restrictions = permit_mynetworks, permit_auth_destination\n");
        assertThat(e.errors()).extracting(Diagnostic::toString).containsExactly(at(6) + "in parameter smtpd_relay_restrictions"
                + " or smtpd_recipient_restrictions, specify at least one working instance of: reject_unauth_destination,"
                + " defer_unauth_destination, reject, defer or defer_if_permit");
        // a permit before the refusal does not count, as in Postfix's has_required()
        assertThat(fx.failure("smtpd_relay_restrictions = permit, reject\n").errors()).hasSize(1);
    }

    @Test
    void aRefusalInsideAClassCounts() throws Exception {
        fx.load("smtpd_restriction_classes = relay_ctl\nrelay_ctl = permit_mynetworks, reject_unauth_destination\n"
                + "smtpd_relay_restrictions = relay_ctl\n");
        assertThat(fx.restrictions.warnings()).isEmpty();
    }

    @Test
    void unreachableRestrictionsAreLoadWarnings() throws Exception {
        fx.load("smtpd_client_restrictions = permit, reject_rbl_client zen.example\n"
                + "smtpd_helo_restrictions = warn_if_reject reject, permit\n");
        assertThat(fx.restrictions.warnings()).extracting(Diagnostic::toString).containsExactly(
                dir.resolve("main.cf") + ":6: warning: smtpd_client_restrictions: restriction `reject_rbl_client zen.example'"
                        + " after `permit' is ignored");
    }

    @Test
    void keywordsAreCaseInsensitive() throws Exception {
        fx.load("smtpd_relay_restrictions = permit\nsmtpd_recipient_restrictions = Permit_MyNetworks, REJECT_UNAUTH_DESTINATION\n");
        assertThat(fx.rcpt(Fixture.rcpt("s@example.com", "x@elsewhere.example")).reply().code()).isEqualTo(554);
    }
}
