// AddressesTest: the syntax helpers behind the HELO and address restrictions -- Postfix's
// valid_hostname/valid_hostaddr/valid_mailhost_addr, routed addresses, and the IPv6 print form
// used in replies, log lines and policy requests.
package org.postern.policies.restrict;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressesTest {

    @ParameterizedTest
    @CsvSource({"mail.example.com,true", "a-b.example,true", "under_score.example,true", "-lead.example,false",
            "trail-.example,false", "a..b,false", "1.2.3.4,false", "123,false", "bad!char,false", "x,true"})
    void validHostname(String name, boolean valid) {
        assertThat(Addresses.validHostname(name, false)).isEqualTo(valid);
    }

    @ParameterizedTest
    @CsvSource({"192.0.2.1,true", "192.0.2.256,false", "192.0.2,false", "2001:db8::1,true", "::1,true", "::,true",
            "2001:db8::1::2,false", "1:2:3:4:5:6:7:8,true", "1:2:3:4:5:6:7:8:9,false", "::ffff:192.0.2.1,true",
            "2001:db8:,false", "12345::,false", "::\u0663,false", "\uff11::,false"})
    void validHostaddr(String addr, boolean valid) {
        assertThat(Addresses.validHostaddr(addr)).isEqualTo(valid);
    }

    @ParameterizedTest
    @CsvSource({"192.0.2.1,true", "IPv6:2001:db8::1,true", "ipv6:::1,true", "2001:db8::1,false", "IPv6:192.0.2.1,false"})
    void validMailhostAddr(String addr, boolean valid) {
        assertThat(Addresses.validMailhostAddr(addr)).isEqualTo(valid);
    }

    @ParameterizedTest
    @CsvSource({"2001:db8:0:0:0:0:0:1,2001:db8::1", "0:0:0:0:0:0:0:1,::1", "2001:db8:0:1:0:0:0:0,2001:db8:0:1::",
            "2001:0:0:1:0:0:0:1,2001:0:0:1::1", "2001:0:0:1:1:0:0:1,2001::1:1:0:0:1", "2001:db8:1:2:3:4:5:6,2001:db8:1:2:3:4:5:6", "192.0.2.9,192.0.2.9"})
    void formatsAddressesAsPostfixPrintsThem(String in, String out) {
        assertThat(Addresses.format(FakeDns.literal(in))).isEqualTo(out);
    }

    @ParameterizedTest
    @CsvSource({"user%host@example.com,true", "host!user@example.com,true", "\"a@b\"@example.com,true",
            "plain@example.com,false", "user,false"})
    void routedAddresses(String address, boolean routed) {
        assertThat(Addresses.isRouted(address)).isEqualTo(routed);
    }
}
