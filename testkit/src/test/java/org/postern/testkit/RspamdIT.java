// RspamdIT: the real rspamd starts from testkit's own config tree on loopback, takes local.d and
// override.d files, scans without DNS, logs each scan, stops (port refused) and restarts on the same port,
// and leaves nothing behind on close. Integration test of testkit's Rspamd (needs Debian's rspamd package).
package org.postern.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RspamdIT {
    private static final String MAIL = "From: a@example.org\r\nTo: b@example.net\r\nSubject: hi\r\n"
            + "Message-ID: <kit1@example.org>\r\n\r\nHello Bob, see you at noon.\r\n";

    private static HttpResponse<String> check(Rspamd r, String queueId) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(r.url() + "/checkv2"))
                .timeout(Duration.ofSeconds(10))
                .header("Queue-Id", queueId).header("IP", "192.0.2.7").header("From", "a@example.org")
                .header("Rcpt", "b@example.net")
                .POST(HttpRequest.BodyPublishers.ofString(MAIL)).build();
        return HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void scansOfflineTakesConfigFilesAndRestartsOnItsPort() throws Exception {
        Path dir;
        try (Rspamd r = Rspamd.builder()
                .local("actions.conf", "reject = 150;\n") // priority 1: over Debian's 15
                .override("hfilter.conf", "enabled = false;\n") // replaces testkit's own hfilter.conf
                .start()) {
            dir = r.directory();
            assertThat(r.url()).isEqualTo("http://127.0.0.1:" + r.port());
            assertThat(Files.readString(dir.resolve("override.d/hfilter.conf"))).isEqualTo("enabled = false;\n");
            assertThat(r.scanLog()).anySatisfy(l -> assertThat(l).contains("qid: <" + Rspamd.WARM_UP_QUEUE_ID + ">"));

            HttpResponse<String> res = check(r, "KIT0000001");
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.body()).contains("\"action\":\"no action\"", "\"required_score\":150.0");
            String line = r.scanLog().stream().filter(l -> l.contains("qid: <KIT0000001>")).findFirst().orElseThrow();
            assertThat(line).contains("ip: 192.0.2.7", "dns req: 0")
                    .doesNotContain("HFILTER_HOSTNAME_UNKNOWN"); // hfilter is off: the override took
            assertThat(r.log()).contains("lua module rbl is disabled", "lua module hfilter is disabled");

            int port = r.port();
            long pid = r.pid();
            r.stop();
            assertThat(r.isRunning()).isFalse();
            try {
                check(r, "KIT0000002");
                throw new AssertionError("rspamd still answers after stop()");
            } catch (ConnectException expected) {
                // refused
            }
            r.restart();
            assertThat(r.isRunning()).isTrue();
            assertThat(r.port()).isEqualTo(port);
            assertThat(r.pid()).isNotEqualTo(pid);
            assertThat(check(r, "KIT0000003").statusCode()).isEqualTo(200);
        }
        assertThat(dir).doesNotExist();
    }
}
