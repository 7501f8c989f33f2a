// KeyMaterial: smtpd's TLS certificate chain and private key, read from PEM files (main.cf
// smtpd_tls_cert_file, smtpd_tls_key_file, or the self-signed pair in data_directory), checked to
// belong together, and re-encoded as plain PEM (PKCS#8 key) the way Vert.x's PemKeyCertOptions reads it.
package org.postern.gateway.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/** A leaf certificate (first), its chain, and the matching private key. Immutable. */
record KeyMaterial(List<X509Certificate> chain, PrivateKey key) {
    KeyMaterial {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) throw new IllegalArgumentException("empty certificate chain");
    }

    X509Certificate leaf() {
        return chain.get(0);
    }

    /**
     * Reads the chain from {@code certFile} (leaf first, then intermediates) and the key from
     * {@code keyFile}, or from {@code certFile} too when {@code keyFile} is null or the same file
     * (Postfix's default smtpd_tls_key_file = $smtpd_tls_cert_file). Blocking.
     *
     * @throws IOException naming the file: unreadable, no certificate, no or several keys, an
     *     encrypted key, a key type other than RSA or EC, or a key that does not match the certificate
     */
    static KeyMaterial read(Path certFile, Path keyFile) throws IOException {
        Path keyPath = keyFile == null ? certFile : keyFile;
        List<X509Certificate> certs = new ArrayList<>();
        List<PrivateKey> keys = new ArrayList<>();
        parse(certFile, certs, keyPath.equals(certFile) ? keys : null);
        if (certs.isEmpty()) throw new IOException(certFile + ": no -----BEGIN CERTIFICATE----- found");
        if (!keyPath.equals(certFile)) parse(keyPath, null, keys);
        if (keys.isEmpty()) throw new IOException(keyPath + ": no private key found");
        if (keys.size() > 1) throw new IOException(keyPath + ": more than one private key");
        PrivateKey key = keys.get(0);
        String alg = signatureAlgorithm(key);
        if (alg == null) {
            throw new IOException(keyPath + ": unsupported " + key.getAlgorithm() + " key; use an RSA or EC key");
        }
        if (!matches(key, alg, certs.get(0))) {
            throw new IOException(keyPath + ": private key does not match the certificate in " + certFile);
        }
        return new KeyMaterial(certs, key);
    }

    private static void parse(Path file, List<X509Certificate> certs, List<PrivateKey> keys) throws IOException {
        JcaX509CertificateConverter certConverter = new JcaX509CertificateConverter();
        JcaPEMKeyConverter keyConverter = new JcaPEMKeyConverter();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
             PEMParser pem = new PEMParser(in)) {
            Object o;
            while ((o = pem.readObject()) != null) {
                if (o instanceof X509CertificateHolder holder) {
                    if (certs != null) certs.add(certConverter.getCertificate(holder));
                } else if (o instanceof PEMKeyPair pair) {               // RSA / EC PRIVATE KEY
                    if (keys != null) keys.add(keyConverter.getKeyPair(pair).getPrivate());
                } else if (o instanceof PrivateKeyInfo info) {           // PRIVATE KEY (PKCS#8)
                    if (keys != null) keys.add(keyConverter.getPrivateKey(info));
                } else if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                    if (keys != null) throw new IOException(file + ": encrypted private keys are not supported");
                } // EC PARAMETERS and anything else: ignored
            }
        } catch (CertificateException e) {
            throw new IOException(file + ": bad certificate: " + e.getMessage(), e);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new IOException(file + ": permission denied", e);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(file.toString())) throw e;
            throw new IOException(file + ": " + e.getMessage(), e); // e.g. malformed PEM
        }
    }

    private static String signatureAlgorithm(PrivateKey key) {
        switch (key.getAlgorithm()) {
            case "RSA": return "SHA256withRSA";
            case "EC": return "SHA256withECDSA";
            default: return null;
        }
    }

    private static boolean matches(PrivateKey key, String alg, X509Certificate cert) throws IOException {
        try {
            byte[] probe = "postern key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(alg);
            signer.initSign(key);
            signer.update(probe);
            byte[] sig = signer.sign();
            Signature verifier = Signature.getInstance(alg);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            return verifier.verify(sig);
        } catch (GeneralSecurityException e) { // e.g. an RSA key with an EC certificate
            return false;
        }
    }

    /** The chain as concatenated {@code CERTIFICATE} PEM blocks, leaf first. */
    String certificatePem() {
        StringBuilder sb = new StringBuilder();
        for (X509Certificate c : chain) {
            try {
                sb.append(pem("CERTIFICATE", c.getEncoded()));
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new IllegalStateException(e); // it was decoded from this encoding
            }
        }
        return sb.toString();
    }

    /** The key as one PKCS#8 {@code PRIVATE KEY} PEM block. */
    String privateKeyPem() {
        return pem("PRIVATE KEY", key.getEncoded());
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    @Override
    public String toString() {
        return "KeyMaterial[" + leaf().getSubjectX500Principal() + ", chain=" + chain.size() + "]";
    }
}
