// Service: one master.cf inet service that Postern runs as an smtpd listener (front door, or a
// reinject listener such as 127.0.0.1:10025), with its -o overrides; the gateway binds one
// listener per Service and runs it with config(main).
package org.postern.policies.conf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.postern.core.Origin;

/**
 * A master.cf {@code inet} service whose command is {@code smtpd}.
 *
 * @param name      master.cf column 1 as written: "smtp", "submission", "127.0.0.1:10025", "2525"
 * @param host      the address to listen on ("127.0.0.1", "::1" without brackets, "localhost"), null = all
 * @param port      the TCP port (smtp 25, submission 587, smtps/submissions 465, or the number)
 * @param command   the command column ("smtpd")
 * @param args      command arguments other than -o overrides, braces removed
 * @param overrides -o name=value pairs in file order, values unexpanded
 * @param origin    master.cf:LINE of the entry (builtin:default for the implicit smtp service)
 * @param maxproc   maximal concurrent sessions; 0 = no limit; "-" in master.cf = default_process_limit
 */
public record Service(String name, String host, int port, String command, List<String> args,
                      Map<String, String> overrides, Origin origin, int maxproc) {

    public Service {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(origin, "origin");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
        if (maxproc < 0) throw new IllegalArgumentException("maxproc < 0: " + maxproc);
        args = List.copyOf(args);
        overrides = Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
    }

    /** The service used when master.cf is absent: {@code smtp inet n - n - - smtpd}. */
    static Service defaultSmtp(int defaultProcessLimit) {
        return new Service("smtp", null, 25, "smtpd", List.of(), Map.of(), Origin.builtin("default"),
                defaultProcessLimit);
    }

    /**
     * The configuration this service runs with: {@code main} plus this service's -o overrides
     * (and service_name = this service's name), validated like main.cf; errors name master.cf:LINE.
     */
    public Config config(Config main) throws ConfigException {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("service_name", name);
        all.putAll(overrides);
        return main.withOverrides(all, origin);
    }
}
