// ClientInfo: what smtpd learnt about the SMTP client of one session (name, address, HELO, TLS,
// SASL). Captured into the Envelope at end of data; used by Received:, logging and policy.
package org.postern.core;

import java.util.Objects;

/**
 * The client side of a session. {@code name} is the verified reverse name or "unknown";
 * {@code protocol} is SMTP, ESMTP, ESMTPS, ESMTPA or ESMTPSA (RFC 3848). Null for what is absent.
 */
public record ClientInfo(String name, String address, int port, String helo, String protocol,
                         String tlsProtocol, String tlsCipher, String saslMethod, String saslUsername) {
    public ClientInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
    }

    /** {@code host[addr]} as Postfix logs a client. */
    public String hostAddr() {
        return name + "[" + address + "]";
    }
}
