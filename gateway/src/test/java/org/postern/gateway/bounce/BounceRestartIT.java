// BounceRestartIT: a bounce survives a stop of the gateway -- swaks -> a real Postern -> Postfix's smtp-sink
// refusing the recipient with 550 (MAIL answered after 3 s, so `stop` finds the delivery in flight): the outcome is
// recorded, the DSN is not queued before the stop, and after a start over the same queue_directory the sender's
// smtp-sink receives it once; the refused recipient is not tried again. Needs swaks and smtp-sink.
package org.postern.gateway.bounce;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.gateway.GatewayHarness;
import org.postern.gateway.LogCapture;
import org.postern.gateway.queue.QueueFile;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.RecipientStatus;
import org.postern.testkit.Await;
import org.postern.testkit.CommandResult;
import org.postern.testkit.SinkMessage;
import org.postern.testkit.SmtpSink;
import org.postern.testkit.Swaks;

class BounceRestartIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void theDsnOfARecipientRefusedJustBeforeAStopArrivesAfterTheRestart() throws Exception {
        try (SmtpSink senders = SmtpSink.builder().dumpMessages().start();
             SmtpSink refusing = SmtpSink.builder()
                     .args("-f", "RCPT", "-B", "550 5.1.1 Error: no such user", "-W", "MAIL:3").start();
             LogCapture qmgr = LogCapture.of("postern.qmgr"); LogCapture smtp = LogCapture.of("postern.smtp")) {
            String mainCf = String.join("\n", "relayhost = [127.0.0.1]:" + refusing.port(),
                    "transport_maps = inline:{ client.test=smtp:[127.0.0.1]:" + senders.port() + " }",
                    "minimal_backoff_time = 1s", "maximal_backoff_time = 1s", "queue_run_delay = 1s");
            Path spool;
            try (GatewayHarness gw = GatewayHarness.startWithBackend(dir, mainCf)) {
                spool = gw.spool();
                CommandResult r = Swaks.server("127.0.0.1", gw.port).from("sender@client.test")
                        .to("nobody@example.test").header("Subject", "refused").body("body of refused").run();
                assertThat(r.exitCode()).as(r.output()).isZero();
                Await.until("the delivery under way", WAIT, () -> qmgr.count("(queue active)") >= 1);
                gw.stop(Duration.ofSeconds(1)); // postern stop: the delivery in flight ends and its outcome is recorded
            }
            assertThat(smtp.lines()).singleElement().satisfies(l -> assertThat(l)
                    .contains("to=<nobody@example.test>", "status=bounced", "said: 550 5.1.1 Error: no such user"));
            assertThat(senders.messageCount()).as("no DSN queued before the stop").isZero();
            List<Path> left;
            try (var s = Files.list(spool.resolve(QueueName.ACTIVE.dirName()))) {
                left = s.toList();
            }
            assertThat(left).singleElement().satisfies(p -> {
                assertThat(QueueFile.read(p).recipientStatuses()).containsExactly(RecipientStatus.BOUNCED);
                assertThat(spool.resolve("bounce").resolve(p.getFileName())).as("the bounce log").isRegularFile();
            });

            try (GatewayHarness gw = GatewayHarness.startWithBackend(dir, mainCf)) {
                senders.awaitMessages(1, WAIT);
                Await.until("spool empty", WAIT, () -> gw.queued(QueueName.ACTIVE).isEmpty()
                        && gw.queued(QueueName.DEFERRED).isEmpty() && gw.queued(QueueName.INCOMING).isEmpty());
                SinkMessage dsn = senders.messages().get(0);
                assertThat(dsn.sender()).isEmpty();
                assertThat(dsn.recipients()).containsExactly("sender@client.test");
                assertThat(dsn.header("Subject")).contains("Undelivered Mail Returned to Sender");
                assertThat(dsn.text()).contains("report-type=delivery-status",
                        "Final-Recipient: rfc822; nobody@example.test", "Action: failed", "Status: 5.1.1", "Subject: refused");
                try (var s = Files.list(spool.resolve("bounce"))) {
                    assertThat(s.toList()).as("bounce logs left").isEmpty();
                }
            }
            assertThat(senders.messageCount()).as("one DSN").isEqualTo(1);
            assertThat(smtp.count("to=<nobody@example.test>")).as("the refused recipient is not tried again")
                    .isEqualTo(1);
        }
    }
}
