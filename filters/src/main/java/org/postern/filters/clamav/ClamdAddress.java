// ClamdAddress: where the vscan stage finds clamd -- main.cf vscan_clamd_address parsed once into a
// UNIX-domain socket path (unix:/run/clamav/clamd.ctl) or a TCP host and port (inet:127.0.0.1:3310,
// or host:port, [::1]:3310). Immutable; read by ClamdFilter.fromConfig.
package org.postern.filters.clamav;

import io.vertx.core.net.SocketAddress;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Either a socket path ({@code host == null}) or a TCP endpoint ({@code path == null}).
 *
 * @param path UNIX-domain socket, absolute
 * @param host host name or IP literal (IPv6 without brackets)
 * @param port TCP port 1..65535, 0 for a socket path
 */
public record ClamdAddress(Path path, String host, int port) {
    public ClamdAddress {
        if ((path == null) == (host == null)) throw new IllegalArgumentException("exactly one of path and host");
        if (path != null && (!path.isAbsolute() || port != 0)) {
            throw new IllegalArgumentException("clamd socket path must be absolute: " + path);
        }
        if (host != null && (host.isEmpty() || port < 1 || port > 65535)) {
            throw new IllegalArgumentException("bad clamd TCP endpoint " + host + ":" + port);
        }
    }

    public static ClamdAddress unix(Path path) {
        return new ClamdAddress(Objects.requireNonNull(path, "path"), null, 0);
    }

    public static ClamdAddress inet(String host, int port) {
        return new ClamdAddress(null, Objects.requireNonNull(host, "host"), port);
    }

    /**
     * Parses {@code unix:/path}, {@code inet:host:port} or {@code host:port} (IPv6 as {@code [addr]:port}).
     *
     * @throws IllegalArgumentException naming {@code value} and what is wrong with it
     */
    public static ClamdAddress parse(String value) {
        Objects.requireNonNull(value, "value");
        String v = value.strip();
        String lower = v.toLowerCase(Locale.ROOT);
        if (lower.startsWith("unix:")) {
            String p = v.substring(5);
            if (!p.startsWith("/")) throw bad(value, "a unix: socket path must be absolute, e.g. unix:/run/clamav/clamd.ctl");
            if (p.chars().anyMatch(c -> c <= ' ')) throw bad(value, "the socket path holds white space or a control character");
            return unix(Path.of(p));
        }
        String hostPort = lower.startsWith("inet:") ? v.substring(5) : v;
        if (hostPort.startsWith("/")) throw bad(value, "write a socket path as unix:" + hostPort);
        return parseHostPort(value, hostPort);
    }

    private static ClamdAddress parseHostPort(String value, String hostPort) {
        String host;
        String port;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0 || close + 1 >= hostPort.length() || hostPort.charAt(close + 1) != ':') {
                throw bad(value, "expected [IPv6-address]:port");
            }
            host = hostPort.substring(1, close);
            port = hostPort.substring(close + 2);
            if (host.indexOf(':') < 0) throw bad(value, "only an IPv6 address goes in [brackets]");
        } else {
            int colon = hostPort.lastIndexOf(':');
            if (colon < 0) throw bad(value, "expected unix:/path, inet:host:port or host:port");
            host = hostPort.substring(0, colon);
            port = hostPort.substring(colon + 1);
            if (host.indexOf(':') >= 0) throw bad(value, "write an IPv6 address as [address]:port");
        }
        if (host.isEmpty()) throw bad(value, "the host is empty");
        if (!host.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == ':' || c == '_')) {
            throw bad(value, "'" + host + "' is not a host name or IP address");
        }
        int p;
        try {
            p = port.chars().allMatch(Character::isDigit) && !port.isEmpty() && port.length() <= 5 ? Integer.parseInt(port) : -1;
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 1 || p > 65535) throw bad(value, "'" + port + "' is not a TCP port (1-65535)");
        return inet(host, p);
    }

    private static IllegalArgumentException bad(String value, String why) {
        return new IllegalArgumentException("bad clamd address '" + value + "': " + why);
    }

    public boolean isUnix() {
        return path != null;
    }

    /** For Vert.x NetClient.connect. */
    public SocketAddress toSocketAddress() {
        return isUnix() ? SocketAddress.domainSocketAddress(path.toString()) : SocketAddress.inetSocketAddress(port, host);
    }

    /** The canonical main.cf form: unix:/path or inet:host:port ([addr] for IPv6). */
    @Override
    public String toString() {
        if (isUnix()) return "unix:" + path;
        return "inet:" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
