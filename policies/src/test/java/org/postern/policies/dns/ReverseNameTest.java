// ReverseNameTest: reversed-address labels for DNSBL queries and PTR names, IPv4 and IPv6 nibbles.
package org.postern.policies.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ReverseNameTest {

    @Test
    void ipv4OctetsAreReversed() throws Exception {
        assertThat(ReverseName.labels(InetAddress.getByName("127.0.0.2"))).isEqualTo("2.0.0.127");
        assertThat(ReverseName.labels(InetAddress.getByName("192.0.2.254"))).isEqualTo("254.2.0.192");
        assertThat(ReverseName.ptrName(InetAddress.getByName("192.0.2.25"))).isEqualTo("25.2.0.192.in-addr.arpa");
    }

    @Test
    void ipv6IsThirtyTwoReversedNibbles() throws Exception {
        String labels = ReverseName.labels(InetAddress.getByName("2001:db8::1"));
        assertThat(labels).isEqualTo("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2");
        assertThat(labels.split("\\.")).hasSize(32);
        assertThat(ReverseName.labels(InetAddress.getByName("2001:DB8:ABCD:12::FE")))
                .isEqualTo("e.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.1.0.0.d.c.b.a.8.b.d.0.1.0.0.2");
        assertThat(ReverseName.ptrName(InetAddress.getByName("::1")))
                .isEqualTo("1." + "0.".repeat(31) + "ip6.arpa");
    }

    @Test
    void ipv4MappedIpv6IsQueriedAsIpv4() throws Exception {
        assertThat(ReverseName.labels(InetAddress.getByName("::ffff:127.0.0.2"))).isEqualTo("2.0.0.127");
    }
}
