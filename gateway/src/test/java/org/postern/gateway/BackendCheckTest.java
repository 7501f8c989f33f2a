// BackendCheckTest: what `postern check` says of the backend's configuration (master.cf has qmgr) --
// a bad scanner address and a transport_maps entry with an unknown transport, each as
// "file:line: error: ...", as every other check problem.
package org.postern.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.policies.conf.Config;

class BackendCheckTest {
    @TempDir
    Path dir;

    @Test
    void scannerAddressesAndTransportsAreErrorsAtTheirLines() throws Exception {
        Files.writeString(dir.resolve("main.cf"), String.join("\n",
                "myhostname = gw.example.test",
                "vscan_clamd_address = clamd.example",
                "vscan_rspamd_url = ftp://127.0.0.1:11333",
                "transport_maps = inline:{ { a.test = frobnicate:[x] } }",
                ""));
        Files.writeString(dir.resolve("master.cf"), "qmgr unix n - n 300 1 qmgr\n");

        List<String> problems = Gateway.checkBackend(Config.load(dir));

        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith(dir.resolve("main.cf") + ":2: error: vscan_clamd_address = clamd.example: "));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith(dir.resolve("main.cf") + ":3: error: vscan_rspamd_url"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains(": error: transport_maps: unknown mail transport \"frobnicate\""));
    }

    @Test
    void aGoodBackendHasNoProblems() throws Exception {
        Files.writeString(dir.resolve("main.cf"), "myhostname = gw.example.test\ntransport_maps = inline:{ { a.test = smtp:[x.test] } }\n");
        Files.writeString(dir.resolve("master.cf"), "qmgr unix n - n 300 1 qmgr\n");
        assertThat(Gateway.checkBackend(Config.load(dir))).isEmpty();
    }
}
