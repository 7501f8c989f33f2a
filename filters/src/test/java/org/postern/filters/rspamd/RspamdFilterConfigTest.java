// RspamdFilterConfigTest: where RspamdFilter sends checks -- vscan_rspamd_url over TCP (a base path kept) or
// unix:/path to a worker's socket, and fromConfig reading the three parameters or naming a bad value with its
// parameter. Unit test (surefire) against FakeRspamd; no real rspamd.
package org.postern.filters.rspamd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.postern.filters.FilterResult;
import org.postern.filters.FilterResult.Kind;
import org.postern.filters.ScanMessage;
import org.postern.policies.conf.Config;

class RspamdFilterConfigTest extends FakeRspamdTestBase {
    @Test
    void talksToAWorkerOnAUnixSocketWithBothBodyForms() throws Exception {
        FakeRspamd fake = FakeRspamd.startOnSocket(VERTX.get(), dir.resolve("normal.sock").toString());
        toClose.add(fake);
        fake.reply(200, REPLY);
        RspamdFilter filter = filter(fake);
        String content = TestMessages.clean("alice@example.org", "bob@example.net", "m3@example.org");
        ScanMessage onDisk = TestMessages.write(dir, TestMessages.envelope(), content);
        ScanMessage inMemory = new ScanMessage(onDisk.envelope(), onDisk.file(), onDisk.offset(), onDisk.size(),
                Buffer.buffer(content.getBytes(StandardCharsets.UTF_8)));

        for (ScanMessage msg : List.of(onDisk, inMemory)) {
            FilterResult r = await(filter.inspect(msg));
            assertThat(r.kind()).as("%s", r).isEqualTo(Kind.SCORED);
            assertThat(r.spam().score()).isEqualTo(6.2);
            FakeRspamd.Seen seen = fake.next();
            assertThat(seen.method()).isEqualTo("POST");
            assertThat(seen.uri()).isEqualTo("/checkv2");
            assertThat(seen.headers().getAll("Rcpt")).isNotEmpty();
            assertThat(new String(seen.smallBody(), StandardCharsets.UTF_8)).isEqualTo(content);
        }
        assertThat(filter.toString()).contains("unix:" + dir.resolve("normal.sock"));
    }

    @Test
    void aUnixSocketNobodyListensOnIsTempfailNamingIt() throws Exception {
        Path sock = dir.resolve("nobody.sock");
        RspamdFilter filter = filter("unix:" + sock, Duration.ofSeconds(10), "");
        FilterResult r = await(filter.inspect(TestMessages.write(dir, TestMessages.envelope(), "S: x\r\n\r\nb\r\n")));
        assertThat(r.kind()).isEqualTo(Kind.TEMPFAIL);
        assertThat(r.detail()).contains("rspamd unix:" + sock);
    }

    @Test
    void keepsTheBasePathOfTheUrl() throws Exception {
        FakeRspamd fake = fake().reply(200, REPLY);
        RspamdFilter filter = filter(fake.url() + "/rspamd/", Duration.ofSeconds(10), "");
        assertThat(await(filter.inspect(TestMessages.write(dir, TestMessages.envelope(), "S: x\r\n\r\nb\r\n"))).kind())
                .isEqualTo(Kind.SCORED);
        assertThat(fake.next().uri()).isEqualTo("/rspamd/checkv2");
    }

    @Test
    void fromConfigReadsTheThreeParameters() throws Exception {
        Config defaults = Config.defaults(dir);
        assertThat(RspamdFilter.fromConfig(VERTX.get(), defaults)).isEmpty();

        Config c = defaults.withOverrides(Map.of("vscan_rspamd_url", "http://127.0.0.1:11333",
                "vscan_rspamd_timeout", "45s", "vscan_rspamd_password", "pw"));
        RspamdFilter f = RspamdFilter.fromConfig(VERTX.get(), c, clock).orElseThrow();
        toClose.add(() -> await(f.close()));
        assertThat(f.name()).isEqualTo("rspamd");
        assertThat(f.url()).isEqualTo(URI.create("http://127.0.0.1:11333"));
        assertThat(f.timeout()).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void fromConfigSendsTheConfiguredPassword() throws Exception {
        FakeRspamd fake = fake().reply(200, REPLY);
        Config c = Config.defaults(dir).withOverrides(Map.of("vscan_rspamd_url", fake.url(),
                "vscan_rspamd_password", "from-main-cf"));
        RspamdFilter f = RspamdFilter.fromConfig(VERTX.get(), c, clock).orElseThrow();
        toClose.add(() -> await(f.close()));
        await(f.inspect(TestMessages.write(dir, TestMessages.envelope(), "S: x\r\n\r\nb\r\n")));
        assertThat(fake.next().headers().get("Password")).isEqualTo("from-main-cf");
    }

    @Test
    void fromConfigRejectsMalformedUrlsNamingParameterAndValue() throws Exception {
        for (String bad : List.of("127.0.0.1:11333", "ftp://127.0.0.1:11333", "http://", "http://u:p@127.0.0.1:1",
                "http://127.0.0.1:11333/?x=1", "http://127.0.0.1:11333/#f", "http://[::1:11333", "localhost",
                "unix:run/rspamd.sock", "unix:", "unix://host/run/rspamd.sock", "unix:/run/rspamd.sock?x=1")) {
            Config c = Config.defaults(dir).withOverrides(Map.of("vscan_rspamd_url", bad));
            assertThatThrownBy(() -> RspamdFilter.fromConfig(VERTX.get(), c)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("vscan_rspamd_url")
                    .hasMessageContaining(bad);
        }
    }

    @Test
    void fromConfigRejectsAZeroTimeout() throws Exception {
        Config c = Config.defaults(dir).withOverrides(Map.of("vscan_rspamd_url", "http://127.0.0.1:11333",
                "vscan_rspamd_timeout", "0s"));
        assertThatThrownBy(() -> RspamdFilter.fromConfig(VERTX.get(), c))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vscan_rspamd_timeout")
                .hasMessageContaining("0s");
    }
}
