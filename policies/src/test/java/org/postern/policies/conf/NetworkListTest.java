// NetworkListTest: mynetworks syntax and matching -- IPv4/IPv6 CIDR, brackets, IPv4-mapped
// addresses, negation, first match wins -- and Postfix's errors for bad patterns.
package org.postern.policies.conf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;
import org.postern.core.Origin;

class NetworkListTest {
    private static final Origin AT = new Origin("/etc/postern/main.cf", 9);

    private static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByAddress(InetLiteral.parse(literal));
    }

    private static boolean contains(String list, String address) throws Exception {
        return NetworkList.parse(list, AT).contains(ip(address));
    }

    @Test
    void ipv4CidrAndHostEntries() throws Exception {
        assertThat(contains("127.0.0.0/8", "127.1.2.3")).isTrue();
        assertThat(contains("127.0.0.0/8", "128.0.0.1")).isFalse();
        assertThat(contains("10.1.2.3", "10.1.2.3")).isTrue();
        assertThat(contains("10.1.2.3", "10.1.2.4")).isFalse();
        assertThat(contains("[10.1.2.3]", "10.1.2.3")).isTrue();
        assertThat(contains("192.168.0.0/23", "192.168.1.255")).isTrue();
        assertThat(contains("192.168.0.0/23", "192.168.2.0")).isFalse();
        assertThat(contains("0.0.0.0/0", "8.8.8.8")).isTrue();
        assertThat(contains("0.0.0.0/0", "2001:db8::1")).isFalse();
    }

    @Test
    void ipv6EntriesBracketedOrNot() throws Exception {
        assertThat(contains("[::1]/128", "::1")).isTrue();
        assertThat(contains("[::1]", "::1")).isTrue();
        assertThat(contains("[2001:db8::]/32", "2001:db8:ffff::1")).isTrue();
        assertThat(contains("[2001:db8::]/32", "2001:db9::1")).isFalse();
        assertThat(contains("2001:db8::/32", "2001:db8::5")).isTrue();
        assertThat(contains("fe80::/10", "fe80::1")).isTrue();
        assertThat(contains("::/0", "2001:db8::1")).isTrue();
        assertThat(contains("::/0", "10.0.0.1")).isFalse();
    }

    @Test
    void ipv4MappedAddressesAndEntriesMatchIpv4() throws Exception {
        assertThat(contains("::ffff:127.0.0.0/104", "127.0.0.1")).isTrue();
        assertThat(contains("[::ffff:127.0.0.0]/104", "127.9.9.9")).isTrue();
        assertThat(contains("[::ffff:127.0.0.0]/104", "10.0.0.1")).isFalse();
        assertThat(contains("127.0.0.0/8", "::ffff:127.0.0.1")).isTrue();
        NetworkList list = NetworkList.parse("127.0.0.0/8", AT);
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 127;
        mapped[15] = 1;
        assertThat(list.contains(java.net.Inet6Address.getByAddress(null, mapped, -1))).isTrue();
    }

    @Test
    void negationAndFirstMatchWins() throws Exception {
        String list = "!10.1.0.0/16, 10.0.0.0/8 !192.0.2.1 192.0.2.0/24";
        assertThat(contains(list, "10.2.0.1")).isTrue();
        assertThat(contains(list, "10.1.0.1")).isFalse();
        assertThat(contains(list, "192.0.2.1")).isFalse();
        assertThat(contains(list, "192.0.2.2")).isTrue();
        assertThat(contains("", "127.0.0.1")).isFalse();
        assertThat(NetworkList.parse("  ,, ", AT).isEmpty()).isTrue();
        assertThat(NetworkList.parse("10.0.0.0/8, [::1]/128", AT)).hasToString("[10.0.0.0/8, [::1]/128]");
    }

    @Test
    void hostBitsSetIsAnErrorLikePostfix() {
        assertThatThrownBy(() -> NetworkList.parse("10.1.2.3/8", AT)).isInstanceOf(ConfigException.class)
                .hasMessage("/etc/postern/main.cf:9: error: non-null host address bits in \"10.1.2.3/8\","
                        + " perhaps you should use \"10.0.0.0/8\" instead");
        assertThatThrownBy(() -> NetworkList.parse("[2001:db8::1]/32", AT)).hasMessageContaining(
                "perhaps you should use \"[2001:db8::]/32\" instead");
        assertThatThrownBy(() -> NetworkList.parse("[::ffff:127.0.0.1]/104", AT)).hasMessageContaining(
                "perhaps you should use \"[::ffff:127.0.0.0]/104\" instead");
    }

    @Test
    void everyBadEntryIsReported() {
        try {
            NetworkList.parse("10.0.0.0/33 hash:/etc/postern/networks /etc/postern/nets foo 1.2.3 [::1]/129 fe80::1%eth0 !", AT);
        } catch (ConfigException e) {
            assertThat(e.diagnostics()).extracting(Diagnostic::message).containsExactly(
                    "bad net/mask pattern: \"10.0.0.0/33\"",
                    "\"hash:/etc/postern/networks\": lookup tables are not supported yet",
                    "\"/etc/postern/nets\": /file/name patterns are not supported yet",
                    "bad network address \"foo\": expected an address, address/prefix, [ipv6-address]/prefix or !pattern",
                    "bad network address \"1.2.3\": expected an address, address/prefix, [ipv6-address]/prefix or !pattern",
                    "bad net/mask pattern: \"[::1]/129\"",
                    "bad network address \"fe80::1%eth0\": expected an address, address/prefix, [ipv6-address]/prefix or !pattern",
                    "bad network address \"!\": expected an address, address/prefix, [ipv6-address]/prefix or !pattern");
            assertThat(e.diagnostics()).allMatch(d -> d.origin().equals(AT) && d.isError());
            return;
        }
        throw new AssertionError("expected ConfigException");
    }

    @Test
    void literalParserNeverResolvesNames() {
        assertThat(InetLiteral.parse("localhost")).isNull();
        assertThat(InetLiteral.parse("010.0.0.1")).isNull();
        assertThat(InetLiteral.parse("256.0.0.1")).isNull();
        assertThat(InetLiteral.parse("1::2::3")).isNull();
        assertThat(InetLiteral.parse("1:2:3:4:5:6:7:8:9")).isNull();
        assertThat(InetLiteral.parse("::\u0663")).isNull(); // not hex digits, though Character.digit says 3
        assertThat(InetLiteral.parse("\uff11::")).isNull();
        assertThat(InetLiteral.parse("1:2:3:4:5:6:7::")).hasSize(16);
        assertThat(InetLiteral.parse("::ffff:1.2.3.4")).hasSize(16);
        assertThat(InetLiteral.format(InetLiteral.parse("2001:0db8:0:0:1:0:0:1"))).isEqualTo("2001:db8::1:0:0:1");
        assertThat(InetLiteral.format(InetLiteral.parse("::"))).isEqualTo("::");
        assertThat(InetLiteral.format(InetLiteral.parse("1:0:2:3:4:5:6:7"))).isEqualTo("1:0:2:3:4:5:6:7");
    }
}
