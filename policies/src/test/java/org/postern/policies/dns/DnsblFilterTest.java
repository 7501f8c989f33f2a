// DnsblFilterTest: the "=d.d.d.d" reply patterns of reject_rbl_client & co (numbers, [a;b;c] lists,
// [n..m] ranges) and the diagnostics for bad ones, which must name the offending token.
package org.postern.policies.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class DnsblFilterTest {

    private static boolean matches(String filter, String reply) throws Exception {
        return DnsblFilter.parse(filter).matches(InetAddress.getByName(reply));
    }

    @Test
    void exactAddress() throws Exception {
        assertThat(matches("127.0.0.2", "127.0.0.2")).isTrue();
        assertThat(matches("127.0.0.2", "127.0.0.3")).isFalse();
        assertThat(matches("127.0.0.2", "127.0.1.2")).isFalse();
    }

    @Test
    void rangeIsInclusive() throws Exception {
        DnsblFilter f = DnsblFilter.parse("127.0.0.[2..11]");
        for (int i = 0; i <= 255; i++) {
            assertThat(f.matches(InetAddress.getByName("127.0.0." + i))).as("127.0.0.%d", i).isEqualTo(i >= 2 && i <= 11);
        }
    }

    @Test
    void listOfNumbersAndRanges() throws Exception {
        DnsblFilter f = DnsblFilter.parse("127.0.0.[2;3;5;10..11]");
        assertThat(f.matches(InetAddress.getByName("127.0.0.2"))).isTrue();
        assertThat(f.matches(InetAddress.getByName("127.0.0.3"))).isTrue();
        assertThat(f.matches(InetAddress.getByName("127.0.0.4"))).isFalse();
        assertThat(f.matches(InetAddress.getByName("127.0.0.5"))).isTrue();
        assertThat(f.matches(InetAddress.getByName("127.0.0.11"))).isTrue();
        assertThat(f.matches(InetAddress.getByName("127.0.0.12"))).isFalse();
    }

    @Test
    void patternsInSeveralOctets() throws Exception {
        assertThat(matches("127.0.[0..255].[2..5]", "127.0.7.4")).isTrue();
        assertThat(matches("127.0.[0..255].[2..5]", "127.0.7.6")).isFalse();
        assertThat(matches("127.0.[0..255].[2..5]", "127.1.7.4")).isFalse();
        assertThat(matches("[127;10].0.0.2", "10.0.0.2")).isTrue();
    }

    @Test
    void anyMatchesEverythingAndIpv6OnlyThenAndNotOtherwise() throws Exception {
        assertThat(DnsblFilter.any().matches(InetAddress.getByName("127.0.0.99"))).isTrue();
        assertThat(DnsblFilter.any().matches(InetAddress.getByName("::1"))).isTrue();
        assertThat(DnsblFilter.any().isAny()).isTrue();
        assertThat(matches("127.0.0.[0..255]", "::1")).isFalse();
    }

    @Test
    void keepsTheTextAsWrittenAndComparesBySet() {
        assertThat(DnsblFilter.parse("127.0.0.[2..3]")).hasToString("127.0.0.[2..3]");
        assertThat(DnsblFilter.parse("127.0.0.[2..3]")).isEqualTo(DnsblFilter.parse("127.0.0.[2;3]"));
        assertThat(DnsblFilter.parse("127.0.0.[2..3]")).isNotEqualTo(DnsblFilter.parse("127.0.0.[2..4]"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "127.0.0.[2..x]       | x       | \"x\" is not a number from 0 to 255",
            "127.0.0.256          | 256     | \"256\" is not a number from 0 to 255",
            "127.0.0              | 127.0.0 | only 3 of 4 octets",
            "127.0.0.             | 127.0.0. | only 3 of 4 octets",
            "127.0.0.2.5          | .5      | text after the 4th octet",
            "127.0.0.[2..11       | [2..11  | no closing \"]\"",
            "127.0.0.[]           | []      | empty \"[]\"",
            "127.0.0.[2;;3]       | [2;;3]  | empty element",
            "127.0.0.[11..2]      | 11..2   | runs backwards",
            "127.0.[0]x.2         | x.2     | expected \".\" after octet 3",
            "127.0.x.2            | x       | \"x\" is not a number",
            "127.0.0.-1           | -1      | \"-1\" is not a number",
    })
    void badFiltersNameTheToken(String filter, String token, String message) {
        assertThatThrownBy(() -> DnsblFilter.parse(filter))
                .isInstanceOf(DnsblSyntaxException.class)
                .hasMessageStartingWith("bad DNSBL reply filter \"" + filter + "\": ")
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((DnsblSyntaxException) e).token()).isEqualTo(token));
    }

    @Test
    void emptyFilterIsAnError() {
        assertThatThrownBy(() -> DnsblFilter.parse("")).isInstanceOf(DnsblSyntaxException.class).hasMessageContaining("empty");
    }
}
