// ClientLimits: smtpd's per-client limits, as Postfix's smtpd applies them with anvil(8) -- concurrent
// connections, and connections, MAIL FROM, RCPT TO and AUTH commands per anvil_rate_time_unit, with the
// clients exempt. main.cf: smtpd_client_connection_count_limit, smtpd_client_{connection,message,
// recipient,auth}_rate_limit (0: none), smtpd_client_event_limit_exceptions ($mynetworks), anvil_rate_time_unit.
package org.postern.gateway.smtpd;

import java.net.InetAddress;
import java.time.Duration;
import org.postern.gateway.anvil.Anvil;
import org.postern.policies.conf.Config;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.NetworkList;

record ClientLimits(int connectionCount, int connectionRate, int messageRate, int recipientRate, int authRate,
                    NetworkList exceptions, Duration unit) {
    static final String EXCEPTIONS = "smtpd_client_event_limit_exceptions";

    static ClientLimits from(Config c) throws ConfigException {
        return new ClientLimits(c.getInt("smtpd_client_connection_count_limit"),
                c.getInt("smtpd_client_connection_rate_limit"), c.getInt("smtpd_client_message_rate_limit"),
                c.getInt("smtpd_client_recipient_rate_limit"), c.getInt("smtpd_client_auth_rate_limit"),
                NetworkList.parse(c.get(EXCEPTIONS), c.originOf(EXCEPTIONS)), c.getTime("anvil_rate_time_unit"));
    }

    /** The limit on {@code event}s per client and time unit; 0: none. */
    int rateLimit(Anvil.Event event) {
        return switch (event) {
            case CONNECT -> connectionRate;
            case MAIL -> messageRate;
            case RCPT -> recipientRate;
            case AUTH -> authRate;
        };
    }

    /** True when a rate limit is set, so smtpd needs counters. */
    boolean anyRate() {
        return connectionRate > 0 || messageRate > 0 || recipientRate > 0 || authRate > 0;
    }

    /** True for a client no limit applies to (smtpd_client_event_limit_exceptions). */
    boolean exempt(InetAddress client) {
        return client != null && exceptions.contains(client);
    }
}
