// ContentFilterCrashIT: kill -9 of `postern` while a vscan_mode=content-filter listener is relaying a message
// to its next hop (Postfix's smtp-sink, stalled at DATA) and has not answered its client yet; after the restart
// the message is removed, not delivered by the after-queue stage -- the client was never answered and resends it.
package org.postern.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.testkit.Await;
import org.postern.testkit.FreePort;
import org.postern.testkit.RawSmtpClient;
import org.postern.testkit.SmtpSink;

class ContentFilterCrashIT {
    @TempDir
    Path config;

    @AfterEach
    void stopLeftovers() throws IOException {
        PosternProcess.killLeftover(config);
    }

    @Test
    void aMessageWhoseClientWasNeverAnsweredIsNotDeliveredAfterARestart() throws Exception {
        int port = FreePort.next();
        // the next hop answers DATA only after 30 s: the relay is still waiting when postern is killed
        try (SmtpSink sink = SmtpSink.builder().dumpMessages().args("-w", "30").start()) {
            Files.writeString(config.resolve("main.cf"), String.join("\n",
                    "queue_directory = $config_directory/spool", "data_directory = $config_directory/data",
                    "maillog_file = $config_directory/maillog", "myhostname = it.example.test",
                    "mynetworks = 127.0.0.0/8", "smtpd_peername_lookup = no", ""));
            Files.writeString(config.resolve("master.cf"), "qmgr unix n - n 300 1 qmgr\n"
                    + "127.0.0.1:" + port + " inet n - n - - smtpd\n"
                    + "  -o vscan_mode=content-filter\n"
                    + "  -o vscan_content_filter_nexthop=[127.0.0.1]:" + sink.port() + "\n"
                    + "  -o smtpd_relay_restrictions=permit_mynetworks,reject\n");
            assertThat(PosternProcess.run(config, "start").exit()).isZero();
            long pid = new PidFile(config.resolve("data/master.pid")).read().orElseThrow();

            Path incoming = config.resolve("spool/incoming");
            CompletableFuture<RawSmtpClient.Reply> answer;
            try (RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", port, Duration.ofSeconds(60))) {
                assertThat(c.readReply().code()).isEqualTo(220);
                assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
                assertThat(c.command("MAIL FROM:<s@client.test>").code()).isEqualTo(250);
                assertThat(c.command("RCPT TO:<r@example.test>").code()).isEqualTo(250);
                assertThat(c.command("DATA").code()).isEqualTo(354);
                c.send("Subject: in transit\r\n\r\nrelayed while postern dies\r\n.\r\n");
                answer = CompletableFuture.supplyAsync(() -> {
                    try {
                        return c.readReply();
                    } catch (IOException e) {
                        return null; // the connection died with postern: no answer
                    }
                });
                try {
                    Await.until("the message committed to incoming/ and the relay under way", Duration.ofSeconds(30),
                            () -> !committed(incoming).isEmpty() && connectedTo(sink.port()));
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; incoming/ " + committed(incoming) + ", connected "
                            + connectedTo(sink.port()) + ", answer " + (answer.isDone() ? answer.get() : "none") + "; maillog:\n"
                            + Files.readString(config.resolve("maillog")), e);
                }
                assertThat(answer).as("not answered while the next hop stalls").isNotDone();
                ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // kill -9: no shutdown hook runs
                Await.until("postern gone", Duration.ofSeconds(30), () -> ProcessHandle.of(pid).isEmpty());
                assertThat(answer.get()).as("the client never got a reply").isNull();
            }
            String id = committed(incoming).get(0);

            assertThat(PosternProcess.run(config, "start").exit()).isZero();
            Path maillog = config.resolve("maillog");
            Await.until("the unanswered message removed at restart", Duration.ofSeconds(60), () ->
                    Files.readString(maillog).contains(id + ": vscan: removed: content-filter mail whose client was never answered"));
            assertThat(committed(incoming)).isEmpty();
            try (Stream<Path> active = Files.list(config.resolve("spool/active"))) {
                assertThat(active.toList()).isEmpty();
            }
            assertThat(Files.readString(maillog)).doesNotContain(id + ": to=<r@example.test>");
            assertThat(PosternProcess.run(config, "stop").exit()).isZero();
            assertThat(sink.messageCount()).as("the next hop never got it whole").isZero();
        }
    }

    /** True when the sink, listening on IPv4 {@code port}, has an established connection (the relay reached it). */
    private static boolean connectedTo(int port) throws IOException {
        String local = String.format("0100007F:%04X", port);
        for (String line : Files.readAllLines(Path.of("/proc/net/tcp"))) {
            String[] f = line.strip().split("\\s+");
            if (f.length > 3 && f[1].equals(local) && f[3].equals("01")) return true;
        }
        return false;
    }

    /** Names of the committed (not .tmp) files in incoming/. */
    private static List<String> committed(Path incoming) throws IOException {
        try (Stream<Path> files = Files.list(incoming)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".tmp")).toList();
        }
    }
}
