// DeliveryIT: the whole path through a real Postern -- swaks -> smtpd -> incoming -> vscan -> active ->
// qmgr -> smtp client -> a real backend (Postfix's smtp-sink, or a second Postern as a rejecting server) --
// for the failure cases of issue 4: backend down then up, 4xx then 2xx, one recipient of three refused, a
// connection lost after the content. Governed by relayhost and the backoff parameters set small here.
package org.postern.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.gateway.queue.QueueFile;
import org.postern.gateway.queue.QueueName;
import org.postern.testkit.Await;
import org.postern.testkit.CommandResult;
import org.postern.testkit.FreePort;
import org.postern.testkit.SinkMessage;
import org.postern.testkit.SmtpSink;
import org.postern.testkit.Swaks;

class DeliveryIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    /** Fast retries: the deferred queue is scanned every second and a deferred message is due after one. */
    private static String mainCf(int backendPort) {
        return String.join("\n", "relayhost = [127.0.0.1]:" + backendPort, "minimal_backoff_time = 1s",
                "maximal_backoff_time = 1s", "queue_run_delay = 1s", "smtp_connect_timeout = 5s");
    }

    private static void send(GatewayHarness gw, String subject, String... rcpts) {
        CommandResult r = Swaks.server("127.0.0.1", gw.port).from("sender@client.test").to(rcpts)
                .header("Subject", subject).body("body of " + subject).run();
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    private static boolean spoolEmpty(GatewayHarness gw) throws Exception {
        for (QueueName q : List.of(QueueName.INCOMING, QueueName.ACTIVE, QueueName.DEFERRED)) {
            if (!gw.queued(q).isEmpty()) return false;
        }
        return true;
    }

    @Test
    void acceptedMailReachesTheBackendOnceAndTheSpoolEmpties() throws Exception {
        try (SmtpSink sink = SmtpSink.builder().dumpMessages().start();
             GatewayHarness gw = GatewayHarness.startWithBackend(dir, mainCf(sink.port()))) {
            send(gw, "one", "a@example.test", "b@example.test");
            sink.awaitMessages(1, WAIT);
            Await.until("spool empty", WAIT, () -> spoolEmpty(gw));
            List<SinkMessage> got = sink.messages();
            assertThat(got).hasSize(1);
            assertThat(got.get(0).recipients()).containsExactly("a@example.test", "b@example.test");
            assertThat(got.get(0).header("Subject")).contains("one");
        }
    }

    @Test
    void reloadRoutesByTheNewTransportMap() throws Exception {
        try (SmtpSink first = SmtpSink.builder().dumpMessages().start();
             SmtpSink second = SmtpSink.builder().dumpMessages().start();
             GatewayHarness gw = GatewayHarness.startWithBackend(dir, mainCf(first.port()))) {
            send(gw, "before", "a@example.test");
            first.awaitMessages(1, WAIT);
            java.nio.file.Files.writeString(dir.resolve("main.cf"), "transport_maps = inline:{ example.test=smtp:[127.0.0.1]:"
                    + second.port() + " }\n", java.nio.file.StandardOpenOption.APPEND);
            gw.gateway.reload(org.postern.policies.conf.Config.load(dir)).toCompletionStage().toCompletableFuture()
                    .get(30, java.util.concurrent.TimeUnit.SECONDS);
            send(gw, "after", "a@example.test");
            second.awaitMessages(1, WAIT);
            assertThat(first.messageCount()).isEqualTo(1);
            assertThat(second.messages().get(0).header("Subject")).contains("after");

            java.nio.file.Files.writeString(dir.resolve("main.cf"), "transport_maps = hash:/nonexistent/table\n",
                    java.nio.file.StandardOpenOption.APPEND);
            var bad = gw.gateway.reload(org.postern.policies.conf.Config.load(dir)).toCompletionStage().toCompletableFuture();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> bad.get(30, java.util.concurrent.TimeUnit.SECONDS))
                    .hasMessageContaining("/nonexistent/table");
            send(gw, "still second", "a@example.test"); // the old snapshot stays in force
            second.awaitMessages(2, WAIT);
        }
    }

    @Test
    void backendDownThenUp() throws Exception {
        int port = FreePort.next();
        try (GatewayHarness gw = GatewayHarness.startWithBackend(dir, mainCf(port))) {
            send(gw, "waits", "a@example.test");
            Await.until("deferred", WAIT, () -> !gw.queued(QueueName.DEFERRED).isEmpty());
            try (SmtpSink sink = SmtpSink.builder().port(port).dumpMessages().start()) {
                sink.awaitMessages(1, WAIT);
                Await.until("spool empty", WAIT, () -> spoolEmpty(gw));
                assertThat(sink.messageCount()).isEqualTo(1);
            }
        }
    }

    @Test
    void theSenderHearsOnceThatMailIsDelayed() throws Exception {
        int down = FreePort.next();
        try (SmtpSink senders = SmtpSink.builder().dumpMessages().start(); LogCapture smtp = LogCapture.of("postern.smtp");
             GatewayHarness gw = GatewayHarness.startWithBackend(dir, String.join("\n", mainCf(down),
                     "delay_warning_time = 1s",
                     "transport_maps = inline:{ client.test=smtp:[127.0.0.1]:" + senders.port() + " }"))) {
            send(gw, "slow", "a@example.test");
            senders.awaitMessages(1, WAIT);
            SinkMessage notice = senders.messages().get(0);
            assertThat(notice.sender()).isEmpty(); // from <>, so it can never bounce back and forth
            assertThat(notice.recipients()).containsExactly("sender@client.test");
            assertThat(notice.header("Subject")).contains("Delayed Mail (still being retried)");
            assertThat(notice.text()).contains("Action: delayed", "Final-Recipient: rfc822; a@example.test");
            long attempts = smtp.count("to=<a@example.test>");
            Await.until("two more attempts", WAIT, () -> smtp.count("to=<a@example.test>") >= attempts + 2);
            assertThat(senders.messageCount()).as("one notice per message, however often it is retried").isEqualTo(1);
        }
    }

    @Test
    void softRejectThenAccept() throws Exception {
        int port = FreePort.next();
        try (GatewayHarness gw = GatewayHarness.startWithBackend(dir, mainCf(port))) {
            try (SmtpSink refusing = SmtpSink.builder().port(port).args("-r", "RCPT").start()) {
                send(gw, "soft", "a@example.test");
                Await.until("deferred after the 4xx", WAIT, () -> !gw.queued(QueueName.DEFERRED).isEmpty());
                assertThat(refusing.messageCount()).isZero();
            }
            try (SmtpSink sink = SmtpSink.builder().port(port).dumpMessages().start()) {
                sink.awaitMessages(1, WAIT);
                Await.until("spool empty", WAIT, () -> spoolEmpty(gw));
                assertThat(sink.messages()).singleElement()
                        .satisfies(m -> assertThat(m.recipients()).containsExactly("a@example.test"));
            }
        }
    }

    @Test
    void connectionLostAfterTheContentIsRetried() throws Exception {
        int port = FreePort.next();
        try (GatewayHarness gw = GatewayHarness.startWithBackend(dir, mainCf(port))) {
            try (SmtpSink dropping = SmtpSink.builder().port(port).args("-q", ".").start()) {
                send(gw, "dropped", "a@example.test");
                Await.until("deferred after the lost connection", WAIT, () -> !gw.queued(QueueName.DEFERRED).isEmpty());
            }
            try (SmtpSink sink = SmtpSink.builder().port(port).dumpMessages().start()) {
                sink.awaitMessages(1, WAIT);
                Await.until("spool empty", WAIT, () -> spoolEmpty(gw));
            }
        }
    }

    @Test
    void oneRecipientOfThreeRefusedOnlyThatOneFails() throws Exception {
        Path backDir = Files.createDirectories(dir.resolve("backend"));
        Path frontDir = Files.createDirectories(dir.resolve("front"));
        try (GatewayHarness backend = GatewayHarness.start(backDir,
                "smtpd_recipient_restrictions = check_recipient_access inline:{ { bad@example.test = REJECT no such user } }");
             GatewayHarness gw = GatewayHarness.startWithBackend(frontDir, mainCf(backend.port))) {
            send(gw, "three", "a@example.test", "bad@example.test", "c@example.test");
            Await.until("delivered to the backend", WAIT, () -> !backend.incomingMessages().isEmpty());
            Await.until("front spool empty", WAIT, () -> spoolEmpty(gw));
            List<QueueFile> got = backend.incomingMessages().stream()
                    .filter(q -> !q.envelope().sender().isEmpty()).toList();
            assertThat(got).singleElement().satisfies(q -> assertThat(q.envelope().recipients())
                    .extracting(org.postern.core.Recipient::address).containsExactly("a@example.test", "c@example.test"));
            // the sender is told about the one that failed, by an RFC 3464 report sent through the same queue
            Await.until("bounce delivered", WAIT, () -> backend.incomingMessages().stream()
                    .anyMatch(q -> q.envelope().sender().isEmpty()));
            QueueFile dsn = backend.incomingMessages().stream().filter(q -> q.envelope().sender().isEmpty()).findFirst().orElseThrow();
            assertThat(dsn.envelope().recipients()).extracting(org.postern.core.Recipient::address)
                    .containsExactly("sender@client.test");
            assertThat(GatewayHarness.content(dsn)).contains("report-type=delivery-status", "Final-Recipient: rfc822; bad@example.test",
                    "Action: failed", "Status: 5.7.1", "Subject: three").doesNotContain("Final-Recipient: rfc822; a@example.test");
        }
    }
}
