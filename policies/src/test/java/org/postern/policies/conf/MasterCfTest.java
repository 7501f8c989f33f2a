// MasterCfTest: master.cf parsing into Services -- field syntax, host:port forms, maxproc, -o
// overrides (short and { long } forms) validated like main.cf, skipped and invalid services,
// each diagnostic with its master.cf:LINE, and Service.config() applying the overrides.
package org.postern.policies.conf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.postern.policies.conf.ConfFiles.failure;
import static org.postern.policies.conf.ConfFiles.masterCf;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.Origin;

class MasterCfTest {
    @TempDir
    Path dir;

    private Config load(String mainCf, String masterCf) throws ConfigException {
        return Config.load(ConfFiles.write(dir, mainCf, masterCf));
    }

    @Test
    void debianMasterCfGivesTheSmtpServiceAndAcceptsInternalServicesSilently() throws Exception {
        Config c = Config.load(ConfFiles.fixture("debian"));
        assertThat(c.services()).hasSize(1);
        Service smtp = c.services().get(0);
        assertThat(smtp.name()).isEqualTo("smtp");
        assertThat(smtp.host()).isNull();
        assertThat(smtp.port()).isEqualTo(25);
        assertThat(smtp.maxproc()).isEqualTo(100);
        assertThat(smtp.origin().toString()).endsWith("debian/master.cf:12");
        assertThat(c.warnings()).noneMatch(d -> d.origin().file().endsWith("master.cf"));
    }

