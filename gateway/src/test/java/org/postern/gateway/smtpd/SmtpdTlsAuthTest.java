package org.postern.gateway.smtpd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.Envelope;
import org.postern.gateway.GatewayHarness;
import org.postern.gateway.queue.QueueFile;
import org.postern.gateway.sasl.PasswordFile;

/** STARTTLS, implicit TLS and AUTH against a real started gateway with a generated certificate. */
class SmtpdTlsAuthTest {
    @TempDir Path dir;

    private GatewayHarness start(String... overrides) throws Exception {
        PasswordFile.set(dir.resolve("sasl_passwd"), "alice@example.test", "correct horse".toCharArray());
        return GatewayHarness.start(dir, "smtpd_tls_security_level = may\nsmtpd_sasl_auth_enable = yes\n"
                + "smtpd_sasl_password_file = " + dir.resolve("sasl_passwd") + "\n", overrides);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void authIsOfferedOnlyAfterStarttlsThenRelaysForTheUser() throws Exception {
        try (GatewayHarness gw = start(); TlsTestClient c = TlsTestClient.plain(gw.port)) {
            assertThat(c.reply()).startsWith("220 ");
            String ehlo = c.command("EHLO client.test");
            assertThat(ehlo).contains("STARTTLS").doesNotContain("AUTH");
            assertThat(c.command("AUTH PLAIN " + b64("\0alice@example.test\0correct horse"))).startsWith("538 5.7.11");
            assertThat(c.command("STARTTLS")).startsWith("220 2.0.0");
            SSLSocket ssl = c.startTls();
            assertThat(ssl.getSession().getProtocol()).isIn("TLSv1.2", "TLSv1.3");
            ehlo = c.command("EHLO client.test");
            assertThat(ehlo).contains("AUTH PLAIN LOGIN").doesNotContain("STARTTLS");
            assertThat(c.command("AUTH PLAIN " + b64("\0alice@example.test\0wrong"))).startsWith("535 5.7.8");
            assertThat(c.command("AUTH PLAIN " + b64("\0alice@example.test\0correct horse"))).startsWith("235 2.7.0");
            assertThat(c.command("MAIL FROM:<alice@example.test>")).startsWith("250");
            assertThat(c.command("RCPT TO:<someone@elsewhere.test>")).startsWith("250"); // authenticated: may relay
            assertThat(c.command("DATA")).startsWith("354");
            assertThat(c.command("Subject: t\r\n\r\nhello\r\n.")).startsWith("250 2.0.0 Ok: queued as");
            List<QueueFile> q = gw.incomingMessages();
            Envelope env = q.get(0).envelope();
            assertThat(env.client().saslUsername()).isEqualTo("alice@example.test");
            assertThat(env.client().saslMethod()).isEqualTo("PLAIN");
            assertThat(env.client().protocol()).isEqualTo("ESMTPSA");
            assertThat(GatewayHarness.content(q.get(0))).contains("(using TLSv1.");
        }
    }

    @Test
    void starttlsWorksForEverySession() throws Exception {
        try (GatewayHarness gw = start()) {
            for (int i = 0; i < 6; i++) {
                try (TlsTestClient c = TlsTestClient.plain(gw.port)) {
                    c.reply();
                    c.command("EHLO x" + i);
                    assertThat(c.command("STARTTLS")).startsWith("220 2.0.0");
                    c.startTls();
                    assertThat(c.command("EHLO x")).startsWith("250-");
                }
            }
        }
    }

    /** Greeting, EHLO, STARTTLS, EHLO again and AUTH LOGIN: the server asks for the user name. */
    private static void authLoginStarted(TlsTestClient c) throws Exception {
        c.reply();
        c.command("EHLO x");
        c.command("STARTTLS");
        c.startTls();
        c.command("EHLO x");
        assertThat(c.command("AUTH LOGIN")).isEqualTo("334 VXNlcm5hbWU6");
    }

    @Test
    void authLoginDialogue() throws Exception {
        try (GatewayHarness gw = start(); TlsTestClient c = TlsTestClient.plain(gw.port)) {
            authLoginStarted(c);
            assertThat(c.command(b64("alice@example.test"))).isEqualTo("334 UGFzc3dvcmQ6");
            assertThat(c.command(b64("correct horse"))).startsWith("235");
            assertThat(c.command("AUTH LOGIN")).startsWith("503 5.5.1");
        }
    }

    /** A refused AUTH response line (bad UTF-8, NUL, too long) ends the exchange: the next line is a command. */
    @Test
    void aRefusedAuthResponseEndsTheExchange() throws Exception {
        try (GatewayHarness gw = start(); TlsTestClient c = TlsTestClient.plain(gw.port)) {
            authLoginStarted(c);
            assertThat(c.command("abc\u0000def")).startsWith("500 5.5.2");
            // before, this was taken as the base64 user name (and answered 334 or 535)
            assertThat(c.command("NOOP")).startsWith("250");
        }
    }

    @Test
    void commandsPipelinedWithStarttlsAreDiscarded() throws Exception {
        // with smtpd_forbid_unauth_pipelining = no; its default (yes) cuts the client off instead (below)
        try (GatewayHarness gw = start("smtpd_forbid_unauth_pipelining=no"); TlsTestClient c = TlsTestClient.plain(gw.port)) {
            c.reply();
            c.command("EHLO x");
            c.send("STARTTLS\r\nMAIL FROM:<injected@evil.test>\r\n");
            assertThat(c.reply()).startsWith("220 2.0.0");
            c.startTls();
            // If the injected MAIL had survived into the TLS session, this would be a nested MAIL (503).
            assertThat(c.command("EHLO x")).startsWith("250-mx.postern.test");
            assertThat(c.command("MAIL FROM:<a@sender.test>")).startsWith("250");
        }
    }

    @Test
    void commandsPipelinedWithStarttlsEndTheSessionByDefault() throws Exception {
        try (GatewayHarness gw = start(); TlsTestClient c = TlsTestClient.plain(gw.port)) {
            c.reply();
            c.command("EHLO x");
            c.send("STARTTLS\r\nMAIL FROM:<injected@evil.test>\r\n");
            assertThat(c.reply()).startsWith("554 5.5.0 Error: SMTP protocol synchronization");
        }
    }

    @Test
    void encryptLevelRequiresStarttlsBeforeMail() throws Exception {
        try (GatewayHarness gw = start("smtpd_tls_security_level=encrypt"); TlsTestClient c = TlsTestClient.plain(gw.port)) {
            c.reply();
            c.command("EHLO x");
            assertThat(c.command("MAIL FROM:<a@sender.test>")).startsWith("530 5.7.0");
        }
    }

    @Test
    void implicitTlsAndOldProtocolsRefused() throws Exception {
        try (GatewayHarness gw = start("smtpd_tls_wrappermode=yes")) {
            try (TlsTestClient c = TlsTestClient.implicit(gw.port)) {
                assertThat(c.reply()).startsWith("220 ");
                assertThat(c.command("EHLO x")).contains("AUTH PLAIN LOGIN").doesNotContain("STARTTLS");
            }
            assertThatThrownBy(() -> TlsTestClient.implicit(gw.port, "TLSv1.1").close()).isInstanceOf(Exception.class);
        }
        assertThat(Files.exists(dir.resolve("data/smtpd-selfsigned.crt"))).isTrue();
    }
}
