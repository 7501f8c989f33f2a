// QueueToolsIT: the queue tools on a running `postern` process with a real backend -- mailq shows deferred
// mail with its reason, queue hold/release/delete/requeue act through the control socket, cat prints a
// message, flush delivers to a Postfix smtp-sink that came up; pflogsumm then counts the real deliveries.
// Mail waiting for a scanner that is down (Debian's clamd stopped) is shown with its reason and flushed too.
package org.postern.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.testkit.Assumptions;
import org.postern.testkit.Await;
import org.postern.testkit.Clamd;
import org.postern.testkit.CommandResult;
import org.postern.testkit.FreePort;
import org.postern.testkit.SmtpSink;
import org.postern.testkit.Swaks;

class QueueToolsIT {
    private static final Pattern QUEUE_ID = Pattern.compile("(?m)^([0-9A-Z]{6,})([*!]?) ");

    @TempDir
    Path config;

    private int port;
    private int backend;

    @BeforeEach
    void writeConfig() throws IOException {
        port = FreePort.next();
        backend = FreePort.next();
        Files.writeString(config.resolve("main.cf"), String.join("\n",
                "queue_directory = $config_directory/spool",
                "data_directory = $config_directory/data",
                "maillog_file = $config_directory/maillog",
                "myhostname = it.example.test",
                "mynetworks = 127.0.0.0/8",
                "relay_domains = example.test, example.org",
                "relayhost = [127.0.0.1]:" + backend,
                "smtpd_shutdown_timeout = 5s",
                "smtpd_peername_lookup = no",
                "minimal_backoff_time = 1h", "maximal_backoff_time = 2h", // only flush brings it back
                ""));
        Files.writeString(config.resolve("master.cf"), "qmgr unix n - n 300 1 qmgr\n"
                + "127.0.0.1:" + port + " inet n - n - - smtpd\n");
    }

    @AfterEach
    void stopLeftovers() throws IOException {
        PosternProcess.killLeftover(config);
    }

    @Test
    void mailqQueueCatFlushAndPflogsumm() throws Exception {
        Path pflogsumm = Assumptions.requireCommand("pflogsumm");
        assertThat(postern("start").exit()).isZero();
        send("first", "a@example.test");
        send("second", "b@example.org", "c@example.org");
        send("third", "d@example.test");

        Await.until("three deferred", Duration.ofSeconds(30), () -> deferredIds().size() == 3);
        String mailq = postern("mailq").out();
        assertThat(mailq).contains("(connect to 127.0.0.1[127.0.0.1]:" + backend + ": Connection refused)")
                .contains("-- 1 Kbytes in 3 Requests.");
        List<String> ids = deferredIds();

        PosternProcess.Result hold = postern("queue", "hold", ids.get(0));
        assertThat(hold.out()).as(hold.toString()).contains(ids.get(0) + ": placed on hold", "Placed on hold: 1 message");
        assertThat(postern("mailq").out()).contains(ids.get(0) + "!");

        PosternProcess.Result cat = postern("cat", ids.get(0));
        assertThat(cat.exit()).isZero();
        assertThat(cat.out()).contains("*** ENVELOPE RECORDS hold/" + ids.get(0), "sender: sender@client.test",
                "recipient: a@example.test (deferred)", "Subject: first", "body of first");

        assertThat(postern("queue", "release", ids.get(0)).out()).contains("Released from hold: 1 message");
        PosternProcess.Result delete = postern("queue", "delete", ids.get(2));
        assertThat(delete.out()).contains(ids.get(2) + ": removed", "Deleted: 1 message");
        assertThat(postern("queue", "delete", "ABCDEF123").out()).contains("not found", "Deleted: 0 messages");
        assertThat(postern("queue", "frobnicate", "ALL").exit()).isEqualTo(2);

        try (SmtpSink sink = SmtpSink.builder().port(backend).dumpMessages().start()) {
            PosternProcess.Result flush = postern("flush");
            assertThat(flush.exit()).as(flush.toString()).isZero();
            sink.awaitMessages(2, Duration.ofSeconds(30));
            Await.until("queue empty", Duration.ofSeconds(30), () -> postern("mailq").out().contains("Mail queue is empty"));
            assertThat(sink.messageCount()).isEqualTo(2);
            assertThat(config.resolve("spool/defer")).as("the defer logs go with the messages").isEmptyDirectory();
        }
        assertThat(postern("stop").exit()).isZero();
        assertThat(postern("flush").exit()).isEqualTo(1); // nothing running: postqueue -f refuses too
        assertThat(postern("queue", "delete", "ALL").out()).contains("Deleted: 0 messages"); // bare spool

        Process p = new ProcessBuilder(pflogsumm.toString(), "--syslog-name=postern", "-d", "today",
                "--problems-first", config.resolve("maillog").toString()).redirectErrorStream(true).start();
        String report = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> lines = report.lines().map(String::strip).toList();
        assertThat(lines).as(report).contains("3   received", "3   delivered", "0   bounced")
                .anyMatch(l -> l.matches("3   deferred  \\(\\d+  deferrals\\)"));
        // per-domain delivered counts (sent cnt, bytes, defers, delays, domain): 2 to example.org, 1 to example.test
        assertThat(report).containsPattern("(?m)^\\s+1\\s+\\d+\\s+\\d+\\s+.*example\\.test$")
                .containsPattern("(?m)^\\s+2\\s+\\d+\\s+\\d+\\s+.*example\\.org$");
    }

