// ClamdFilterConfigTest: ClamdFilter.fromConfig reading main.cf vscan_clamd_address and
// vscan_clamd_timeout -- empty address means no antivirus, a malformed one names main.cf:line and
// the value. Unit test; writes main.cf/master.cf to a temporary directory, connects nowhere.
package org.postern.filters.clamav;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.postern.filters.clamav.ScanMessages.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.postern.policies.conf.Config;
import org.postern.testkit.SharedVertx;

class ClamdFilterConfigTest {
    @RegisterExtension
    static final SharedVertx VERTX = new SharedVertx();
    @TempDir
    Path dir;


    private Config load(String mainCf) throws Exception {
        Files.writeString(dir.resolve("main.cf"), mainCf);
        Files.writeString(dir.resolve("master.cf"), "smtp inet n - n - - smtpd\n");
        return Config.load(dir);
    }

    @Test
    void emptyAddressMeansNoAntivirus() throws Exception {
        assertThat(ClamdFilter.fromConfig(VERTX.get(), load("# nothing\n"))).isEmpty();
        assertThat(ClamdFilter.fromConfig(VERTX.get(), load("vscan_clamd_address =\n"))).isEmpty();
    }

    @Test
    void unixAddressAndTimeout() throws Exception {
        Optional<ClamdFilter> f = ClamdFilter.fromConfig(VERTX.get(),
                load("vscan_clamd_address = unix:/run/clamav/clamd.ctl\nvscan_clamd_timeout = 90s\n"));
        assertThat(f).isPresent();
        assertThat(f.get().name()).isEqualTo("clamav");
        assertThat(f.get().address()).isEqualTo(ClamdAddress.unix(Path.of("/run/clamav/clamd.ctl")));
        assertThat(f.get().timeout()).isEqualTo(Duration.ofSeconds(90));
        await(f.get().close());
    }

    @Test
    void tcpAddressWithDefaultTimeout() throws Exception {
        ClamdFilter f = ClamdFilter.fromConfig(VERTX.get(), load("vscan_clamd_address = 127.0.0.1:3310\n")).orElseThrow();
        assertThat(f.address()).isEqualTo(ClamdAddress.inet("127.0.0.1", 3310));
        assertThat(f.timeout()).isEqualTo(Duration.ofSeconds(60));
        await(f.close());
    }

    @Test
    void malformedAddressNamesMainCfLineAndValue() throws Exception {
        Config config = load("# clamd\n\nvscan_clamd_address = clamd.example\n");
        assertThatThrownBy(() -> ClamdFilter.fromConfig(VERTX.get(), config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(dir.resolve("main.cf") + ":3: vscan_clamd_address = clamd.example: bad clamd address "
                        + "'clamd.example': expected unix:/path, inet:host:port or host:port");
    }

    @Test
    void malformedOverrideStillNamesMainCf() throws Exception {
        Config config = Config.defaults(dir).withOverrides(java.util.Map.of("vscan_clamd_address", "unix:relative"));
        assertThatThrownBy(() -> ClamdFilter.fromConfig(VERTX.get(), config))
                .hasMessageStartingWith("main.cf (builtin:override): vscan_clamd_address = unix:relative: ")
                .hasMessageContaining("must be absolute");
    }

    @Test
    void sessionCacheIsOnByDefault_andZeroTurnsItOff() throws Exception {
        ClamdFilter on = ClamdFilter.fromConfig(VERTX.get(), load("vscan_clamd_address = 127.0.0.1:3310\n")).orElseThrow();
        ClamdFilter off = ClamdFilter.fromConfig(VERTX.get(), load(
                "vscan_clamd_address = 127.0.0.1:3310\nvscan_clamd_connection_cache_time_limit = 0\n")).orElseThrow();
        assertThat(on.toString()).endsWith(", sessions]");
        assertThat(off.toString()).doesNotContain("sessions");
        await(on.close());
        await(off.close());
    }
}
