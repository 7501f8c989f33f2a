// DestinationTest: transport_maps next-hop forms (smtp:[host]:port, host, lmtp:unix:/path, inet:,
// IPv6 literals), TLS level names, and that SASL passwords never show in toString.
package org.postern.gateway.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.postern.core.SmtpReply;
import org.postern.gateway.smtp.Destination.Protocol;
import org.postern.gateway.smtp.Destination.TlsPolicy;

class DestinationTest {
    @Test
    void nextHopForms() {
        assertThat(Destination.parse("smtp", "[mail.example.test]:587")).isEqualTo(Destination.smtp("mail.example.test", 587));
        assertThat(Destination.parse("smtp", "mail.example.test")).isEqualTo(Destination.smtp("mail.example.test", 25));
        assertThat(Destination.parse("relay", "mail.example.test:2525")).isEqualTo(Destination.smtp("mail.example.test", 2525));
        assertThat(Destination.parse("smtp", "[ipv6:2001:db8::1]:25").host()).isEqualTo("2001:db8::1");
        assertThat(Destination.parse("smtp", "[192.0.2.1]").port()).isEqualTo(25);
        assertThat(Destination.parse("lmtp", "unix:/run/dovecot/lmtp")).isEqualTo(Destination.lmtp(Path.of("/run/dovecot/lmtp")));
        assertThat(Destination.parse("lmtp", "inet:mda.example.test")).isEqualTo(Destination.lmtp("mda.example.test", 24));
        assertThat(Destination.parse("lmtp", "[127.0.0.1]:lmtp").protocol()).isEqualTo(Protocol.LMTP);
        assertThatThrownBy(() -> Destination.parse("smtp", "unix:/x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Destination.parse("smtp", "[h]x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Destination.parse("smtp", "h:99999")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Destination.parse("pipe", "h")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tlsLevelsAndCredentials() {
        assertThat(TlsPolicy.of("")).isEqualTo(TlsPolicy.NONE);
        assertThat(TlsPolicy.of("may")).isEqualTo(TlsPolicy.MAY);
        assertThat(TlsPolicy.of("Encrypt")).isEqualTo(TlsPolicy.ENCRYPT);
        assertThat(TlsPolicy.of("verify")).isEqualTo(TlsPolicy.VERIFY);
        assertThatThrownBy(() -> TlsPolicy.of("dane")).isInstanceOf(IllegalArgumentException.class);
        Destination d = Destination.smtp("relay.example.test", 587).withTls(TlsPolicy.ENCRYPT)
                .withSasl(new Destination.SaslCredentials("user", "s3cret", false));
        assertThat(d.toString()).contains("tls=encrypt", "sasl=user").doesNotContain("s3cret");
        assertThat(d.sasl().toString()).doesNotContain("s3cret");
    }

    @Test
    void settingsFromMainCf(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("main.cf"), "myhostname = gw.example.test\n"
                + "smtp_data_done_timeout = 10m\nsmtp_tls_CAfile = ca.pem\nsmtp_tls_security_level = verify\n");
        java.nio.file.Files.writeString(dir.resolve("master.cf"), "");
        org.postern.policies.conf.Config c = org.postern.policies.conf.Config.load(dir);
        SmtpSettings s = SmtpSettings.fromConfig(c);
        assertThat(s.heloName()).isEqualTo("gw.example.test");
        assertThat(s.dataDoneTimeout()).hasMinutes(10);
        assertThat(s.connectTimeout()).hasSeconds(30);
        assertThat(s.dataXferTimeout()).hasSeconds(180);
        assertThat(s.connectionCacheTimeLimit()).hasSeconds(2);
        assertThat(s.tlsCaFile()).isEqualTo(dir.resolve("ca.pem"));
        assertThat(TlsPolicy.of(c.get("smtp_tls_security_level"))).isEqualTo(TlsPolicy.VERIFY);
        assertThat(SmtpSettings.defaults("h.example.test")).isEqualTo(SmtpSettings.defaults("h.example.test").toBuilder().build());
    }

    @Test
    void ehloCapabilities() {
        EhloCapabilities c = EhloCapabilities.parse(SmtpReply.of(250, null,
                "mx.example.test Hello\nPIPELINING\nsize 1000\n8BITMIME\nAUTH PLAIN login\nAUTH=CRAM-MD5\nSTARTTLS\nCHUNKING"));
        assertThat(c.pipelining()).isTrue();
        assertThat(c.sizeLimit()).isEqualTo(1000);
        assertThat(c.authMechanisms()).containsExactlyInAnyOrder("PLAIN", "LOGIN", "CRAM-MD5");
        assertThat(c.startTls()).isTrue();
        assertThat(c.dsn()).isFalse();
        assertThat(c.binaryMime()).isFalse();
        assertThat(EhloCapabilities.parse(SmtpReply.of(250, null, "mx\nSIZE")).sizeLimit()).isZero();
        assertThat(EhloCapabilities.parse(SmtpReply.of(250, null, "mx\nSIZE")).size()).isTrue();
    }
}