    /**
     * Debian's clamd down: the message waits in incoming/ and mailq says why (Postfix shows the content
     * filter's connection failure the same way); with clamd back, flush has it scanned and delivered at once
     * although vscan_retry_time is an hour away. Both fail on a gateway that keeps the reason to itself or
     * whose flush only runs the deferred queue.
     */
    @Test
    void mailWaitingForAScannerShowsWhyAndFlushScansItNow() throws Exception {
        try (Clamd clamd = Clamd.builder().start(); SmtpSink sink = SmtpSink.builder().port(backend).dumpMessages().start()) {
            clamd.stop();
            Files.writeString(config.resolve("main.cf"), "vscan_clamd_address = " + clamd.unixAddress() + "\n"
                    + "vscan_retry_time = 1h\n", StandardOpenOption.APPEND);
            assertThat(postern("start").exit()).isZero();
            send("waits for clamd", "a@example.test");

            Await.until("the scan deferred", Duration.ofSeconds(30), () -> postern("mailq").out().contains("content scan deferred"));
            String mailq = postern("mailq").out();
            assertThat(mailq).as(mailq).containsPattern("(?m)^[0-9A-Z]{6,} ") // in incoming/: no * or !
                    .containsPattern("\\(content scan deferred: .*clam.*\\)").contains("a@example.test");

            clamd.start();
            PosternProcess.Result flush = postern("flush");
            assertThat(flush.exit()).as(flush.toString()).isZero();
            sink.awaitMessages(1, Duration.ofSeconds(30));
            Await.until("queue empty", Duration.ofSeconds(30), () -> postern("mailq").out().contains("Mail queue is empty"));
            assertThat(sink.messages().get(0).recipients()).containsExactly("a@example.test");
            assertThat(Files.readString(config.resolve("maillog"))).contains("message stays in incoming, retry in 3600.0s"); // vscan_retry_time, not cut to 15 minutes
            assertThat(config.resolve("spool/defer")).isEmptyDirectory();
            assertThat(postern("stop").exit()).isZero();
        }
    }

    /**
     * Mail a header_checks HOLD put on hold never passed the content filter: `queue release` sends it to be
     * scanned (Debian's clamd), so the held virus is quarantined and only the clean mail is delivered. Fails on
     * a gateway that releases held mail straight to delivery.
     */
    @Test
    void heldMailIsScannedWhenReleased() throws Exception {
        try (Clamd clamd = Clamd.builder().start(); SmtpSink sink = SmtpSink.builder().port(backend).dumpMessages().start()) {
            Files.writeString(config.resolve("header_checks"), "/^Subject: hold / HOLD held for review\n");
            Files.writeString(config.resolve("main.cf"), "vscan_clamd_address = " + clamd.unixAddress() + "\n"
                    + "header_checks = regexp:$config_directory/header_checks\n"
                    + "vscan_admin_notify_classes =\n", StandardOpenOption.APPEND);
            assertThat(postern("start").exit()).isZero();
            CommandResult virus = Swaks.server("127.0.0.1", port).from("sender@client.test").to("a@example.test")
                    .header("Subject", "hold virus").body(new String(Clamd.eicar(), StandardCharsets.US_ASCII)).run();
            assertThat(virus.exitCode()).as(virus.output()).isZero();
            send("hold clean", "b@example.test");

            Await.until("two held", Duration.ofSeconds(30), () -> postern("mailq").out().split("!", -1).length - 1 == 2);
            PosternProcess.Result release = postern("queue", "release", "ALL");
            assertThat(release.out()).as(release.toString()).contains("released from hold (to be scanned)",
                    "Released from hold: 2 messages");

            sink.awaitMessages(1, Duration.ofSeconds(30));
            Await.until("the virus quarantined", Duration.ofSeconds(30),
                    () -> postern("quarantine", "list", "--reason", "virus").out().contains("a@example.test (quarantined)"));
            Await.until("queue empty", Duration.ofSeconds(30), () -> postern("mailq").out().contains("Mail queue is empty"));
            assertThat(sink.messages()).singleElement().satisfies(m -> {
                assertThat(m.recipients()).containsExactly("b@example.test");
                assertThat(m.header("Subject")).hasValue("hold clean");
            });
            assertThat(Files.readString(config.resolve("maillog"))).contains("hold: header Subject: hold virus",
                    "class=infected action=quarantine");
            assertThat(postern("stop").exit()).isZero();
        }
    }

    private void send(String subject, String... rcpts) {
        CommandResult r = Swaks.server("127.0.0.1", port).from("sender@client.test").to(rcpts)
                .header("Subject", subject).body("body of " + subject).run();
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    private List<String> deferredIds() throws Exception {
        List<String> ids = new ArrayList<>();
        Matcher m = QUEUE_ID.matcher(postern("mailq").out());
        while (m.find()) if (m.group(2).isEmpty() || m.group(2).equals("!")) ids.add(m.group(1));
        return ids;
    }

    private PosternProcess.Result postern(String... args) throws Exception {
        return PosternProcess.run(config, args);
    }
}
