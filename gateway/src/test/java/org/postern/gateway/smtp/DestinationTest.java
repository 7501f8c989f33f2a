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
        assertThat(Destination.parse("smtp", "mail.example.test")).isEqualTo(Destination.smtpMx("mail.example.test", 25));
        assertThat(Destination.parse("relay", "Example.TEST:2525")).isEqualTo(Destination.smtpMx("example.test", 2525));
        assertThat(Destination.parse("smtp", "[ipv6:2001:db8::1]:25").host()).isEqualTo("2001:db8::1");
        assertThat(Destination.parse("smtp", "[192.0.2.1]").port()).isEqualTo(25);
        assertThat(Destination.parse("lmtp", "unix:/run/dovecot/lmtp")).isEqualTo(Destination.lmtp(Path.of("/run/dovecot/lmtp")));
        assertThat(Destination.parse("lmtp", "inet:mda.example.test")).isEqualTo(Destination.lmtp("mda.example.test", 24));
        assertThat(Destination.parse("lmtp", "[127.0.0.1]:lmtp").protocol()).isEqualTo(Protocol.LMTP);
        assertThatThrownBy(() -> Destination.parse("smtp", "unix:/x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Destination.parse("smtp", "[h]x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Destination.parse("smtp", "h:99999")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Destination.parse("pipe", "h")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Destination.parse("smtp", "a.test, b.test")).hasMessageContaining("one next hop only");
        assertThatThrownBy(() -> Destination.parse("smtp", "[]:25")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void mxLookupFollowsPostfixNextHopSyntax() {
        assertThat(Destination.parse("smtp", "example.test").mx()).isTrue();
        assertThat(Destination.parse("smtp", "example.test:587").mx()).isTrue();
        assertThat(Destination.parse("relay", "example.test").mx()).isTrue();
        assertThat(Destination.parse("smtp", "[example.test]").mx()).isFalse();
        assertThat(Destination.parse("smtp", "[example.test]:587").mx()).isFalse();
        assertThat(Destination.parse("smtp", "192.0.2.1").mx()).as("an address has no MX").isFalse();
        assertThat(Destination.parse("smtp", "192.0.2.1:2525").port()).isEqualTo(2525);
        assertThat(Destination.parse("lmtp", "mda.example.test").mx()).as("lmtp never").isFalse();
        assertThat(Destination.parse("lmtp", "inet:mda.example.test:24").mx()).isFalse();
        // grouping in qmgr: the same next hop is one destination, [host] and host are two
        assertThat(Destination.parse("smtp", "EXAMPLE.test")).isEqualTo(Destination.parse("smtp", "example.test:25"))
                .hasSameHashCodeAs(Destination.parse("smtp", "example.test:25"));
        assertThat(Destination.parse("smtp", "example.test")).isNotEqualTo(Destination.parse("smtp", "[example.test]"));
        assertThat(Destination.parse("smtp", "example.test").toString()).isEqualTo("smtp:example.test:25");
        assertThat(Destination.parse("smtp", "[example.test]").toString()).isEqualTo("smtp:[example.test]:25");
        assertThat(Destination.parse("smtp", "example.test").withTls(TlsPolicy.MAY).mx()).isTrue();
        assertThatThrownBy(() -> new Destination(Protocol.LMTP, "h.test", 24, null, TlsPolicy.NONE, null, true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Destination.smtpMx("192.0.2.1", 25)).isInstanceOf(IllegalArgumentException.class);
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
        assertThat(s.dnsLookups()).isTrue();
        assertThat(s.hostLookup()).isEqualTo(SmtpSettings.HostLookup.DNS);
        assertThat(s.addressPreference()).isEqualTo(SmtpSettings.AddressPreference.ANY);
        assertThat(s.addressLimit()).isEqualTo(5);
        assertThat(s.sessionLimit()).isEqualTo(2);
    }

    @Test
    void lookupSettingsFromMainCf(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("main.cf"), "myhostname = gw.example.test\n"
                + "disable_dns_lookups = yes\nsmtp_host_lookup = dns, native\nsmtp_address_preference = ipv4\n"
                + "smtp_mx_address_limit = 0\nsmtp_mx_session_limit = 3\n");
        java.nio.file.Files.writeString(dir.resolve("master.cf"), "");
        SmtpSettings s = SmtpSettings.fromConfig(org.postern.policies.conf.Config.load(dir));
        assertThat(s.dnsLookups()).isFalse();
        assertThat(s.hostLookup()).isEqualTo(SmtpSettings.HostLookup.DNS_THEN_NATIVE);
        assertThat(s.addressPreference()).isEqualTo(SmtpSettings.AddressPreference.IPV4);
        assertThat(s.addressLimit()).isEqualTo(Integer.MAX_VALUE);
        assertThat(s.sessionLimit()).isEqualTo(3);
        assertThat(s.toBuilder().build()).isEqualTo(s);

        java.nio.file.Files.writeString(dir.resolve("main.cf"), "myhostname = gw.example.test\n\nsmtp_host_lookup = nis\n");
        org.postern.policies.conf.Config bad = org.postern.policies.conf.Config.load(dir);
        assertThatThrownBy(() -> SmtpSettings.fromConfig(bad)).hasMessageContaining("main.cf:3")
                .hasMessageContaining("smtp_host_lookup").hasMessageContaining("\"nis\"");
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
