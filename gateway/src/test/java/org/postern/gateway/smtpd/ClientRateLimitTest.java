// ClientRateLimitTest: smtpd_client_{connection,message,recipient,auth}_rate_limit against a started gateway
// -- the command over the limit gets Postfix's reply (421 for connections, 450 4.7.1 for the rest) and
// warning, counts carry across sessions, and smtpd_client_event_limit_exceptions ($mynetworks) are exempt.
package org.postern.gateway.smtpd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.gateway.GatewayHarness;
import org.postern.gateway.LogCapture;
import org.postern.gateway.sasl.PasswordFile;
import org.postern.testkit.RawSmtpClient;
import org.postern.testkit.RawSmtpClient.Reply;

class ClientRateLimitTest {
    /** A client outside the harness's mynetworks (127.0.0.1/32). */
    private static final String OUTSIDER = "127.0.0.2";
    private static final Duration READ = Duration.ofSeconds(10);

    @TempDir Path dir;

    private static RawSmtpClient greeted(GatewayHarness gw, String from) throws Exception {
        RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", gw.port, READ, from);
        assertThat(c.readReply().code()).isEqualTo(220);
        assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
        return c;
    }

    @Test
    void aConnectionOverTheRateGets421AndTheWarning() throws Exception {
        try (LogCapture log = LogCapture.of("postern.smtpd");
             GatewayHarness gw = GatewayHarness.start(dir, "smtpd_client_connection_rate_limit = 2\n")) {
            for (int i = 0; i < 2; i++) {
                try (RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", gw.port, READ, OUTSIDER)) {
                    assertThat(c.readReply().code()).isEqualTo(220);
                }
            }
            try (RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", gw.port, READ, OUTSIDER)) {
                Reply r = c.readReply();
                assertThat(r.code()).isEqualTo(421);
                assertThat(r.text()).isEqualTo("4.7.0 mx.postern.test Error: too many connections from 127.0.0.2");
                assertThat(c.awaitClose(Duration.ofSeconds(5))).isTrue();
            }
            assertThat(log.count("Connection rate limit exceeded: 3 from localhost[127.0.0.2] for service")).isEqualTo(1);
            try (RawSmtpClient trusted = RawSmtpClient.connect("127.0.0.1", gw.port, READ)) {
                assertThat(trusted.readReply().code()).isEqualTo(220); // mynetworks is exempt
            }
        }
    }

    @Test
    void mailOverTheRateGets450AcrossSessions() throws Exception {
        try (LogCapture log = LogCapture.of("postern.smtpd");
             GatewayHarness gw = GatewayHarness.start(dir, "smtpd_client_message_rate_limit = 2\n")) {
            try (RawSmtpClient c = greeted(gw, OUTSIDER)) {
                assertThat(c.command("MAIL FROM:<a@sender.test>").code()).isEqualTo(250);
                assertThat(c.command("RSET").code()).isEqualTo(250);
            }
            try (RawSmtpClient c = greeted(gw, OUTSIDER)) {
                assertThat(c.command("MAIL FROM:<a@sender.test>").code()).isEqualTo(250);
                assertThat(c.command("RSET").code()).isEqualTo(250);
                Reply r = c.command("MAIL FROM:<a@sender.test>");
                assertThat(r.code()).isEqualTo(450);
                assertThat(r.text()).isEqualTo("4.7.1 Error: too much mail from 127.0.0.2");
                assertThat(c.command("RCPT TO:<user@example.test>").code()).isEqualTo(503); // no transaction began
            }
            assertThat(log.count("Message delivery request rate limit exceeded: 3 from unknown[127.0.0.2] for service")).isEqualTo(1);
            try (RawSmtpClient trusted = greeted(gw, "127.0.0.1")) {
                for (int i = 0; i < 4; i++) {
                    assertThat(trusted.command("MAIL FROM:<a@sender.test>").code()).isEqualTo(250);
                    assertThat(trusted.command("RSET").code()).isEqualTo(250);
                }
            }
        }
    }

    @Test
    void recipientsOverTheRateGet450() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir, "smtpd_client_recipient_rate_limit = 3\n");
             RawSmtpClient c = greeted(gw, OUTSIDER)) {
            assertThat(c.command("MAIL FROM:<a@sender.test>").code()).isEqualTo(250);
            for (int i = 0; i < 3; i++) assertThat(c.command("RCPT TO:<u" + i + "@example.test>").code()).isEqualTo(250);
            Reply r = c.command("RCPT TO:<u3@example.test>");
            assertThat(r.code()).isEqualTo(450);
            assertThat(r.text()).isEqualTo("4.7.1 Error: too many recipients from 127.0.0.2");
            assertThat(c.command("DATA").code()).isEqualTo(354); // the three accepted ones still make a message
        }
    }

    @Test
    void authOverTheRateGets450BeforeThePasswordIsTried() throws Exception {
        PasswordFile.set(dir.resolve("sasl_passwd"), "alice@example.test", "correct horse".toCharArray());
        String wrong = Base64.getEncoder().encodeToString("\0alice@example.test\0guess".getBytes(StandardCharsets.UTF_8));
        String right = Base64.getEncoder().encodeToString("\0alice@example.test\0correct horse".getBytes(StandardCharsets.UTF_8));
        try (LogCapture log = LogCapture.of("postern.smtpd");
             GatewayHarness gw = GatewayHarness.start(dir, "smtpd_sasl_auth_enable = yes\nsmtpd_tls_auth_only = no\n"
                     + "smtpd_sasl_password_file = " + dir.resolve("sasl_passwd") + "\nsmtpd_client_auth_rate_limit = 2\n");
             RawSmtpClient c = greeted(gw, OUTSIDER)) {
            assertThat(c.command("AUTH PLAIN " + wrong).code()).isEqualTo(535);
            assertThat(c.command("AUTH PLAIN " + wrong).code()).isEqualTo(535);
            Reply r = c.command("AUTH PLAIN " + right); // even the right password: the guessing is cut off
            assertThat(r.code()).isEqualTo(450);
            assertThat(r.text()).isEqualTo("4.7.1 Error: too many AUTH commands from 127.0.0.2");
            assertThat(log.count("AUTH command rate limit exceeded: 3 from unknown[127.0.0.2] for service")).isEqualTo(1);
        }
    }

    @Test
    void eventLimitExceptionsAreExemptFromEveryLimit() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir, "smtpd_client_connection_rate_limit = 1\n"
                + "smtpd_client_message_rate_limit = 1\nsmtpd_client_connection_count_limit = 1\n"
                + "smtpd_client_event_limit_exceptions = $mynetworks, 127.0.0.2/32\n");
             RawSmtpClient a = greeted(gw, OUTSIDER); RawSmtpClient b = greeted(gw, OUTSIDER)) {
            for (RawSmtpClient c : new RawSmtpClient[] {a, b, a}) {
                assertThat(c.command("MAIL FROM:<a@sender.test>").code()).isEqualTo(250);
                assertThat(c.command("RSET").code()).isEqualTo(250);
            }
            try (RawSmtpClient other = RawSmtpClient.connect("127.0.0.1", gw.port, READ, "127.0.0.3");
                 RawSmtpClient again = RawSmtpClient.connect("127.0.0.1", gw.port, READ, "127.0.0.3")) {
                assertThat(other.readReply().code()).isEqualTo(220);
                assertThat(again.readReply().code()).isEqualTo(421); // not listed: limited
            }
        }
    }
}
