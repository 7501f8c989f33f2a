// SelfSignedCertificate: smtpd's fallback TLS identity when main.cf sets no smtpd_tls_cert_file --
// an EC P-256 key and a 10-year self-signed certificate for myhostname, generated once and kept in
// $data_directory/smtpd-selfsigned.crt and .key (0600), reused on every later start.
package org.postern.gateway.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loads or creates the self-signed pair; blocking, start-up only. */
final class SelfSignedCertificate {
    static final String CERT_FILE = "smtpd-selfsigned.crt";
    static final String KEY_FILE = "smtpd-selfsigned.key";
    static final Duration VALIDITY = Duration.ofDays(3650);

    private static final Logger LOG = LoggerFactory.getLogger(SelfSignedCertificate.class);
    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})");

    private SelfSignedCertificate() {}

    /**
     * Returns the pair in {@code dataDirectory}, creating it when missing, unreadable, mismatched,
     * expired or made for another host name.
     */
    static KeyMaterial loadOrCreate(Path dataDirectory, String hostname, Clock clock) throws IOException {
        if (hostname == null || !HOSTNAME.matcher(hostname).matches()) {
            throw new IllegalArgumentException("myhostname \"" + hostname + "\" is not a valid host name");
        }
        Path cert = dataDirectory.resolve(CERT_FILE);
        Path key = dataDirectory.resolve(KEY_FILE);
        if (Files.exists(cert) && Files.exists(key)) {
            try {
                KeyMaterial existing = KeyMaterial.read(cert, key);
                String unusable = unusable(existing.leaf(), hostname, clock.instant());
                if (unusable == null) return existing;
                LOG.warn("{}: {}; generating a new self-signed certificate", cert, unusable);
            } catch (IOException e) {
                LOG.warn("{}; generating a new self-signed certificate", e.getMessage());
            }
        }
        Files.createDirectories(dataDirectory);
        KeyMaterial fresh = generate(hostname, clock.instant(), new SecureRandom());
        // key first: a crash in between leaves a key without certificate, which the next start replaces
        writeAtomically(key, fresh.privateKeyPem(), "rw-------");
        writeAtomically(cert, fresh.certificatePem(), "rw-r--r--");
        LOG.info("{}: generated a self-signed certificate for {} (EC P-256, valid until {})",
                cert, hostname, fresh.leaf().getNotAfter().toInstant());
        return fresh;
    }

    /** Null when {@code cert} can serve {@code hostname} at {@code now}, else why not. */
    private static String unusable(X509Certificate cert, String hostname, Instant now) {
        if (now.isAfter(cert.getNotAfter().toInstant())) return "expired";
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (Integer.valueOf(GeneralName.dNSName).equals(san.get(0))
                            && hostname.equalsIgnoreCase(String.valueOf(san.get(1)))) {
                        return null;
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return "unreadable subjectAltName";
        }
        return "made for another host name than " + hostname;
    }

    static KeyMaterial generate(String hostname, Instant now, SecureRandom random) {
        try {
            KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
            kpg.initialize(new ECGenParameterSpec("secp256r1"), random);
            KeyPair pair = kpg.generateKeyPair();
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, hostname).build();
            BigInteger serial = new BigInteger(127, random).setBit(126); // positive, 16 bytes
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial,
                    Date.from(now.minus(Duration.ofHours(1))), // tolerate a client clock a little behind
                    Date.from(now.plus(VALIDITY)), subject, pair.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, hostname)));
            builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate());
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(builder.build(signer));
            return new KeyMaterial(List.of(cert), pair.getPrivate());
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot generate a self-signed certificate: " + e, e);
        }
    }

    /** Temporary file (with its final mode) in the same directory, fsync, rename, fsync the directory. */
    private static void writeAtomically(Path target, String content, String mode) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(mode));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII));
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        } finally {
            if (tmp != null) Files.deleteIfExists(tmp);
        }
    }
}
