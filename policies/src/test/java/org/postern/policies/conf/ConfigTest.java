// ConfigTest: loading main.cf into a Config -- syntax (continuations, comments), typed getters,
// origins, diagnostics with file:line (malformed lines, bad values, typos, Postfix-only names),
// defaults, overrides, and a real Debian /etc/postfix configuration loading with warnings only.
package org.postern.policies.conf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.postern.policies.conf.ConfFiles.failure;
import static org.postern.policies.conf.ConfFiles.load;
import static org.postern.policies.conf.ConfFiles.mainCf;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.Origin;

class ConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaultsNeedNoFiles() {
        Config c = Config.defaults(dir);
        assertThat(c.configDir()).isEqualTo(dir);
        assertThat(c.get("mail_name")).isEqualTo("Postern");
        assertThat(c.get("smtpd_banner")).isEqualTo(c.get("myhostname") + " ESMTP Postern");
        assertThat(c.get("myhostname")).contains(".");
        assertThat(c.get("config_directory")).isEqualTo(dir.toString());
        assertThat(c.get("smtpd_sasl_password_file")).isEqualTo(dir + "/sasl_passwd");
        assertThat(c.get("queue_directory")).isEqualTo("/var/spool/postern");
        assertThat(c.getLong("message_size_limit")).isEqualTo(10_240_000L);
        assertThat(c.getInt("smtpd_recipient_limit")).isEqualTo(1000);
        assertThat(c.getTime("smtpd_timeout")).isEqualTo(Duration.ofSeconds(300));
        assertThat(c.getTime("smtpd_pregreet_wait")).isEqualTo(Duration.ofMillis(500));
        assertThat(c.getTime("smtpd_shutdown_timeout")).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.getBool("smtputf8_enable")).isTrue();
        assertThat(c.getBool("allow_percent_hack")).isFalse();
        assertThat(c.getBool("smtpd_forbid_bare_newline")).isTrue();
        assertThat(c.getList("smtpd_relay_restrictions"))
                .containsExactly("permit_mynetworks", "permit_sasl_authenticated", "reject_unauth_destination");
        assertThat(c.getList("smtpd_client_restrictions")).isEmpty();
        assertThat(c.get("smtpd_tls_key_file")).isEmpty();
        assertThat(c.isExplicit("mail_name")).isFalse();
        assertThat(c.originOf("mail_name")).isEqualTo(Origin.builtin("default"));
        assertThat(c.warnings()).isEmpty();
        assertThat(c.services()).containsExactly(new Service("smtp", null, 25, "smtpd", List.of(), Map.of(),
                Origin.builtin("default"), 100));
    }

    @Test
    void explicitValuesCarryTheirFileAndLine() throws Exception {
        Config c = load(dir, "# comment\n\nmessage_size_limit = 5000000\nsmtpd_timeout=60\n");
        assertThat(c.getLong("message_size_limit")).isEqualTo(5_000_000L);
        assertThat(c.getTime("smtpd_timeout")).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.isExplicit("message_size_limit")).isTrue();
        assertThat(c.originOf("message_size_limit")).isEqualTo(new Origin(dir.resolve("main.cf").toString(), 3));
        assertThat(c.originOf("smtpd_timeout").toString()).isEqualTo(mainCf(dir, 4));
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void continuationLinesCommentsAndHashInsideValues() throws Exception {
        Config c = load(dir, "smtpd_banner = one\n  two\n# comment between continuation lines\n\n"
                + "\tthree # four\nmail_name = x#y\n");
        assertThat(c.get("smtpd_banner")).isEqualTo("one  two\tthree # four");
        assertThat(c.get("mail_name")).isEqualTo("x#y");
        assertThat(c.originOf("mail_name").line()).isEqualTo(6);
    }

    @Test
    void crlfLineEndingsAndAByteOrderMarkAreAccepted() throws Exception {
        ConfFiles.write(dir, "\uFEFFmail_name = Gate\r\nsmtpd_banner = $mail_name\r\n   ready\r\n\r\n",
                "smtp inet n - n - - smtpd\r\n  -o syslog_name=gate\r\n");
        Config c = Config.load(dir);
        assertThat(c.get("mail_name")).isEqualTo("Gate");
        assertThat(c.get("smtpd_banner")).isEqualTo("Gate   ready");
        assertThat(c.services().get(0).overrides()).containsExactly(Map.entry("syslog_name", "gate"));
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void laterAssignmentWinsWithAWarning() throws Exception {
        Config c = load(dir, "mail_name = first\nmail_name = second\n");
        assertThat(c.get("mail_name")).isEqualTo("second");
        assertThat(c.originOf("mail_name").line()).isEqualTo(2);
        assertThat(c.warnings()).extracting(Diagnostic::toString)
                .containsExactly(mainCf(dir, 2) + ": warning: overriding earlier entry at line 1: mail_name=first");
    }

    @Test
    void timeUnits() throws Exception {
        Config c = load(dir, "smtpd_timeout = 2w\nsmtpd_error_sleep_time = 250ms\nsmtpd_pregreet_wait = 2\n"
                + "smtpd_shutdown_timeout = 3h\n");
        assertThat(c.getTime("smtpd_timeout")).isEqualTo(Duration.ofDays(14));
        assertThat(c.getTime("smtpd_error_sleep_time")).isEqualTo(Duration.ofMillis(250));
        assertThat(c.getTime("smtpd_pregreet_wait")).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.getTime("smtpd_shutdown_timeout")).isEqualTo(Duration.ofHours(3));
        assertThat(ValueSyntax.parseTime("5m", java.time.temporal.ChronoUnit.SECONDS)).isEqualTo(Duration.ofMinutes(5));
        assertThat(ValueSyntax.parseTime("1d", java.time.temporal.ChronoUnit.SECONDS)).isEqualTo(Duration.ofDays(1));
        assertThat(ValueSyntax.parseTime("7", java.time.temporal.ChronoUnit.DAYS)).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void booleansAcceptYesNoTrueFalseInAnyCase() throws Exception {
        Config c = load(dir, "smtpd_tls_auth_only = YES\nsmtpd_sasl_auth_enable = True\nsmtputf8_enable = No\n"
                + "swap_bangpath = false\n");
        assertThat(c.getBool("smtpd_tls_auth_only")).isTrue();
        assertThat(c.getBool("smtpd_sasl_auth_enable")).isTrue();
        assertThat(c.getBool("smtputf8_enable")).isFalse();
        assertThat(c.getBool("swap_bangpath")).isFalse();
    }

    @Test
    void listsSplitOnCommasAndWhitespaceKeepingBraceGroups() throws Exception {
        Config c = load(dir, "smtpd_recipient_restrictions = permit_mynetworks,, reject_unauth_destination\n"
                + "   check_policy_service { inet:127.0.0.1:10040, timeout=10s },reject\n");
        assertThat(c.getList("smtpd_recipient_restrictions")).containsExactly("permit_mynetworks",
                "reject_unauth_destination", "check_policy_service", "{ inet:127.0.0.1:10040, timeout=10s }", "reject");
    }

    @Test
    void gettersRejectUndeclaredNamesAndWrongTypes() {
        Config c = Config.defaults(dir);
        assertThatThrownBy(() -> c.get("biff")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("biff");
        assertThatThrownBy(() -> c.originOf("nosuch")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.getBool("message_size_limit")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parameter message_size_limit is LONG, not BOOL");
        assertThatThrownBy(() -> c.getInt("message_size_limit")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.getTime("smtpd_recipient_limit")).isInstanceOf(IllegalArgumentException.class);
        assertThat(c.getLong("smtpd_recipient_limit")).isEqualTo(1000L);
    }

    @Test
    void malformedLinesAreErrorsAllReportedAtOnce() {
        ConfigException e = failure(dir, "  leading = x\nmail_name = ok\nfoo bar = x\n= value\nnoequals\n",
                ConfFiles.SMTP_ONLY);
        assertThat(e.diagnostics()).extracting(Diagnostic::toString).containsExactly(
                mainCf(dir, 1) + ": error: logical line must not start with whitespace: \"  leading = x\"",
                mainCf(dir, 3) + ": error: missing '=' after attribute name \"foo\": \"foo bar = x\"",
                mainCf(dir, 4) + ": error: missing attribute name: \"= value\"",
                mainCf(dir, 5) + ": error: missing '=' after attribute name \"noequals\": \"noequals\"");
        assertThat(e.getMessage()).isEqualTo(String.join("\n",
                e.diagnostics().stream().map(Diagnostic::toString).toList()));
    }

    @Test
    void badTypedValuesAreErrorsNamingTheToken() {
        ConfigException e = failure(dir, "message_size_limit = 10x\nsmtpd_tls_auth_only = maybe\n"
                + "smtpd_timeout = 5q\nsmtpd_recipient_limit = 99999999999\nsmtpd_tls_security_level = mayy\n"
                + "smtpd_soft_error_limit =\n", ConfFiles.SMTP_ONLY);
        assertThat(e.errors()).extracting(Diagnostic::toString).containsExactly(
                mainCf(dir, 1) + ": error: bad numerical value for message_size_limit: \"10x\" (use a decimal number)",
                mainCf(dir, 2) + ": error: bad boolean value for smtpd_tls_auth_only: \"maybe\" (use yes or no)",
                mainCf(dir, 3) + ": error: bad time value for smtpd_timeout: \"5q\" (unknown unit \"q\"; use ms, s, m, h, d or w)",
                mainCf(dir, 4) + ": error: bad numerical value for smtpd_recipient_limit: \"99999999999\" (larger than 2147483647)",
                mainCf(dir, 5) + ": error: bad value for smtpd_tls_security_level: \"mayy\" (expected empty, none, may or encrypt)",
                mainCf(dir, 6) + ": error: bad numerical value for smtpd_soft_error_limit: \"\" (use a decimal number)");
    }

    @Test
    void typoGetsADidYouMean() throws Exception {
        Config c = load(dir, "mesage_size_limit = 5\nsmtpd_tiemout = 10s\nxyzzy = 1\n");
        assertThat(c.warnings()).extracting(Diagnostic::toString).containsExactly(
                mainCf(dir, 1) + ": warning: unknown parameter \"mesage_size_limit\"; did you mean \"message_size_limit\"?",
                mainCf(dir, 2) + ": warning: unknown parameter \"smtpd_tiemout\"; did you mean \"smtpd_timeout\"?",
                mainCf(dir, 3) + ": warning: unknown parameter \"xyzzy\"");
        assertThat(c.getLong("message_size_limit")).isEqualTo(10_240_000L);
    }

    @Test
    void postfixOnlyParametersAreIgnoredWithAWarning() throws Exception {
        Config c = load(dir, "biff = no\nalias_maps = hash:/etc/aliases\nsmtpd_restriction_classes = mua\n"
                + "mua = permit_sasl_authenticated, reject\n");
        assertThat(c.warnings()).extracting(Diagnostic::toString).containsExactly(
                mainCf(dir, 1) + ": warning: parameter \"biff\" is a Postfix parameter that Postern does not use; ignored",
                mainCf(dir, 2) + ": warning: parameter \"alias_maps\" is a Postfix parameter that Postern does not use; ignored");
    }

    @Test
    void perTransportParametersOfMasterCfServicesArePostfixParameters() throws Exception {
        ConfFiles.write(dir, "maildrop_destination_recipient_limit = 1\nmaildrop_bogus = 1\n",
                "smtp inet n - n - - smtpd\nmaildrop unix - n n - - pipe flags=DRXhu user=vmail argv=/usr/bin/maildrop\n");
        assertThat(Config.load(dir).warnings()).extracting(Diagnostic::message).containsExactly(
                "parameter \"maildrop_destination_recipient_limit\" is a Postfix parameter that Postern does not use; ignored",
                "unknown parameter \"maildrop_bogus\"");
    }

    @Test
    void missingMainCfMeansDefaultsWithAWarning() throws Exception {
        ConfFiles.write(dir, null, ConfFiles.SMTP_ONLY);
        Config c = Config.load(dir);
        assertThat(c.warnings()).extracting(Diagnostic::toString).containsExactly(
                dir.resolve("main.cf") + ": warning: file not found; using built-in defaults for every parameter");
        assertThat(c.get("mail_name")).isEqualTo("Postern");
    }

    // Found by ConfigFuzzTest: a "did you mean" for each of 20,000 unknown names took minutes.
    @Test
    void manyUnknownNamesLoadQuicklyAndOnlyTheFirstGetSuggestions() {
        StringBuilder cf = new StringBuilder();
        for (int i = 0; i < 20_000; i++) cf.append("mesage_size_limit").append(i).append(" = 1\n");
        cf.append("smtpd_tiemout = 10s\n");
        Config c = assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> load(dir, cf.toString()));
        assertThat(c.warnings()).hasSize(20_001);
        assertThat(c.warnings().get(0).message()).isEqualTo(
                "unknown parameter \"mesage_size_limit0\"; did you mean \"message_size_limit\"?");
        assertThat(c.warnings().get(20_000).message()).isEqualTo("unknown parameter \"smtpd_tiemout\"");
    }

    // Found by TablesFuzzTest (the same code in Tables): the exception's class name leaked into the message.
    @Test
    void unreadableMainCfIsAnErrorInWords() throws Exception {
        java.nio.file.Files.createDirectory(dir.resolve("main.cf"));
        ConfFiles.write(dir, null, ConfFiles.SMTP_ONLY);
        assertThatThrownBy(() -> Config.load(dir)).isInstanceOf(ConfigException.class)
                .hasMessage(dir.resolve("main.cf") + ": error: cannot read: Is a directory");
    }

    @Test
    void missingDirectoryIsAnError() {
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> Config.load(missing)).isInstanceOf(ConfigException.class)
                .hasMessage(missing + ": error: configuration directory not found");
    }

    @Test
    void listParametersAreParsedAtLoad() throws Exception {
        Config c = load(dir, "mynetworks = !10.1.0.0/16, 10.0.0.0/8 [2001:db8::]/32\n"
                + "mydestination = example.com\nrelay_domains = example.org\n");
        assertThat(c.mynetworks().contains(java.net.InetAddress.getByName("10.2.3.4"))).isTrue();
        assertThat(c.mynetworks().contains(java.net.InetAddress.getByName("10.1.3.4"))).isFalse();
        assertThat(c.mydestination().matches("EXAMPLE.com.")).isTrue();
        assertThat(c.mydestination().matches("sub.example.com")).isFalse();
        assertThat(c.relayDomains().matches("sub.example.org")).isTrue();
        Config noParent = load(dir, "relay_domains = example.org\nparent_domain_matches_subdomains =\n");
        assertThat(noParent.relayDomains().matches("sub.example.org")).isFalse();
        assertThat(Config.defaults(dir).mynetworks().contains(java.net.InetAddress.getByName("::1"))).isTrue();
    }

    @Test
    void badListEntriesAreErrorsAtTheirLine() {
        ConfigException e = failure(dir, "mynetworks = 10.1.2.3/8\nrelay_domains = hash:/etc/postfix/relay\n",
                ConfFiles.SMTP_ONLY);
        assertThat(e.errors()).extracting(Diagnostic::toString).containsExactly(
                mainCf(dir, 1) + ": error: mynetworks: non-null host address bits in \"10.1.2.3/8\","
                        + " perhaps you should use \"10.0.0.0/8\" instead",
                mainCf(dir, 2) + ": error: relay_domains: \"hash:/etc/postfix/relay\": lookup tables are not supported yet");
    }

    @Test
    void withOverridesValidatesLikeMainCf() throws Exception {
        Config main = load(dir, "mail_name = Gate\n");
        Origin o = new Origin("/etc/postern/master.cf", 7);
        Config derived = main.withOverrides(Map.of("smtpd_timeout", "20s", "syslog_facility", "local1"), o);
        assertThat(derived.getTime("smtpd_timeout")).isEqualTo(Duration.ofSeconds(20));
        assertThat(derived.originOf("smtpd_timeout")).isEqualTo(o);
        assertThat(derived.isExplicit("syslog_facility")).isTrue();
        assertThat(derived.get("mail_name")).isEqualTo("Gate");
        assertThat(derived.warnings()).isEmpty();
        assertThat(main.getTime("smtpd_timeout")).isEqualTo(Duration.ofSeconds(300));

        assertThatThrownBy(() -> main.withOverrides(Map.of("smtpd_timout", "5"), o))
                .isInstanceOf(ConfigException.class)
                .hasMessage("/etc/postern/master.cf:7: error: unknown parameter \"smtpd_timout\" in -o override;"
                        + " did you mean \"smtpd_timeout\"?");
        assertThatThrownBy(() -> main.withOverrides(Map.of("smtpd_timeout", "soon")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("builtin:override: error: bad time value for smtpd_timeout: \"soon\""
                        + " (use a number with an optional unit: ms, s, m, h, d or w)");
        Config postfixOnly = main.withOverrides(Map.of("milter_macro_daemon_name", "ORIGINATING"), o);
        assertThat(postfixOnly.warnings()).extracting(Diagnostic::toString).containsExactly(
                "/etc/postern/master.cf:7: warning: parameter \"milter_macro_daemon_name\" in -o override"
                        + " is a Postfix parameter that Postern does not use; ignored");
    }

    @Test
    void debianPostfixConfigurationLoadsWithWarningsOnly() throws Exception {
        Path debian = ConfFiles.fixture("debian");
        Config c = Config.load(debian);
        assertThat(c.warnings()).allMatch(d -> !d.isError());
        assertThat(c.warnings()).extracting(Diagnostic::message).allMatch(m -> m.endsWith(
                "is a Postfix parameter that Postern does not use; ignored"));
        assertThat(c.warnings()).hasSize(8); // Debian's recipient_delimiter, relayhost and append_dot_mydomain are parameters Postern reads
        assertThat(c.warnings().get(0).toString()).isEqualTo(debian.resolve("main.cf") + ":10: warning: parameter"
                + " \"biff\" is a Postfix parameter that Postern does not use; ignored");
        assertThat(c.get("myhostname")).isEqualTo("vm");
        assertThat(c.get("smtpd_banner")).isEqualTo("vm ESMTP Postern (Debian/GNU)");
        assertThat(c.getList("mydestination")).containsExactly("vm", "vm", "localhost.localdomain", "localhost");
        assertThat(c.mynetworks().contains(java.net.InetAddress.getByName("127.0.0.2"))).isTrue();
        assertThat(c.services()).extracting(Service::name, Service::port).containsExactly(
                org.assertj.core.groups.Tuple.tuple("smtp", 25));
    }

    @Test
    void diagnosticFormat() {
        assertThat(Diagnostic.warning(new Origin("/etc/postern/main.cf", 3), "w").toString())
                .isEqualTo("/etc/postern/main.cf:3: warning: w");
        assertThat(Diagnostic.error(new Origin("/etc/postern/master.cf", 12), "e").toString())
                .isEqualTo("/etc/postern/master.cf:12: error: e");
    }
}
