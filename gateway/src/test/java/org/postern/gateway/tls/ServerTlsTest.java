// ServerTlsTest: smtpd's TLS identity (main.cf smtpd_tls_cert_file, smtpd_tls_key_file, data_directory,
// myhostname): the self-signed fallback generated once, configured PEM files and their errors, an
// implicit-TLS (port 465) Vert.x listener, and TLSv1.1 refused. STARTTLS is in StartTlsTest.
package org.postern.gateway.tls;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.parsetools.RecordParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.interfaces.ECPublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerTlsTest {
    static final String HOST = "mx.test.example";
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC);

    static Vertx vertx;
    @TempDir
    static Path shared;
    static ServerTls tls;

    @BeforeAll
    static void setUp() throws Exception {
        vertx = Vertx.vertx();
        tls = ServerTls.load(null, null, shared, HOST, CLOCK);
    }

    @AfterAll
    static void tearDown() throws Exception {
        await(vertx.close());
    }

    static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    // ---- certificate handling -------------------------------------------------------------

    @Test
    void selfSignedIsGeneratedOnceAndReused(@TempDir Path data) throws Exception {
        ServerTls first = ServerTls.load(null, null, data, HOST, CLOCK);
        assertThat(first.selfSigned()).isTrue();
        Path crt = data.resolve("smtpd-selfsigned.crt");
        Path key = data.resolve("smtpd-selfsigned.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.readString(crt)).startsWith("-----BEGIN CERTIFICATE-----");
        try (var listing = Files.list(data)) {
            assertThat(listing).containsExactlyInAnyOrder(crt, key); // no temporary files left
        }

        X509Certificate cert = first.certificate();
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=" + HOST);
        assertThat(cert.getSubjectAlternativeNames()).containsExactly(List.of(2, HOST));
        assertThat(cert.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(((ECPublicKey) cert.getPublicKey()).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
        assertThat(Duration.between(CLOCK.instant(), cert.getNotAfter().toInstant()).toDays()).isEqualTo(3650);
        cert.verify(cert.getPublicKey()); // self-signed

        String crtBefore = Files.readString(crt);
        String keyBefore = Files.readString(key);
        ServerTls again = ServerTls.load(null, null, data, HOST, CLOCK.withZone(ZoneOffset.UTC));
        assertThat(again.certificate()).isEqualTo(cert);
        assertThat(Files.readString(crt)).isEqualTo(crtBefore);
        assertThat(Files.readString(key)).isEqualTo(keyBefore);

        // another host name or an expired certificate: a new one
        ServerTls renamed = ServerTls.load(null, null, data, "other.test.example", CLOCK);
        assertThat(renamed.certificate()).isNotEqualTo(cert);
        assertThat(renamed.certificate().getSubjectAlternativeNames()).containsExactly(List.of(2, "other.test.example"));
        Clock later = Clock.offset(CLOCK, Duration.ofDays(3651));
        ServerTls renewed = ServerTls.load(null, null, data, "other.test.example", later);
        assertThat(renewed.certificate()).isNotEqualTo(renamed.certificate());

        // a damaged key file: a new pair
        Files.writeString(key, "garbage");
        assertThat(ServerTls.load(null, null, data, HOST, CLOCK).certificate()).isNotEqualTo(renewed.certificate());
    }

    @Test
    void configuredCertificateAndKeyFiles(@TempDir Path dir) throws Exception {
        KeyMaterial rsaChain = TestCerts.rsaWithIntermediate("smtp.test.example");
        Path crt = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Files.writeString(crt, rsaChain.certificatePem());
        Files.writeString(key, TestCerts.traditionalPem(rsaChain.key())); // -----BEGIN RSA PRIVATE KEY-----
        ServerTls t = ServerTls.load(crt, key, null, "ignored", CLOCK);
        assertThat(t.selfSigned()).isFalse();
        assertThat(t.certificate()).isEqualTo(rsaChain.leaf());

        // key and chain in one file, smtpd_tls_key_file unset
        Path both = dir.resolve("both.pem");
        Files.writeString(both, Files.readString(key) + rsaChain.certificatePem());
        assertThat(ServerTls.load(both, null, null, "ignored", CLOCK).certificate()).isEqualTo(rsaChain.leaf());

        // serves the whole chain over TLS
        NetServer server = await(vertx.createNetServer(t.implicitTls(new NetServerOptions().setHost("127.0.0.1").setPort(0)))
                .connectHandler(so -> so.write("220 ready\r\n")).listen());
        try (SSLSocket s = (SSLSocket) TestCerts.trusting(rsaChain.chain().get(1)).getSocketFactory()
                .createSocket("127.0.0.1", server.actualPort())) {
            s.setSoTimeout(10_000);
            assertThat(TestCerts.readLine(s.getInputStream())).isEqualTo("220 ready");
            assertThat(s.getSession().getPeerCertificates()).hasSize(2);
        } finally {
            await(server.close());
        }
    }

    @Test
    void configurationErrorsNameTheFile(@TempDir Path dir) throws Exception {
        KeyMaterial a = SelfSignedCertificate.generate("a.example", CLOCK.instant(), new java.security.SecureRandom());
        KeyMaterial b = SelfSignedCertificate.generate("b.example", CLOCK.instant(), new java.security.SecureRandom());
        Path crt = dir.resolve("a.crt");
        Path wrongKey = dir.resolve("b.key");
        Files.writeString(crt, a.certificatePem());
        Files.writeString(wrongKey, b.privateKeyPem());
        assertThatThrownBy(() -> ServerTls.load(crt, wrongKey, null, "x", CLOCK))
                .isInstanceOf(IOException.class).hasMessageContaining(wrongKey + ": private key does not match");
        assertThatThrownBy(() -> ServerTls.load(crt, null, null, "x", CLOCK))
                .isInstanceOf(IOException.class).hasMessageContaining(crt + ": no private key");
        assertThatThrownBy(() -> ServerTls.load(wrongKey, wrongKey, null, "x", CLOCK))
                .isInstanceOf(IOException.class).hasMessageContaining(wrongKey + ": no -----BEGIN CERTIFICATE-----");
        Path encrypted = dir.resolve("enc.key");
        Files.writeString(encrypted, TestCerts.encryptedPem(a.key()));
        assertThat(Files.readString(encrypted)).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        assertThatThrownBy(() -> ServerTls.load(crt, encrypted, null, "x", CLOCK))
                .isInstanceOf(IOException.class).hasMessage(encrypted + ": encrypted private keys are not supported");
        Path garbage = dir.resolve("garbage.pem");
        Files.writeString(garbage, "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> ServerTls.load(garbage, crt, null, "x", CLOCK))
                .isInstanceOf(IOException.class).hasMessageStartingWith(garbage + ": ");
        assertThatThrownBy(() -> ServerTls.load(null, wrongKey, dir, "x", CLOCK))
                .isInstanceOf(IOException.class).hasMessageContaining("smtpd_tls_cert_file is not");
        assertThatThrownBy(() -> ServerTls.load(dir.resolve("absent.crt"), null, null, "x", CLOCK))
                .isInstanceOf(IOException.class).hasMessageEndingWith("absent.crt: no such file");
        assertThatThrownBy(() -> ServerTls.load(null, null, dir, "bad host", CLOCK))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void onlyTls12And13AreEnabled() {
        assertThat(tls.sslOptions().getEnabledSecureTransportProtocols()).containsExactlyInAnyOrder("TLSv1.2", "TLSv1.3");
        assertThat(tls.implicitTls(new NetServerOptions()).getEnabledSecureTransportProtocols())
                .containsExactlyInAnyOrder("TLSv1.2", "TLSv1.3");
    }

    // ---- implicit TLS ------------------------------------------------------------------------

    @Test
    void implicitTlsListener() throws Exception {
        CompletableFuture<TlsSessionInfo> seen = new CompletableFuture<>();
        List<String> lines = new CopyOnWriteArrayList<>();
        NetServer server = await(vertx.createNetServer(tls.implicitTls(new NetServerOptions().setHost("127.0.0.1").setPort(0)))
                .connectHandler(so -> {
                    // the handshake is already done when the connect handler runs
                    seen.complete(so.isSsl() ? TlsSessionInfo.of(so.sslSession()) : null);
                    so.write("220 ready\r\n");
                    so.handler(RecordParser.newDelimited("\r\n", l -> {
                        lines.add(l.toString(US_ASCII));
                        so.write("250 ok\r\n");
                    }));
                })
                .listen());
        try (SSLSocket s = (SSLSocket) TestCerts.trusting(tls.certificate()).getSocketFactory()
                .createSocket("127.0.0.1", server.actualPort())) {
            s.setSoTimeout(10_000);
            assertThat(TestCerts.readLine(s.getInputStream())).isEqualTo("220 ready");
            s.getOutputStream().write("EHLO client.example\r\n".getBytes(US_ASCII));
            assertThat(TestCerts.readLine(s.getInputStream())).isEqualTo("250 ok");
            assertThat(seen.get(10, TimeUnit.SECONDS)).isNotNull()
                    .extracting(TlsSessionInfo::protocol).isEqualTo("TLSv1.3");
        } finally {
            await(server.close());
        }
        assertThat(lines).containsExactly("EHLO client.example");
    }

    @Test
    void tls11ClientHelloIsRefusedWhileTheSameHelloAsTls12IsAnswered() throws Exception {
        NetServer server = await(vertx.createNetServer(tls.implicitTls(new NetServerOptions().setHost("127.0.0.1").setPort(0)))
                .connectHandler(so -> so.write("220 ready\r\n")).listen());
        try {
            int[] tls12 = TestCerts.sendClientHello(server.actualPort(), 0x0303);
            assertThat(tls12[0]).as("record type").isEqualTo(22);        // handshake
            assertThat(tls12[1]).as("handshake type").isEqualTo(2);      // ServerHello
            assertThat(tls12[2]).as("server version").isEqualTo(0x0303);
            int[] tls11 = TestCerts.sendClientHello(server.actualPort(), 0x0302);
            assertThat(tls11[0]).as("record type").isIn(21, -1);         // alert, or connection closed
            if (tls11[0] == 21) assertThat(tls11[2]).as("alert").isEqualTo(70); // protocol_version
        } finally {
            await(server.close());
        }
    }
}
