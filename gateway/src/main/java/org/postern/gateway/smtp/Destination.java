// Destination: where and how a Transport delivers -- smtp or lmtp, the next-hop host and port (or a
// UNIX-domain socket for LMTP), the TLS policy (smtp_tls_security_level, smtp_tls_policy_maps) and the
// SASL credentials (smtp_sasl_password_maps). Chosen by routing (transport_maps, relayhost); immutable.
package org.postern.gateway.smtp;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * One next hop. {@code host} is connected to by its address records; MX lookup is routing's job, so
 * a destination always names the host to talk to (Postfix's {@code [host]} form; brackets are accepted
 * and dropped by {@link #parse}). Either {@code host}+{@code port} or {@code unixSocket} is set.
 */
public record Destination(Protocol protocol, String host, int port, Path unixSocket, TlsPolicy tls,
                          SaslCredentials sasl) {
    public static final int SMTP_PORT = 25;
    public static final int LMTP_PORT = 24;

    /** The protocol spoken: SMTP (RFC 5321) or LMTP (RFC 2033, one end-of-data reply per recipient). */
    public enum Protocol {
        SMTP, LMTP;

        /** The master.cf/transport_maps name: smtp or lmtp. */
        public String transportName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** smtp_tls_security_level: none, may (opportunistic), encrypt (mandatory), verify (+ certificate and name). */
    public enum TlsPolicy {
        NONE, MAY, ENCRYPT, VERIFY;

        /** The main.cf keyword; "" means none, as in Postfix. */
        public static TlsPolicy of(String level) {
            String l = level == null ? "" : level.strip().toLowerCase(Locale.ROOT);
            return switch (l) {
                case "", "none" -> NONE;
                case "may" -> MAY;
                case "encrypt" -> ENCRYPT;
                case "verify", "secure" -> VERIFY;
                default -> throw new IllegalArgumentException("unknown TLS security level \"" + level + "\"");
            };
        }

        boolean required() {
            return this == ENCRYPT || this == VERIFY;
        }
    }

    /**
     * SASL client credentials for AUTH PLAIN/LOGIN. They are sent only inside TLS unless
     * {@code allowPlaintext} (Postfix's smtp_sasl_security_options without noplaintext).
     */
    public record SaslCredentials(String username, String password, boolean allowPlaintext) {
        public SaslCredentials {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "SaslCredentials[" + username + ", password hidden" + (allowPlaintext ? ", plaintext allowed" : "") + "]";
        }
    }

    public Destination {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(tls, "tls");
        if (unixSocket != null) {
            if (host != null) throw new IllegalArgumentException("both a host and a UNIX socket");
            if (protocol != Protocol.LMTP) throw new IllegalArgumentException("a UNIX socket is for LMTP only");
        } else {
            Objects.requireNonNull(host, "host");
            if (host.isEmpty()) throw new IllegalArgumentException("empty host");
            if (port < 1 || port > 65535) throw new IllegalArgumentException("port " + port);
        }
    }

    /** SMTP to {@code host:port}, no TLS, no SASL. */
    public static Destination smtp(String host, int port) {
        return new Destination(Protocol.SMTP, host, port, null, TlsPolicy.NONE, null);
    }

    /** LMTP to {@code host:port}. */
    public static Destination lmtp(String host, int port) {
        return new Destination(Protocol.LMTP, host, port, null, TlsPolicy.NONE, null);
    }

    /** LMTP over a UNIX-domain socket. */
    public static Destination lmtp(Path socket) {
        return new Destination(Protocol.LMTP, null, 0, socket, TlsPolicy.NONE, null);
    }

    /**
     * A transport_maps next hop: {@code parse("smtp", "[mail.example.com]:587")}, {@code "host"},
     * {@code "host:port"}, {@code "[ipv6:2001:db8::1]:25"}; for lmtp also {@code "unix:/path"} and
     * {@code "inet:host:port"}. The port defaults to 25 (smtp) or 24 (lmtp).
     */
    public static Destination parse(String transport, String nexthop) {
        Protocol p = switch (transport.toLowerCase(Locale.ROOT)) {
            case "smtp", "relay" -> Protocol.SMTP;
            case "lmtp" -> Protocol.LMTP;
            default -> throw new IllegalArgumentException("not an smtp or lmtp transport: " + transport);
        };
        String s = nexthop.strip();
        if (p == Protocol.LMTP && s.startsWith("unix:")) return lmtp(Path.of(s.substring(5)));
        if (p == Protocol.LMTP && s.startsWith("inet:")) s = s.substring(5);
        int port = p == Protocol.SMTP ? SMTP_PORT : LMTP_PORT;
        String host;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) throw new IllegalArgumentException("missing ] in next hop " + nexthop);
            host = s.substring(1, close);
            if (host.regionMatches(true, 0, "ipv6:", 0, 5)) host = host.substring(5);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) throw new IllegalArgumentException("bad next hop " + nexthop);
                port = port(rest.substring(1), nexthop);
            }
        } else {
            int colon = s.lastIndexOf(':');
            host = colon < 0 ? s : s.substring(0, colon);
            if (colon >= 0) port = port(s.substring(colon + 1), nexthop);
        }
        return new Destination(p, host, port, null, TlsPolicy.NONE, null);
    }

    private static int port(String s, String nexthop) {
        if (s.equals("smtp")) return SMTP_PORT;
        if (s.equals("lmtp")) return LMTP_PORT;
        if (!s.matches("\\d{1,5}")) throw new IllegalArgumentException("bad port in next hop " + nexthop);
        return Integer.parseInt(s);
    }

    public Destination withTls(TlsPolicy policy) {
        return new Destination(protocol, host, port, unixSocket, policy, sasl);
    }

    public Destination withSasl(SaslCredentials credentials) {
        return new Destination(protocol, host, port, unixSocket, tls, credentials);
    }

    public boolean isUnix() {
        return unixSocket != null;
    }

    /** {@code [host]:port} or {@code unix:/path}, for messages. */
    @Override
    public String toString() {
        return protocol.transportName() + ":" + (isUnix() ? "unix:" + unixSocket : "[" + host + "]:" + port)
                + (tls == TlsPolicy.NONE ? "" : " tls=" + tls.name().toLowerCase(Locale.ROOT))
                + (sasl == null ? "" : " sasl=" + sasl.username());
    }
}
