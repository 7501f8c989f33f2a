// ContentFilterPostfixIT: Postern as a drop-in content filter behind a real Debian Postfix (like amavisd-new):
// swaks -> Postfix (content_filter) -> Postern (content-filter, clamd) -> Postfix reinjection -> smtp-sink.
// Clean mail arrives; EICAR is quarantined, Postfix logs it sent, nothing bounces. Needs root, else skipped.
package org.postern.gateway.vscan;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.QuarantineStore;
import org.postern.gateway.GatewayHarness;
import org.postern.gateway.queue.QueueName;
import org.postern.quarantine.store.Entry;
import org.postern.quarantine.store.Query;
import org.postern.quarantine.store.SqliteQuarantine;
import org.postern.testkit.Await;
import org.postern.testkit.Clamd;
import org.postern.testkit.CommandResult;
import org.postern.testkit.FreePort;
import org.postern.testkit.Postfix;
import org.postern.testkit.SinkMessage;
import org.postern.testkit.SmtpSink;
import org.postern.testkit.Swaks;

class ContentFilterPostfixIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private SqliteQuarantine store;

    private QuarantineStore store(Vertx vertx) {
        store = SqliteQuarantine.open(vertx, dir.resolve("quarantine"), dir.resolve("quarantine.db"), Duration.ofDays(30),
                Clock.systemUTC()).toCompletionStage().toCompletableFuture().join();
        return store;
    }

    private List<Entry> quarantined() {
        return store.list(Query.all()).toCompletionStage().toCompletableFuture().join();
    }

    private static byte[] message(String subject, byte[] body) {
        String m = "From: <sender@client.test>\r\nTo: <a@example.test>\r\nSubject: " + subject + "\r\n\r\n"
                + new String(body, StandardCharsets.ISO_8859_1) + "\r\n";
        return m.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The Postfix queue id in swaks's transcript ("250 2.0.0 Ok: queued as 4XyZ..."). */
    private static String queueId(CommandResult r) {
        String out = r.output();
        int at = out.indexOf("Ok: queued as ");
        assertThat(at).as(out).isPositive();
        return out.substring(at + 14).lines().findFirst().orElseThrow().strip();
    }

    @Test
    void postfixHandsMailToPosternAndGetsCleanMailBack() throws Exception {
        Assumptions.assumeTrue(Postfix.available(), "needs root and Debian's postfix");
        int front = FreePort.next();
        int reinject = FreePort.next();
        try (Clamd clamd = Clamd.builder().start(); SmtpSink sink = SmtpSink.builder().dumpMessages().start();
             GatewayHarness gw = GatewayHarness.startWithBackend(Files.createDirectories(dir.resolve("gw")), this::store,
                     "vscan_clamd_address = " + clamd.tcpAddress() + "\nvscan_clamd_timeout = 10s",
                     "vscan_mode=content-filter", "vscan_content_filter_nexthop=[127.0.0.1]:" + reinject,
                     "mynetworks=127.0.0.0/8", "smtpd_relay_restrictions=permit_mynetworks,reject");
             Postfix postfix = Postfix.builder()
                     .mainCf("relayhost = [127.0.0.1]:" + sink.port(), "content_filter = scan:[127.0.0.1]:" + gw.port)
                     .masterCf("127.0.0.1:" + front + " inet n - n - - smtpd",
                             "scan unix - - n - 2 smtp",
                             "  -o smtp_data_done_timeout=1200",
                             "127.0.0.1:" + reinject + " inet n - n - - smtpd",
                             "  -o content_filter=",
                             "  -o receive_override_options=no_unknown_recipient_checks,no_header_body_checks",
                             "  -o smtpd_relay_restrictions=permit_mynetworks,reject")
                     .start()) {
            CommandResult virus = Swaks.server("127.0.0.1", front).from("sender@client.test").to("a@example.test")
                    .data(message("virus", Clamd.eicar())).run();
            assertThat(virus.exitCode()).as(virus.output()).isZero();
            String virusId = queueId(virus);
            CommandResult clean = Swaks.server("127.0.0.1", front).from("sender@client.test").to("a@example.test")
                    .data(message("clean", "quarterly numbers".getBytes(StandardCharsets.US_ASCII))).run();
            assertThat(clean.exitCode()).as(clean.output()).isZero();

            sink.awaitMessages(1, WAIT);
            Await.until("EICAR quarantined in Postern", WAIT, () -> quarantined().size() == 1);
            Await.until("Postfix's queue empty", WAIT, () -> postfix.queued().isEmpty());
            Await.until("Postern's spool empty", WAIT, () -> gw.queued(QueueName.INCOMING).isEmpty()
                    && gw.queued(QueueName.ACTIVE).isEmpty() && gw.queued(QueueName.DEFERRED).isEmpty());

            SinkMessage got = sink.messages().get(0);
            assertThat(got.header("Subject")).contains("clean");
            assertThat(got.text()).as("scanned by Postern, reinjected through Postfix")
                    .contains("by mx.postern.test").contains("by postfix.postern.test");
            assertThat(quarantined().get(0).virus()).isEqualTo(Clamd.EICAR_FOUND);

            String log = postfix.maillog();
            assertThat(postfix.maillogLines(virusId + ": to=<a@example.test>")).as(log)
                    .singleElement().satisfies(l -> assertThat(l)
                            .contains("relay=127.0.0.1[127.0.0.1]:" + gw.port).contains("status=sent (250 "));
            assertThat(log).doesNotContain("status=bounced").doesNotContain("sender non-delivery notification");
            assertThat(sink.messageCount()).as("no bounce reached the sink").isEqualTo(1);
        }
    }
}
