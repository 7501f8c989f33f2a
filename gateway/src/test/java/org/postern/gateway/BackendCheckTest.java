// BackendCheckTest: `postern check` finds the backend's configuration errors (routing tables, transports,
// scanner addresses, thresholds) as "file:line: error: ...", and says nothing for a good configuration or
// without qmgr.
package org.postern.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.policies.conf.Config;

class BackendCheckTest {
    @TempDir
    Path dir;

    private Config config(String master, String... mainCf) throws Exception {
        Files.writeString(dir.resolve("main.cf"), String.join("\n", mainCf) + "\n");
        Files.writeString(dir.resolve("master.cf"), master);
        return Config.load(dir);
    }

    @Test
    void badTablesAndScannerAddressesAreNamedByLine() throws Exception {
        Config c = config("qmgr unix n - n 300 1 qmgr\n127.0.0.1:2525 inet n - n - - smtpd\n",
                "relayhost = [127.0.0.1]:2526", "transport_maps = hash:" + dir.resolve("missing"),
                "vscan_clamd_address = bogus", "vscan_spam_tag_score = lots");
        assertThat(Gateway.checkBackend(c)).anySatisfy(p -> assertThat(p).contains("main.cf:2", "missing"))
                .anySatisfy(p -> assertThat(p).contains("main.cf:3", "bad clamd address 'bogus'"))
                .anySatisfy(p -> assertThat(p).contains("vscan_spam_tag_score = lots"));
    }

    @Test
    void scannerAddressesThresholdsAndTransportsAreErrorsAtTheirLines() throws Exception {
        Config c = config("qmgr unix n - n 300 1 qmgr\n", "myhostname = gw.example.test",
                "vscan_clamd_address = clamd.example", "vscan_rspamd_url = ftp://127.0.0.1:11333",
                "transport_maps = inline:{ { a.test = frobnicate:[x] } }", "vscan_spam_kill_score = lots");
        String mainCf = dir.resolve("main.cf").toString();
        assertThat(Gateway.checkBackend(c))
                .anySatisfy(p -> assertThat(p).startsWith(mainCf + ":2: error: vscan_clamd_address = clamd.example: "))
                .anySatisfy(p -> assertThat(p).startsWith(mainCf + ":3: error: vscan_rspamd_url"))
                .anySatisfy(p -> assertThat(p).contains(": error: transport_maps: unknown mail transport \"frobnicate\""))
                .anySatisfy(p -> assertThat(p).isEqualTo(mainCf + ":5: error: vscan_spam_kill_score = lots: not a number"));
    }

    @Test
    void aGoodConfigurationOrNoBackendHasNoProblems() throws Exception {
        Files.writeString(dir.resolve("transport"), "example.test smtp:[127.0.0.1]:2526\n");
        Config good = config("qmgr unix n - n 300 1 qmgr\n127.0.0.1:2525 inet n - n - - smtpd\n",
                "transport_maps = texthash:" + dir.resolve("transport"), "vscan_clamd_address = inet:127.0.0.1:3310");
        assertThat(Gateway.checkBackend(good)).isEmpty();
        Config goodInline = config("qmgr unix n - n 300 1 qmgr\n", "transport_maps = inline:{ { a.test = smtp:[x.test] } }");
        assertThat(Gateway.checkBackend(goodInline)).isEmpty();
        Config frontOnly = config("127.0.0.1:2525 inet n - n - - smtpd\n", "transport_maps = hash:/nowhere");
        assertThat(Gateway.checkBackend(frontOnly)).isEmpty();
    }
}
