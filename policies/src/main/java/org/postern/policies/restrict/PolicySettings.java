// PolicySettings: one check_policy_service target -- "inet:host:port", "unix:/path" (relative paths
// below queue_directory), or Postfix 3's "{ inet:host:port, timeout=10s, default_action=DUNNO, ... }"
// overriding the smtpd_policy_service_* parameters for that server only.
package org.postern.policies.restrict;

import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.postern.policies.conf.Config;

/**
 * Immutable. {@code host}/{@code port} for inet: (the name is resolved on the I/O worker when
 * connecting), {@code unixPath} for unix:.
 */
record PolicySettings(String endpoint, String host, int port, Path unixPath, Duration timeout, Duration maxIdle,
                      Duration maxTtl, int requestLimit, int tryLimit, Duration retryDelay, String defaultAction,
                      String policyContext) {

    /** Where to connect (for inet: an unresolved address; resolve it off the event loop). */
    SocketAddress address() {
        return unixPath != null ? UnixDomainSocketAddress.of(unixPath)
                : java.net.InetSocketAddress.createUnresolved(host, port);
    }

    /**
     * @throws IllegalArgumentException naming the bad piece: endpoint syntax, unknown attribute, bad value
     */
    static PolicySettings parse(String spec, Config config) {
        String endpoint = spec;
        List<String> overrides = List.of();
        if (spec.startsWith("{")) {
            if (!spec.endsWith("}")) {
                throw new IllegalArgumentException("policy service syntax error: missing \"}\" in \"" + spec + "\"");
            }
            List<String> parts = Tokens.split(spec.substring(1, spec.length() - 1));
            if (parts.isEmpty()) throw new IllegalArgumentException("empty policy service: \"" + spec + "\"");
            endpoint = parts.get(0);
            overrides = parts.subList(1, parts.size());
        }
        Duration timeout = config.getTime("smtpd_policy_service_timeout");
        Duration maxIdle = config.getTime("smtpd_policy_service_max_idle");
        Duration maxTtl = config.getTime("smtpd_policy_service_max_ttl");
        int requestLimit = config.getInt("smtpd_policy_service_request_limit");
        int tryLimit = config.getInt("smtpd_policy_service_try_limit");
        Duration retryDelay = config.getTime("smtpd_policy_service_retry_delay");
        String defaultAction = config.get("smtpd_policy_service_default_action");
        String context = config.get("smtpd_policy_service_policy_context");
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("policy service \"" + endpoint + "\": expected name=value, found \"" + o + "\"");
            }
            String name = o.substring(0, eq).strip();
            String value = o.substring(eq + 1).strip();
            if (value.startsWith("{") && value.endsWith("}")) value = value.substring(1, value.length() - 1).strip();
            switch (name) {
                case "timeout" -> timeout = time(name, value);
                case "max_idle" -> maxIdle = time(name, value);
                case "max_ttl" -> maxTtl = time(name, value);
                case "retry_delay" -> retryDelay = time(name, value);
                case "request_limit" -> requestLimit = number(name, value);
                case "try_limit" -> tryLimit = number(name, value);
                case "default_action" -> defaultAction = value;
                case "policy_context" -> context = value;
                default -> throw new IllegalArgumentException("policy service \"" + endpoint + "\": unknown attribute \""
                        + name + "\" (expected timeout, max_idle, max_ttl, retry_delay, request_limit, try_limit,"
                        + " default_action or policy_context)");
            }
        }
        if (timeout.isZero()) throw new IllegalArgumentException("policy service \"" + endpoint + "\": timeout must not be 0");
        String lower = endpoint.toLowerCase(Locale.ROOT);
        if (lower.startsWith("inet:")) {
            String hp = endpoint.substring(5);
            int colon = hp.lastIndexOf(':');
            if (colon <= 0 || colon == hp.length() - 1) {
                throw new IllegalArgumentException("bad policy service \"" + endpoint + "\": expected inet:host:port");
            }
            String host = hp.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
            int port = number("port", hp.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("bad policy service \"" + endpoint + "\": port " + port);
            }
            return new PolicySettings(endpoint, host, port, null, timeout, maxIdle, maxTtl, requestLimit, tryLimit,
                    retryDelay, defaultAction, context);
        }
        if (lower.startsWith("unix:") && endpoint.length() > 5) {
            Path p = Path.of(endpoint.substring(5));
            if (!p.isAbsolute()) p = Path.of(config.get("queue_directory")).resolve(p);
            return new PolicySettings(endpoint, null, 0, p, timeout, maxIdle, maxTtl, requestLimit, tryLimit,
                    retryDelay, defaultAction, context);
        }
        throw new IllegalArgumentException("bad policy service \"" + endpoint + "\": expected inet:host:port or unix:/path");
    }

    private static int number(String name, String v) {
        if (v.isEmpty() || v.length() > 9 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("bad numerical value for " + name + ": \"" + v + "\"");
        }
        return Integer.parseInt(v);
    }

    /** A Postfix time: a number with an optional unit s, m, h, d, w (or ms); a bare number is seconds. */
    static Duration time(String name, String v) {
        int end = 0;
        while (end < v.length() && v.charAt(end) >= '0' && v.charAt(end) <= '9') end++;
        if (end == 0 || end > 9) throw new IllegalArgumentException("bad time value for " + name + ": \"" + v + "\"");
        long n = Long.parseLong(v.substring(0, end));
        return switch (v.substring(end)) {
            case "", "s" -> Duration.ofSeconds(n);
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            case "w" -> Duration.ofDays(7 * n);
            default -> throw new IllegalArgumentException("bad time value for " + name + ": \"" + v + "\"");
        };
    }
}
