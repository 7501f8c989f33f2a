// Resolvers: the one DNS resolver of a gateway snapshot, built from main.cf (dns_servers, empty:
// /etc/resolv.conf; dns_timeout). Shared by smtpd's client-name lookup and the restrictions.
package org.postern.gateway;

import java.time.Clock;
import java.util.List;
import org.postern.policies.conf.Config;
import org.postern.policies.dns.DnsResolver;
import org.postern.policies.dns.DnsjavaResolver;

final class Resolvers {
    private Resolvers() {}

    static DnsResolver fromConfig(Config config, Clock clock) {
        DnsjavaResolver.Builder b = DnsjavaResolver.builder().timeout(config.getTime("dns_timeout")).clock(clock);
        List<String> servers = config.getList("dns_servers");
        for (String s : servers) b.server(s);
        return b.build();
    }
}
