// ServerTls: smtpd's server-side TLS configuration -- certificate chain and key from main.cf
// smtpd_tls_cert_file / smtpd_tls_key_file, or a self-signed pair for myhostname kept in
// data_directory -- as Vert.x options for STARTTLS (NetSocket.upgradeToSsl) and implicit TLS listeners.
package org.postern.gateway.tls;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Immutable TLS identity of smtpd. Only TLSv1.2 and TLSv1.3 are enabled.
 *
 * <pre>
 * // STARTTLS (RFC 3207) on a plaintext NetServer, once the STARTTLS line was read -- never a bare
 * // so.upgradeToSsl, which in Vert.x 5.0.8 lets plaintext through (see StartTls):
 * StartTls.upgrade(so, sslOptions, Buffer.buffer("220 2.0.0 Ready to start TLS\r\n"), this::onData)
 * // implicit TLS (port 465, Postfix's smtpd_tls_wrappermode = yes):
 * vertx.createNetServer(tls.implicitTls(new NetServerOptions().setHost(h).setPort(465)))
 * </pre>
 */
public final class ServerTls {
    /** The enabled protocol versions; older ones are refused in the handshake. */
    public static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
    private static final List<String> PROTOCOL_ORDER = List.of("TLSv1.2", "TLSv1.3");

    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);

    private final KeyMaterial material;
    private final boolean selfSigned;
    private final Buffer certPem;
    private final Buffer keyPem;

    private ServerTls(KeyMaterial material, boolean selfSigned) {
        this.material = material;
        this.selfSigned = selfSigned;
        this.certPem = Buffer.buffer(material.certificatePem());
        this.keyPem = Buffer.buffer(material.privateKeyPem());
    }

    /** {@link #load(Path, Path, Path, String, Clock)} with the system clock. */
    public static ServerTls load(Path certFile, Path keyFile, Path dataDirectory, String hostname) throws IOException {
        return load(certFile, keyFile, dataDirectory, hostname, Clock.systemUTC());
    }

    /**
     * Reads {@code certFile} (PEM, leaf first, then the chain) and {@code keyFile} (PEM; when null the
     * key is read from {@code certFile}). When both are null, uses -- creating it the first time --
     * the self-signed pair {@code dataDirectory/smtpd-selfsigned.{crt,key}} for {@code hostname}.
     * BLOCKING (file I/O, key generation): start-up only, never on an event loop.
     *
     * @throws IOException naming the file when it cannot be read, holds no certificate or key, or
     *     the key does not match the certificate; or when only {@code keyFile} is set
     */
    public static ServerTls load(Path certFile, Path keyFile, Path dataDirectory, String hostname, Clock clock)
            throws IOException {
        Objects.requireNonNull(clock, "clock");
        warmUp();
        if (certFile == null && keyFile != null) {
            throw new IOException("smtpd_tls_key_file = " + keyFile + " is set but smtpd_tls_cert_file is not");
        }
        if (certFile == null) {
            Objects.requireNonNull(dataDirectory, "dataDirectory");
            return new ServerTls(SelfSignedCertificate.loadOrCreate(dataDirectory, hostname, clock), true);
        }
        KeyMaterial material = KeyMaterial.read(certFile, keyFile);
        X509Certificate leaf = material.leaf();
        if (clock.instant().isAfter(leaf.getNotAfter().toInstant())) {
            LOG.warn("{}: certificate {} expired on {}", certFile, leaf.getSubjectX500Principal(),
                    leaf.getNotAfter().toInstant());
        }
        return new ServerTls(material, false);
    }

    /**
     * Netty's JDK SSL classes probe for providers in their static initialisers (about 250 ms once per
     * JVM). Vert.x would run that on the event loop at the first STARTTLS; this start-up call, on a
     * worker, runs it here instead.
     */
    private static void warmUp() {
        try {
            Class.forName("io.netty.handler.ssl.JdkSslServerContext", true, ServerTls.class.getClassLoader());
            javax.net.ssl.SSLContext.getDefault();
        } catch (ReflectiveOperationException | java.security.NoSuchAlgorithmException e) {
            LOG.debug("TLS warm-up skipped: {}", e.toString());
        }
    }

    /**
     * A fresh Vert.x 5 {@link ServerSSLOptions} with this key and chain and protocols TLSv1.2 and
     * TLSv1.3, for {@link StartTls#upgrade} (STARTTLS). The PEM is held in memory: no file is read
     * afterwards. Options with equal content share one cached SSL context inside a NetServer.
     */
    public ServerSSLOptions sslOptions() {
        return new ServerSSLOptions()
                .setKeyCertOptions(keyCertOptions())
                .setEnabledSecureTransportProtocols(new LinkedHashSet<>(PROTOCOL_ORDER));
    }

    /**
     * A copy of {@code base} set up for implicit TLS (the TLS handshake starts as soon as a client
     * connects, as on port 465): {@code ssl = true}, this key and chain, TLSv1.2 and TLSv1.3 only.
     */
    public NetServerOptions implicitTls(NetServerOptions base) {
        NetServerOptions options = new NetServerOptions(base);
        options.setSsl(true);
        options.setKeyCertOptions(keyCertOptions());
        options.setEnabledSecureTransportProtocols(new LinkedHashSet<>(PROTOCOL_ORDER));
        return options;
    }

    private PemKeyCertOptions keyCertOptions() {
        return new PemKeyCertOptions().setCertValue(certPem.copy()).setKeyValue(keyPem.copy());
    }

    /** True when the certificate is the generated self-signed one (no smtpd_tls_cert_file configured). */
    public boolean selfSigned() {
        return selfSigned;
    }

    /** The leaf certificate served to clients. */
    public X509Certificate certificate() {
        return material.leaf();
    }

    @Override
    public String toString() {
        return "ServerTls[" + material.leaf().getSubjectX500Principal() + (selfSigned ? ", self-signed" : "") + "]";
    }
}
