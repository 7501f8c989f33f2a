// ClamdAddressTest: parsing of main.cf vscan_clamd_address -- unix:/path, inet:host:port, host:port,
// [IPv6]:port -- and errors that name the bad value. Unit test; no I/O.
package org.postern.filters.clamav;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClamdAddressTest {
    @Test
    void unixSocket() {
        ClamdAddress a = ClamdAddress.parse("unix:/run/clamav/clamd.ctl");
        assertThat(a.isUnix()).isTrue();
        assertThat(a.path()).isEqualTo(Path.of("/run/clamav/clamd.ctl"));
        assertThat(a.toSocketAddress().isDomainSocket()).isTrue();
        assertThat(a.toSocketAddress().path()).isEqualTo("/run/clamav/clamd.ctl");
        assertThat(a).hasToString("unix:/run/clamav/clamd.ctl");
    }

    @ParameterizedTest
    @CsvSource({
            "inet:127.0.0.1:3310, 127.0.0.1, 3310, inet:127.0.0.1:3310",
            "127.0.0.1:3310, 127.0.0.1, 3310, inet:127.0.0.1:3310",
            "INET:clamd.example:1, clamd.example, 1, inet:clamd.example:1",
            "' localhost:65535 ', localhost, 65535, inet:localhost:65535",
            "inet:[::1]:3310, ::1, 3310, inet:[::1]:3310",
            "[::1]:3310, ::1, 3310, inet:[::1]:3310",
    })
    void tcp(String value, String host, int port, String canonical) {
        ClamdAddress a = ClamdAddress.parse(value);
        assertThat(a.isUnix()).isFalse();
        assertThat(a.host()).isEqualTo(host);
        assertThat(a.port()).isEqualTo(port);
        assertThat(a.toSocketAddress().port()).isEqualTo(port);
        assertThat(a.toSocketAddress().host()).isEqualTo(host);
        assertThat(a).hasToString(canonical);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            unix:run/clamd.ctl       | must be absolute
            /run/clamav/clamd.ctl    | write a socket path as unix:/run/clamav/clamd.ctl
            127.0.0.1                | expected unix:/path, inet:host:port or host:port
            inet:127.0.0.1:0         | '0' is not a TCP port (1-65535)
            127.0.0.1:65536          | '65536' is not a TCP port (1-65535)
            127.0.0.1:33x            | '33x' is not a TCP port
            127.0.0.1:               | '' is not a TCP port
            :3310                    | the host is empty
            ::1:3310                 | write an IPv6 address as [address]:port
            [::1]3310                | expected [IPv6-address]:port
            [clamd]:3310             | only an IPv6 address goes in [brackets]
            clamd host:3310          | 'clamd host' is not a host name or IP address
            """)
    void malformedValuesAreNamed(String value, String why) {
        assertThatThrownBy(() -> ClamdAddress.parse(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("bad clamd address '" + value + "': ")
                .hasMessageContaining(why);
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix:/run/clamd ctl", "unix:/run/cl\tamd"})
    void whiteSpaceInSocketPath(String value) {
        assertThatThrownBy(() -> ClamdAddress.parse(value)).hasMessageContaining("white space");
    }
}
