// PostconfIT: compares Config.get with the real Postfix 3.7 `postconf -c DIR -x -h NAME` on fixture
// directories (continuations, every expansion form, Postfix defaults, Debian's main.cf), so
// Postern reads an existing main.cf exactly as Postfix does. Skipped when postconf is absent.
package org.postern.policies.conf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PostconfIT {
    private static final Path POSTCONF = Path.of("/usr/sbin/postconf");

    /** Defaults where Postern deliberately differs from Postfix (see Parameters). */
    private static final Set<String> POSTERN_DEFAULTS = Set.of("mail_name", "mail_version", "queue_directory",
            "data_directory", "syslog_name", "mynetworks", "allow_percent_hack", "smtpd_tls_auth_only", "smtpd_relay_restrictions", "swap_bangpath",
            "smtpd_forbid_bare_newline", "smtpd_banner", "notify_classes", "mail_owner", "local_transport",
            "smtpd_per_request_deadline", // yes, not ${stress?{yes}:{no}}: Postern has no stress mode
            "local_recipient_maps", // no passwd or aliases: local users exist only when listed (Destinations)
            "smtpd_forbid_unauth_pipelining", // yes as in Postfix 3.9 (3.7: no)
            "smtpd_client_event_limit_exceptions", // $mynetworks, which is Postern's own (and Postfix's text is
                                                   // ${smtpd_client_connection_limit_exceptions:$mynetworks})
            // per-transport parameters: postconf knows them only for services its master.cf defines
            "smtp_destination_concurrency_limit", "smtp_destination_recipient_limit",
            "lmtp_destination_concurrency_limit", "lmtp_destination_recipient_limit");

    @BeforeAll
    static void requirePostconf() {
        assumeTrue(Files.isExecutable(POSTCONF), "Postfix's postconf is not installed at " + POSTCONF);
    }

    static Stream<Arguments> fixtures() {
        return Stream.of(
                Arguments.of("postconf/continuation", List.of("myhostname", "mydomain", "myorigin", "mydestination",
                        "relay_domains", "smtpd_banner", "smtpd_recipient_restrictions")),
                Arguments.of("postconf/expansion", List.of("myhostname", "mydomain", "myorigin", "mydestination",
                        "relay_domains", "smtpd_banner", "syslog_name", "smtpd_tls_cert_file", "smtpd_tls_key_file",
                        "mynetworks", "message_size_limit", "smtpd_timeout", "config_directory")),
                Arguments.of("debian", List.of("myhostname", "mydomain", "myorigin", "mydestination", "mynetworks",
                        "relay_domains", "smtpd_relay_restrictions", "smtputf8_enable")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void sameValuesAsPostconf(String fixture, List<String> names) throws Exception {
        Path dir = ConfFiles.fixture(fixture);
        Config config = Config.load(dir);
        SoftAssertions softly = new SoftAssertions();
        for (String name : names) {
            softly.assertThat(normalize(config.get(name))).as(fixture + ": " + name).isEqualTo(postconf(dir, name));
        }
        softly.assertAll();
    }

    /** Every declared Postfix parameter has Postfix's default, except the documented Postern ones. */
    @Test
    void defaultsAreThoseOfPostfix() throws Exception {
        Path dir = ConfFiles.fixture("postconf/defaults");
        Config config = Config.load(dir);
        List<String> shared = Parameters.all().stream().map(Parameter::name)
                .filter(n -> ParameterNames.postfixNames().contains(n) && !POSTERN_DEFAULTS.contains(n)).toList();
        assertThat(shared).contains("myhostname", "mydomain", "mydestination", "relay_domains",
                "smtpd_recipient_restrictions", "smtpd_timeout", "message_size_limit", "parent_domain_matches_subdomains");
        SoftAssertions softly = new SoftAssertions();
        for (String name : shared) {
            softly.assertThat(normalize(config.get(name))).as(name).isEqualTo(postconf(dir, name));
        }
        softly.assertAll();
        assertThat(postconf(dir, "mail_name")).isEqualTo("Postfix");
        assertThat(config.get("mail_name")).isEqualTo("Postern");
    }

    /** postconf -x -h NAME with -c DIR; its output collapses whitespace runs, so compare that way. */
    private static String postconf(Path dir, String name) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(POSTCONF.toString(), "-c", dir.toString(), "-x", "-h", name)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("postconf finished").isTrue();
        assertThat(p.exitValue()).as("postconf -c " + dir + " -x -h " + name + " exit status").isZero();
        return normalize(out);
    }

    private static String normalize(String value) {
        return value.strip().replaceAll("\\s+", " ");
    }
}
