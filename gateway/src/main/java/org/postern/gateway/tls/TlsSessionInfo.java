// TlsSessionInfo: what smtpd records about a client's TLS session once STARTTLS or implicit TLS is
// done -- protocol, cipher suite, cipher strength -- for the Received: header and the mail log, as
// Postfix writes them: "(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))".
package org.postern.gateway.tls;

import java.util.Objects;
import javax.net.ssl.SSLSession;

/** Protocol, cipher suite and symmetric key bits of one TLS session (0 bits when not known). */
public record TlsSessionInfo(String protocol, String cipherSuite, int cipherBits) {
    public TlsSessionInfo {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(cipherSuite, "cipherSuite");
    }

    /** Reads a session, e.g. {@code TlsSessionInfo.of(netSocket.sslSession())} after the upgrade. */
    public static TlsSessionInfo of(SSLSession session) {
        String suite = session.getCipherSuite();
        return new TlsSessionInfo(session.getProtocol(), suite, bits(suite));
    }

    /** Symmetric cipher strength from the suite name (JSSE/IANA names). */
    static int bits(String suite) {
        if (suite.contains("AES_256") || suite.contains("CHACHA20")) return 256;
        if (suite.contains("AES_128")) return 128;
        if (suite.contains("3DES_EDE")) return 168;
        return 0;
    }

    /** {@code TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)}: put inside "(using ...)". */
    public String describe() {
        return protocol + " with cipher " + cipherSuite + " (" + cipherBits + "/" + cipherBits + " bits)";
    }
}
