// IpAddressTest: address literals as glibc's inet_pton/inet_ntop read and print them, which is
// how cidr: tables parse rules and how access maps see a client address.
package org.postern.policies.table;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = ';', textBlock = """
            1.2.3.4                 ; 1.2.3.4
            2001:DB8:0:0:0:0:0:1    ; 2001:db8::1
            2001:db8:0:1:0:0:0:1    ; 2001:db8:0:1::1
            2001:db8:1:0:1:0:1:0    ; 2001:db8:1:0:1:0:1:0
            0:0:0:0:0:0:0:0         ; ::
            ::1                     ; ::1
            1::                     ; 1::
            1:0:0:2:0:0:0:3         ; 1:0:0:2::3
            1:0:0:0:2:0:0:3         ; 1::2:0:0:3
            ::ffff:192.0.2.1        ; ::ffff:192.0.2.1
            ::ffff:c000:201         ; ::ffff:192.0.2.1
            ::192.0.2.1             ; ::192.0.2.1
            ::1:2:3:4:5:6:7         ; 0:1:2:3:4:5:6:7
            1:2:3:4:5:6:7::         ; 1:2:3:4:5:6:7:0
            """)
    void printsAsInetNtop(String literal, String printed) {
        assertThat(IpAddress.format(IpAddress.parse(literal))).isEqualTo(printed);
    }

    @ParameterizedTest
    @ValueSource(strings = {"01.2.3.4", "1.2.3", "1.2.3.256", "1.2.3.4.5", "1..2.3", "a.b.c.d", "::1::2", "1:2:3:4:5:6:7:8:9",
            "12345::", ":1", "1:", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3", "[::1]", ""})
    void rejectsWhatInetPtonRejects(String literal) {
        assertThat(IpAddress.parse(literal)).isNull();
    }
}