    @Test
    void hostPortFormsAndPortNames() throws Exception {
        Config c = load("", """
                smtp       inet n - n - - smtpd
                submission inet n - n - - smtpd
                smtps      inet n - n - - smtpd
                submissions inet n - n - - smtpd
                2525       inet n - n - - smtpd
                127.0.0.1:10025 inet n - n - - smtpd
                [::1]:10026 inet n - n - - smtpd
                ::1:smtp   inet n - n - - smtpd
                localhost:submission inet n - n - - smtpd
                """);
        assertThat(c.services()).extracting(Service::name, Service::host, Service::port).containsExactly(
                tuple("smtp", null, 25), tuple("submission", null, 587), tuple("smtps", null, 465),
                tuple("submissions", null, 465), tuple("2525", null, 2525),
                tuple("127.0.0.1:10025", "127.0.0.1", 10025), tuple("[::1]:10026", "::1", 10026),
                tuple("::1:smtp", "::1", 25), tuple("localhost:submission", "localhost", 587));
        assertThat(c.services().get(5).origin()).isEqualTo(new Origin(dir.resolve("master.cf").toString(), 6));
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void maxprocDashIsDefaultProcessLimit() throws Exception {
        Config c = load("default_process_limit = 20\n", """
                smtp inet n - n - - smtpd
                2525 inet n - n - 0 smtpd
                2526 inet n - n - 5 smtpd
                """);
        assertThat(c.services()).extracting(Service::maxproc).containsExactly(20, 0, 5);
    }

    @Test
    void overridesShortAndLongFormsWithContinuationAndComments() throws Exception {
        Config c = load("mua_restrictions = permit_sasl_authenticated, reject\n", """
                # ==========================================================
                submission inet n       -       y       -       -       smtpd
                  -o syslog_name=postern/$service_name
                # -o smtpd_tls_security_level=none
                  -o smtpd_tls_security_level=encrypt
                  -o { smtpd_banner = $myhostname  ready for  submission }
                  -o smtpd_recipient_restrictions=$mua_restrictions
                  -o smtpd_client_restrictions=
                  -v { arg with spaces }
                """);
        Service s = c.services().get(0);
        assertThat(s.overrides()).containsExactly(
                Map.entry("syslog_name", "postern/$service_name"),
                Map.entry("smtpd_tls_security_level", "encrypt"),
                Map.entry("smtpd_banner", "$myhostname  ready for  submission"),
                Map.entry("smtpd_recipient_restrictions", "$mua_restrictions"),
                Map.entry("smtpd_client_restrictions", ""));
        assertThat(s.args()).containsExactly("-v", "arg with spaces");
        assertThat(c.warnings()).isEmpty();

        Config sc = s.config(c);
        assertThat(sc.get("syslog_name")).isEqualTo("postern/submission");
        assertThat(sc.get("smtpd_tls_security_level")).isEqualTo("encrypt");
        assertThat(sc.get("smtpd_banner")).isEqualTo(c.get("myhostname") + "  ready for  submission");
        assertThat(sc.getList("smtpd_recipient_restrictions")).containsExactly("permit_sasl_authenticated", "reject");
        assertThat(sc.originOf("smtpd_banner")).isEqualTo(s.origin());
        assertThat(sc.services()).isEqualTo(c.services());
        assertThat(c.get("smtpd_tls_security_level")).isEmpty();
    }

    @Test
    void otherInetCommandsAreSkippedWithAWarning() throws Exception {
        Config c = load("", "smtp inet n - y - 1 postscreen\nsmtpd pass - - y - - smtpd\n628 inet n - y - - qmqpd\n"
                + "2525 inet n - n - - smtpd\n");
        assertThat(c.services()).extracting(Service::name).containsExactly("2525");
        assertThat(c.warnings()).extracting(Diagnostic::toString).containsExactly(
                masterCf(dir, 1) + ": warning: inet service \"smtp\" runs \"postscreen\", which Postern does not support;"
                        + " service skipped",
                masterCf(dir, 3) + ": warning: inet service \"628\" runs \"qmqpd\", which Postern does not support;"
                        + " service skipped");
    }

    @Test
    void laterDefinitionOfTheSameServiceWins() throws Exception {
        Config c = load("", "smtp inet n - n - - smtpd\nsmtp inet n - n - 7 smtpd\n");
        assertThat(c.services()).extracting(Service::maxproc).containsExactly(7);
        assertThat(c.warnings()).extracting(Diagnostic::toString).containsExactly(masterCf(dir, 2)
                + ": warning: service \"smtp\" type inet is defined again; this definition replaces the one at "
                + masterCf(dir, 1));
    }

    @Test
    void malformedLinesAreErrorsAtTheirLine() {
        ConfigException e = failure(dir, "", """
                short inet n -
                foo inett n - n - - smtpd
                smtpx inet n - n - - smtpd
                70000 inet n - n - - smtpd
                bar inet - - n - - smtpd
                2525 inet n - n x y smtpd
                2526 inet n q n - - smtpd
                2527 inet n - n - - smtpd -o
                2528 inet n - n - - smtpd -o noequals
                2529 inet n - n - - smtpd { unbalanced
                """);
        assertThat(e.errors()).extracting(Diagnostic::toString).containsExactly(
                masterCf(dir, 1) + ": error: missing \"chroot\" field in service \"short\""
                        + " (expected: service type private unpriv chroot wakeup maxproc command [args])",
                masterCf(dir, 2) + ": error: bad service type \"inett\" in service \"foo\""
                        + " (expected inet, unix, unix-dgram, fifo or pass)",
                masterCf(dir, 3) + ": error: bad port \"smtpx\" in inet service \"smtpx\""
                        + " (expected 1-65535 or one of smtp, submission, smtps, submissions)",
                masterCf(dir, 4) + ": error: bad port \"70000\" in inet service \"70000\""
                        + " (expected 1-65535 or one of smtp, submission, smtps, submissions)",
                masterCf(dir, 5) + ": error: inet service \"bar\" cannot be private (set the private field to n)",
                masterCf(dir, 5) + ": error: bad port \"bar\" in inet service \"bar\""
                        + " (expected 1-65535 or one of smtp, submission, smtps, submissions)",
                masterCf(dir, 6) + ": error: bad wakeup field \"x\" in service \"2525\""
                        + " (expected -, seconds, or seconds followed by ?)",
                masterCf(dir, 6) + ": error: bad maxproc field \"y\" in service \"2525\""
                        + " (expected - or a number; 0 means no limit)",
                masterCf(dir, 7) + ": error: bad unpriv field \"q\" in service \"2526\" (expected y, n or -)",
                masterCf(dir, 8) + ": error: -o without name=value in service \"2527\"",
                masterCf(dir, 9) + ": error: missing '=' in -o \"noequals\" in service \"2528\"",
                masterCf(dir, 10) + ": error: unbalanced {} in \"2529 inet n - n - - smtpd { unbalanced\"");
    }

    @Test
    void overridesAreValidatedLikeMainCf() {
        ConfigException e = failure(dir, "", """
                smtp inet n - n - - smtpd
                submission inet n - n - - smtpd
                  -o smtpd_timout=5
                  -o smtpd_sasl_auth_enable=perhaps
                  -o milter_macro_daemon_name=ORIGINATING
                """);
        assertThat(e.diagnostics()).extracting(Diagnostic::toString).containsExactly(
                masterCf(dir, 2) + ": error: unknown parameter \"smtpd_timout\" in -o override;"
                        + " did you mean \"smtpd_timeout\"?",
                masterCf(dir, 2) + ": error: bad boolean value for smtpd_sasl_auth_enable: \"perhaps\" (use yes or no)",
                masterCf(dir, 2) + ": warning: parameter \"milter_macro_daemon_name\" in -o override"
                        + " is a Postfix parameter that Postern does not use; ignored");
    }

    @Test
    void userDefinedNameUsedOnlyInAnOverrideIsNotUnknown() throws Exception {
        Config c = load("submission_restrictions = permit_sasl_authenticated, reject\nunused = 1\n",
                "submission inet n - n - - smtpd -o smtpd_relay_restrictions=$submission_restrictions\n");
        assertThat(c.warnings()).extracting(Diagnostic::message).containsExactly("unknown parameter \"unused\"");
    }

    @Test
    void missingMasterCfGivesTheDefaultSmtpService() throws Exception {
        Config c = load("", null);
        assertThat(c.services()).containsExactly(new Service("smtp", null, 25, "smtpd", List.of(), Map.of(),
                Origin.builtin("default"), 100));
        assertThat(c.warnings()).extracting(Diagnostic::toString).containsExactly(dir.resolve("master.cf")
                + ": warning: file not found; using the default services \"smtp inet n - n - - smtpd\" and \"qmgr unix n - n 300 1 qmgr\"");
    }

    @Test
    void serviceConfigAppliesOverridesToTheMainSnapshot() throws Exception {
        Config c = load("smtpd_timeout = 120s\n", "127.0.0.1:10025 inet n - n - - smtpd -o smtpd_timeout=10s\n");
        Service reinject = c.services().get(0);
        assertThat(reinject.config(c).getTime("smtpd_timeout")).isEqualTo(Duration.ofSeconds(10));
        assertThat(reinject.config(c).get("service_name")).isEqualTo("127.0.0.1:10025");
        assertThat(c.getTime("smtpd_timeout")).isEqualTo(Duration.ofSeconds(120));
    }
}
