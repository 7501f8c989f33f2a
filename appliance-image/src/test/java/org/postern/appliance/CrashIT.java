// CrashIT: kill -9 of a running `postern` in the middle of a 2,000-message load, then a restart: every
// message that got its 250 reaches Postfix's smtp-sink (invariant 1 and 2, end to end); duplicates are
// counted and reported (only messages in flight at the kill may be delivered twice).
package org.postern.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.testkit.Await;
import org.postern.testkit.FreePort;
import org.postern.testkit.RawSmtpClient;
import org.postern.testkit.SinkMessage;
import org.postern.testkit.SmtpSink;

class CrashIT {
    private static final int MESSAGES = 2000;
    private static final int CLIENTS = 4;
    private static final java.util.Queue<String> PROBLEMS = new java.util.concurrent.ConcurrentLinkedQueue<>();

    @TempDir
    Path config;

    @AfterEach
    void stopLeftovers() throws IOException {
        PosternProcess.killLeftover(config);
    }

    @Test
    void everyAcceptedMessageArrivesAfterKillNine() throws Exception {
        int port = FreePort.next();
        try (SmtpSink sink = SmtpSink.builder().dumpMessages().start()) {
            Files.writeString(config.resolve("main.cf"), String.join("\n",
                    "queue_directory = $config_directory/spool", "data_directory = $config_directory/data",
                    "maillog_file = $config_directory/maillog", "myhostname = it.example.test",
                    "relay_domains = example.test", "relayhost = [127.0.0.1]:" + sink.port(),
                    "smtpd_peername_lookup = no", "smtpd_client_connection_count_limit = 0", ""));
            Files.writeString(config.resolve("master.cf"), "qmgr unix n - n 300 1 qmgr\n"
                    + "127.0.0.1:" + port + " inet n - n - - smtpd\n");
            assertThat(PosternProcess.run(config, "start").exit()).isZero();
            long pid = new PidFile(config.resolve("data/master.pid")).read().orElseThrow();

            Set<Integer> accepted = ConcurrentHashMap.newKeySet();
            AtomicInteger next = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) clients.add(pool.submit(() -> load(port, next, accepted)));
            Await.until("some accepted", Duration.ofSeconds(60), () -> accepted.size() >= MESSAGES / 3 || !PROBLEMS.isEmpty());
            assertThat(PROBLEMS).as("client problems before the kill").isEmpty();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // kill -9: no shutdown hook runs
            for (Future<?> f : clients) f.get(60, TimeUnit.SECONDS);
            pool.shutdown();
            int acceptedAtKill = accepted.size();
            assertThat(acceptedAtKill).isLessThan(MESSAGES);

            assertThat(PosternProcess.run(config, "start").exit()).isZero();
            Await.until("every accepted message delivered", Duration.ofSeconds(120), () -> delivered(sink).keySet()
                    .containsAll(accepted));
            Map<Integer, Integer> counts = delivered(sink);
            long duplicates = counts.values().stream().filter(n -> n > 1).count();
            System.out.printf("CrashIT: %d accepted before kill -9, %d distinct delivered, %d delivered twice%n",
                    acceptedAtKill, counts.size(), duplicates);
            assertThat(duplicates).as("only messages in flight may repeat").isLessThanOrEqualTo(200);
            assertThat(PosternProcess.run(config, "stop").exit()).isZero();
        }
    }

    /** Sends numbered messages until the numbers run out or the server goes away; records each 250. */
    private static Void load(int port, AtomicInteger next, Set<Integer> accepted) {
        try (RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", port, Duration.ofSeconds(20))) {
            expect(c.readReply(), 220);
            expect(c.command("EHLO load.test"), 250);
            int n;
            while ((n = next.getAndIncrement()) < MESSAGES) {
                expect(c.command("MAIL FROM:<load@client.test>"), 250);
                expect(c.command("RCPT TO:<r@example.test>"), 250);
                expect(c.command("DATA"), 354);
                c.send("Subject: crash " + n + "\r\nX-Seq: " + n + "\r\n\r\nmessage " + n + "\r\n.\r\n");
                expect(c.readReply(), 250);
                accepted.add(n);
            }
        } catch (IOException e) {
            // the kill: this client's connection is gone
        } catch (IllegalStateException e) {
            PROBLEMS.add(e.getMessage());
        }
        return null;
    }

    private static void expect(RawSmtpClient.Reply r, int code) {
        if (r.code() != code) throw new IllegalStateException("expected " + code + ", got " + r);
    }

    private static Map<Integer, Integer> delivered(SmtpSink sink) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (SinkMessage m : sink.messages()) {
            m.header("X-Seq").ifPresent(s -> counts.merge(Integer.parseInt(s.strip()), 1, Integer::sum));
        }
        return counts;
    }
}
