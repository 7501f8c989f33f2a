// SmtpTransportGatewayIT: the SMTP client against Postern's own smtpd (a real server in-process, via
// GatewayHarness): one recipient of three refused at RCPT, STARTTLS at levels encrypt and verify
// (certificate and host name checked), AUTH after STARTTLS, and what arrives in the gateway's queue.
package org.postern.gateway.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postern.core.Envelope;
import org.postern.gateway.GatewayHarness;
import org.postern.gateway.queue.QueueFile;
import org.postern.gateway.sasl.PasswordFile;
import org.postern.gateway.smtp.Destination.SaslCredentials;
import org.postern.gateway.smtp.Destination.TlsPolicy;
import org.postern.gateway.smtp.RecipientResult.Status;

class SmtpTransportGatewayIT extends ClientTestBase {

    private GatewayHarness gateway(String mainCf, String... masterOptions) throws Exception {
        Path gw = Files.createDirectories(dir.resolve("gw"));
        return GatewayHarness.start(gw, mainCf, masterOptions);
    }

    @Test
    void oneRecipientOfThreeRefusedAtRcptBouncesAlone() throws Exception {
        try (GatewayHarness gw = gateway("", "smtpd_relay_restrictions=reject_unauth_destination")) {
            transport(settings().build());
            QueuedMessage m = queue(MESSAGE, "a@example.test", "b@elsewhere.test", "c@example.test");
            DeliveryReport r = deliver(m, Destination.smtp("127.0.0.1", gw.port));
            assertThat(r.results()).extracting(RecipientResult::status).containsExactly(Status.SENT, Status.BOUNCED, Status.SENT);
            assertThat(r.result(1).diagnostic()).isEqualTo("host 127.0.0.1[127.0.0.1] said: 554 5.7.1 <b@elsewhere.test>: "
                    + "Relay access denied (in reply to RCPT TO command)");
            List<QueueFile> queued = gw.incomingMessages();
            assertThat(queued).hasSize(1);
            QueueFile q = queued.get(0);
            assertThat(r.result(0).diagnostic()).isEqualTo("250 2.0.0 Ok: queued as " + q.envelope().queueId());
            assertThat(q.envelope().recipients()).extracting(org.postern.core.Recipient::address)
                    .containsExactly("a@example.test", "c@example.test");
            assertThat(q.envelope().sender()).isEqualTo("a@sender.test");
            assertThat(q.envelope().client().helo()).isEqualTo("client.postern.test");
            assertThat(GatewayHarness.content(q)).startsWith("Received: ").endsWith(MESSAGE);
        }
    }

    @Test
    void starttlsAtLevelEncrypt() throws Exception {
        try (GatewayHarness gw = gateway("smtpd_tls_security_level = may")) {
            transport(settings().build());
            DeliveryReport r = deliver(queue(MESSAGE, "a@example.test"),
                    Destination.smtp("127.0.0.1", gw.port).withTls(TlsPolicy.ENCRYPT));
            assertThat(r.result(0).status()).isEqualTo(Status.SENT);
            assertThat(r.tls()).isNotNull();
            assertThat(r.tls().protocol()).isIn("TLSv1.2", "TLSv1.3");
            Envelope env = gw.incomingMessages().get(0).envelope();
            assertThat(env.client().tlsProtocol()).isEqualTo(r.tls().protocol());
            assertThat(env.client().protocol()).isEqualTo("ESMTPS");
        }
    }

