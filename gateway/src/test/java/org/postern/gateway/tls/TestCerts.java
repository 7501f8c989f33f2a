// TestCerts: test-only TLS material and probes for ServerTlsTest -- an RSA leaf issued by a test CA
// (as a postmaster's smtpd_tls_cert_file chain would be), traditional-PEM keys, and a hand-built
// ClientHello to see which protocol versions smtpd's TLS listener answers, and JDK client helpers.
package org.postern.gateway.tls;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.Socket;
import java.security.KeyStore;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

final class TestCerts {
    private TestCerts() {}

    /** An RSA-2048 leaf for {@code host} signed by a throw-away RSA CA; chain = [leaf, CA]. */
    static KeyMaterial rsaWithIntermediate(String host) throws Exception {
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("RSA");
        kpg.initialize(2048);
        KeyPair ca = kpg.generateKeyPair();
        KeyPair leaf = kpg.generateKeyPair();
        Instant now = Instant.now();
        X500Name caName = new X500Name("CN=Postern Test CA");
        X509Certificate caCert = new JcaX509CertificateConverter().getCertificate(
                new JcaX509v3CertificateBuilder(caName, BigInteger.ONE, Date.from(now.minus(Duration.ofDays(1))),
                        Date.from(now.plus(Duration.ofDays(30))), caName, ca.getPublic())
                        .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                        .build(new JcaContentSignerBuilder("SHA256withRSA").build(ca.getPrivate())));
        X509Certificate leafCert = new JcaX509CertificateConverter().getCertificate(
                new JcaX509v3CertificateBuilder(caName, BigInteger.TWO, Date.from(now.minus(Duration.ofDays(1))),
                        Date.from(now.plus(Duration.ofDays(30))), new X500Name("CN=" + host), leaf.getPublic())
                        .addExtension(Extension.subjectAlternativeName, false,
                                new GeneralNames(new GeneralName(GeneralName.dNSName, host)))
                        .build(new JcaContentSignerBuilder("SHA256withRSA").build(ca.getPrivate())));
        return new KeyMaterial(List.of(leafCert, caCert), leaf.getPrivate());
    }

    /** OpenSSL's traditional form: {@code -----BEGIN RSA PRIVATE KEY-----} / {@code EC PRIVATE KEY}. */
    static String traditionalPem(PrivateKey key) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(key);
        }
        return w.toString();
    }

    /** {@code -----BEGIN ENCRYPTED PRIVATE KEY-----} (PKCS#8, AES-256-CBC, password "secret"). */
    static String encryptedPem(PrivateKey key) throws Exception {
        var encryptor = new org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder(
                org.bouncycastle.openssl.PKCS8Generator.AES_256_CBC)
                .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                .setPassword("secret".toCharArray()).build();
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, encryptor));
        }
        return w.toString();
    }

    /**
     * Sends a minimal ECDHE-ECDSA ClientHello with {@code clientVersion} (0x0302 = TLS 1.1,
     * 0x0303 = TLS 1.2) and returns {record type, handshake type or alert level, server version or
     * alert description}; {-1, -1, -1} when the server just closes.
     */
    static int[] sendClientHello(int port, int clientVersion) throws IOException {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        byte[] ext = {
            0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x17,       // supported_groups: secp256r1
            0x00, 0x0b, 0x00, 0x02, 0x01, 0x00,                   // ec_point_formats: uncompressed
            0x00, 0x0d, 0x00, 0x04, 0x00, 0x02, 0x04, 0x03,       // signature_algorithms: ecdsa_secp256r1_sha256
            (byte) 0xff, 0x01, 0x00, 0x01, 0x00,                  // renegotiation_info (empty)
        };
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(clientVersion >> 8);
        body.write(clientVersion & 0xff);
        body.write(random);
        body.write(0);                                            // session id: none
        body.write(new byte[] {0x00, 0x04, (byte) 0xc0, 0x2b, (byte) 0xc0, 0x09}); // ECDHE_ECDSA AES128 GCM / CBC
        body.write(new byte[] {0x01, 0x00});                      // compression: null
        body.write(ext.length >> 8);
        body.write(ext.length & 0xff);
        body.write(ext);
        byte[] b = body.toByteArray();
        ByteArrayOutputStream rec = new ByteArrayOutputStream();
        int hsLen = b.length + 4;
        rec.write(new byte[] {0x16, 0x03, 0x01, (byte) (hsLen >> 8), (byte) hsLen});
        rec.write(new byte[] {0x01, (byte) (b.length >> 16), (byte) (b.length >> 8), (byte) b.length});
        rec.write(b);
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(rec.toByteArray());
            DataInputStream in = new DataInputStream(s.getInputStream());
            try {
                int type = in.readUnsignedByte();
                in.readUnsignedShort(); // record version
                in.readUnsignedShort(); // record length
                if (type == 21) return new int[] {21, in.readUnsignedByte(), in.readUnsignedByte()};
                int hsType = in.readUnsignedByte();
                in.readUnsignedByte();
                in.readUnsignedShort(); // handshake length
                return new int[] {type, hsType, in.readUnsignedShort()};
            } catch (EOFException | java.net.SocketException e) {
                return new int[] {-1, -1, -1};
            }
        }
    }

    /** A JDK TLS client context that trusts exactly {@code anchor}. */
    static SSLContext trusting(X509Certificate anchor) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("anchor", anchor);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** Reads one CRLF line byte by byte, so nothing after it is consumed (TLS may follow). */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int prev = -1;
        while (true) {
            int c = in.read();
            if (c < 0) throw new EOFException("connection closed after \"" + line.toString(US_ASCII) + "\"");
            if (prev == '\r' && c == '\n') {
                byte[] b = line.toByteArray();
                return new String(b, 0, b.length - 1, US_ASCII);
            }
            line.write(c);
            prev = c;
        }
    }
}
