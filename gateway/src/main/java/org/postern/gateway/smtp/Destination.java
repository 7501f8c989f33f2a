// Destination: where and how a Transport delivers -- smtp or lmtp, the next-hop host and port (or a
// UNIX-domain socket for LMTP), whether the host is a mail domain to look up by MX, the TLS policy
// (smtp_tls_security_level, smtp_tls_policy_maps) and the SASL credentials (smtp_sasl_password_maps).
// Chosen by routing (transport_maps, relayhost, default_transport); immutable.
package org.postern.gateway.smtp;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import org.postern.policies.conf.InetLiteral;

/**
 * One next hop. With {@code mx} set, {@code host} is a mail domain: the client looks up its MX hosts
 * (RFC 5321 section 5.1; Postfix's {@code smtp:example.com} form); otherwise {@code host} is connected
 * to by its address records (Postfix's {@code [host]} form; {@link #parse} drops the brackets). LMTP
 * and IP addresses never use MX. Either {@code host}+{@code port} or {@code unixSocket} is set.
 * Equal destinations share connections and per-destination concurrency in qmgr.
 */
public record Destination(Protocol protocol, String host, int port, Path unixSocket, TlsPolicy tls,
                          SaslCredentials sasl, boolean mx) {
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
        if (mx && protocol != Protocol.SMTP) throw new IllegalArgumentException("MX lookup is for SMTP only");
        if (unixSocket != null) {
            if (host != null) throw new IllegalArgumentException("both a host and a UNIX socket");
            if (protocol != Protocol.LMTP) throw new IllegalArgumentException("a UNIX socket is for LMTP only");
        } else {
            Objects.requireNonNull(host, "host");
            if (host.isEmpty()) throw new IllegalArgumentException("empty host");
            if (port < 1 || port > 65535) throw new IllegalArgumentException("port " + port);
            if (mx && InetLiteral.isLiteral(host)) throw new IllegalArgumentException("MX lookup of address " + host);
        }
    }

    /** A destination without MX lookup (the host is connected to directly). */
    public Destination(Protocol protocol, String host, int port, Path unixSocket, TlsPolicy tls, SaslCredentials sasl) {
        this(protocol, host, port, unixSocket, tls, sasl, false);
    }

    /** SMTP to {@code host:port} (no MX lookup: Postfix's {@code [host]:port}), no TLS, no SASL. */
    public static Destination smtp(String host, int port) {
        return new Destination(Protocol.SMTP, host, port, null, TlsPolicy.NONE, null);
    }

    /** SMTP to the MX hosts of {@code domain} on {@code port} (Postfix's {@code smtp:domain:port}), no TLS, no SASL. */
    public static Destination smtpMx(String domain, int port) {
        return new Destination(Protocol.SMTP, domain, port, null, TlsPolicy.NONE, null, true);
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
     * {@code "inet:host:port"}. The port defaults to 25 (smtp) or 24 (lmtp). As in Postfix, an smtp
     * (or relay) next hop without brackets is a domain looked up by MX, unless it is an IP address;
     * brackets and lmtp mean the host itself.
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
        boolean bracketed = s.startsWith("[");
        if (bracketed) {
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
        if (host.isEmpty()) throw new IllegalArgumentException("no host in next hop \"" + nexthop + "\"");
        if (!host.chars().allMatch(Destination::hostChar)) {
            throw new IllegalArgumentException("bad host \"" + host + "\" in next hop \"" + nexthop + "\""
                    + (host.indexOf(',') >= 0 || host.indexOf(' ') >= 0 ? " (one next hop only)" : ""));
        }
        boolean mx = p == Protocol.SMTP && !bracketed && !InetLiteral.isLiteral(host);
        return new Destination(p, host.toLowerCase(Locale.ROOT), port, null, TlsPolicy.NONE, null, mx);
    }

    /** Letters, digits, '-', '.', '_' (host names), ':' (IPv6); anything else is no host name. */
    private static boolean hostChar(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
                || c == '_' || c == ':';
    }

    private static int port(String s, String nexthop) {
        if (s.equals("smtp")) return SMTP_PORT;
        if (s.equals("lmtp")) return LMTP_PORT;
        if (!s.matches("\\d{1,5}")) throw new IllegalArgumentException("bad port in next hop " + nexthop);
        return Integer.parseInt(s);
    }

    public Destination withTls(TlsPolicy policy) {
        return new Destination(protocol, host, port, unixSocket, policy, sasl, mx);
    }

    public Destination withSasl(SaslCredentials credentials) {
        return new Destination(protocol, host, port, unixSocket, tls, credentials, mx);
    }

    public boolean isUnix() {
        return unixSocket != null;
    }

    /**
     * The next hop in transport_maps syntax: {@code [host]:port}, {@code domain:port} (MX lookup) or
     * {@code unix:/path}, with the port always written out.
     */
    public String nexthop() {
        if (isUnix()) return "unix:" + unixSocket;
        return mx ? host + ":" + port : "[" + host + "]:" + port;
    }

    /** {@code smtp:[host]:port}, {@code smtp:domain:port} or {@code lmtp:unix:/path}, for messages. */
    @Override
    public String toString() {
        return protocol.transportName() + ":" + nexthop()
                + (tls == TlsPolicy.NONE ? "" : " tls=" + tls.name().toLowerCase(Locale.ROOT))
                + (sasl == null ? "" : " sasl=" + sasl.username());
    }
}