    @Test
    void verifyChecksTheCertificateAndTheHostName() throws Exception {
        try (GatewayHarness gw = gateway("myhostname = localhost\nsmtpd_tls_security_level = may")) {
            Path ca = gw.dir.resolve("data").resolve("smtpd-selfsigned.crt"); // its own trust anchor
            assertThat(ca).exists();
            transport(settings().tlsCaFile(ca).build());
            DeliveryReport ok = deliver(queue(MESSAGE, "a@example.test"),
                    Destination.smtp("localhost", gw.port).withTls(TlsPolicy.VERIFY));
            assertThat(ok.result(0).status()).isEqualTo(Status.SENT);
            assertThat(ok.relay()).isEqualTo("localhost[127.0.0.1]:" + gw.port);
            DeliveryReport wrongName = deliver(queue(MESSAGE, "a@example.test"),
                    Destination.smtp("127.0.0.1", gw.port).withTls(TlsPolicy.VERIFY));
            assertThat(wrongName.result(0).status()).isEqualTo(Status.DEFERRED);
            assertThat(wrongName.result(0).dsn()).isEqualTo("4.7.5");
            assertThat(wrongName.result(0).diagnostic()).startsWith("Cannot start TLS: handshake failure with 127.0.0.1[127.0.0.1]");
            QueuedMessages.await(transport.close());
            transport(settings().build()); // the JDK's trust anchors do not know the self-signed certificate
            DeliveryReport untrusted = deliver(queue(MESSAGE, "a@example.test"),
                    Destination.smtp("localhost", gw.port).withTls(TlsPolicy.VERIFY));
            assertThat(untrusted.result(0).status()).isEqualTo(Status.DEFERRED);
            assertThat(untrusted.result(0).dsn()).isEqualTo("4.7.5");
            assertThat(gw.incomingMessages()).hasSize(1);
        }
    }

    @Test
    void authenticatesAfterStarttls() throws Exception {
        Path gwDir = Files.createDirectories(dir.resolve("gw"));
        PasswordFile.set(gwDir.resolve("sasl_passwd"), "alice@example.test", "correct horse".toCharArray());
        try (GatewayHarness gw = GatewayHarness.start(gwDir, "smtpd_tls_security_level = may\nsmtpd_sasl_auth_enable = yes\n"
                + "smtpd_sasl_password_file = " + gwDir.resolve("sasl_passwd"))) {
            transport(settings().build());
            Destination d = Destination.smtp("127.0.0.1", gw.port).withTls(TlsPolicy.MAY);
            DeliveryReport ok = deliver(queue(MESSAGE, "a@example.test"),
                    d.withSasl(new SaslCredentials("alice@example.test", "correct horse", false)));
            assertThat(ok.result(0).status()).isEqualTo(Status.SENT);
            Envelope env = gw.incomingMessages().get(0).envelope();
            assertThat(env.client().saslUsername()).isEqualTo("alice@example.test");
            assertThat(env.client().protocol()).isEqualTo("ESMTPSA");
            DeliveryReport bad = deliver(queue(MESSAGE, "a@example.test"),
                    d.withSasl(new SaslCredentials("alice@example.test", "wrong", false)));
            assertThat(bad.result(0).status()).isEqualTo(Status.DEFERRED);
            assertThat(bad.result(0).diagnostic()).startsWith("SASL authentication failed; server 127.0.0.1[127.0.0.1] said: 535 5.7.8");
            assertThat(bad.result(0).dsn()).isEqualTo("4.7.8");
        }
    }

    @Test
    void eightBitMimeAndDotsArriveIntact() throws Exception {
        byte[] content = ("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
                + "\r\n.Grüße\r\n.\r\n..\r\nkein Zeilenende am Schluss").getBytes(StandardCharsets.UTF_8);
        try (GatewayHarness gw = gateway("")) {
            transport(settings().build());
            DeliveryReport r = deliver(queue(content, id -> new Envelope(id, java.time.Instant.EPOCH, QueuedMessages.CLIENT,
                    "a@sender.test", List.of(org.postern.core.Recipient.of("a@example.test")), -1,
                    Envelope.BodyType.EIGHT_BIT_MIME, false, null, null)), Destination.smtp("127.0.0.1", gw.port));
            assertThat(r.result(0).status()).isEqualTo(Status.SENT);
            QueueFile q = gw.incomingMessages().get(0);
            assertThat(q.envelope().body()).isEqualTo(Envelope.BodyType.EIGHT_BIT_MIME);
            byte[] got;
            try (var in = q.openContent()) {
                got = in.readAllBytes();
            }
            // The final line had no CRLF: the client adds one, as DATA requires.
            assertThat(new String(got, StandardCharsets.UTF_8)).endsWith(new String(content, StandardCharsets.UTF_8) + "\r\n");
        }
    }
}
