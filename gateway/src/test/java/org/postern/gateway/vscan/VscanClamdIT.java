// VscanClamdIT: the vscan stage in a running gateway against Debian's real clamd (test-written signatures):
// infected mail is quarantined (SQLite index + file), clean mail reaches smtp-sink byte for byte, a banned
// attachment splits by vscan_policy_maps, and a clamd outage keeps mail queued until clamd returns.
package org.postern.gateway.vscan;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.QuarantineStore;
import org.postern.gateway.GatewayHarness;
import org.postern.gateway.LogCapture;
import org.postern.gateway.queue.QueueName;
import org.postern.quarantine.store.Entry;
import org.postern.quarantine.store.Query;
import org.postern.quarantine.store.SqliteQuarantine;
import org.postern.testkit.Await;
import org.postern.testkit.Clamd;
import org.postern.testkit.CommandResult;
import org.postern.testkit.SinkMessage;
import org.postern.testkit.SmtpSink;
import org.postern.testkit.Swaks;

class VscanClamdIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Over line_length_limit (2048): Postfix takes and relays such lines whole, and so must Postern. */
    private static final String LONG_LINE = "0123456789abcdef".repeat(300);

    @TempDir
    Path dir;

    private SqliteQuarantine store;

    private QuarantineStore store(Vertx vertx) {
        store = SqliteQuarantine.open(vertx, dir.resolve("quarantine"), dir.resolve("quarantine.db"), Duration.ofDays(30),
                Clock.systemUTC()).toCompletionStage().toCompletableFuture().join();
        return store;
    }

    private static String mainCf(Clamd clamd, SmtpSink sink, String... more) {
        return String.join("\n", "relayhost = [127.0.0.1]:" + sink.port(), "relay_domains = example.test, keep.test",
                "vscan_clamd_address = " + clamd.tcpAddress(), "vscan_retry_time = 1s", "vscan_clamd_timeout = 10s",
                String.join("\n", more));
    }

    private static byte[] message(String subject, String attachmentName, byte[] attachment) {
        String m = "From: <sender@client.test>\r\nTo: <a@example.test>\r\nSubject: " + subject + "\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
                + "--b1\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n" + LONG_LINE + "\r\n"
                + "--b1\r\nContent-Type: application/octet-stream; name=\"" + attachmentName + "\"\r\n"
                + "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"" + attachmentName
                + "\"\r\n\r\n" + Base64.getMimeEncoder().encodeToString(attachment) + "\r\n--b1--\r\n";
        return m.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void send(GatewayHarness gw, byte[] data, String... rcpts) {
        CommandResult r = Swaks.server("127.0.0.1", gw.port).from("sender@client.test").to(rcpts).data(data).run();
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    private List<Entry> quarantined() {
        return store.list(Query.all()).toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void infectedIsQuarantinedCleanIsDeliveredUnchanged() throws Exception {
        try (Clamd clamd = Clamd.builder().start(); SmtpSink sink = SmtpSink.builder().dumpMessages().start();
             GatewayHarness gw = GatewayHarness.startWithBackend(Files.createDirectories(dir.resolve("gw")), this::store,
                     mainCf(clamd, sink, "vscan_admin_notify_recipient = admin@example.test", "vscan_recipient_notify = yes"))) {
            send(gw, message("virus", "eicar.com.txt", Clamd.eicar()), "a@example.test");
            byte[] clean = message("clean", "report.txt", "quarterly numbers\r\n".getBytes(StandardCharsets.US_ASCII));
            send(gw, clean, "a@example.test");

            sink.awaitMessages(3, WAIT); // the clean mail, the admin's notice, the recipient's notice
            Await.until("one quarantined", WAIT, () -> quarantined().size() == 1);
            Entry e = quarantined().get(0);
            assertThat(e.verdictClass()).isEqualTo("infected");
            assertThat(e.virus()).isEqualTo(Clamd.EICAR_FOUND);
            assertThat(e.subject()).isEqualTo("virus");
            assertThat(e.rule()).isEqualTo("builtin:vscan_infected_action");
            Await.until("spool empty", WAIT, () -> gw.queued(QueueName.INCOMING).isEmpty() && gw.queued(QueueName.ACTIVE).isEmpty());
            assertThat(sink.messageCount()).isEqualTo(3);
            List<SinkMessage> got = sink.messages();
            assertThat(got).filteredOn(m -> m.recipients().contains("admin@example.test")).singleElement()
                    .satisfies(m -> assertThat(m.text()).contains(Clamd.EICAR_FOUND, "<sender@client.test>"));
            assertThat(got).filteredOn(m -> m.header("Subject").orElse("").startsWith("Message held in quarantine"))
                    .singleElement().satisfies(m -> {
                        assertThat(m.recipients()).containsExactly("a@example.test");
                        assertThat(m.text()).contains("Quarantine ID: " + e.id());
                    });
            assertThat(got).noneMatch(m -> m.recipients().contains("sender@client.test")); // never the forged sender
            SinkMessage cleanCopy = got.stream().filter(m -> m.header("Subject").orElse("").equals("clean")).findFirst().orElseThrow();
            // smtp-sink's dump stores LF line ends; everything else is compared byte for byte
            String raw = new String(cleanCopy.content(), StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
            String sent = new String(clean, StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
            assertThat(raw.stripTrailing()).as("headers and body unchanged after our Received:").endsWith(sent.stripTrailing());
        }
    }

    @Test
    void theVirusNoticeToPostmasterFollowsItsAlias() throws Exception {
        // the default vscan_admin_notify_recipient is "postmaster": a local address Postern cannot deliver itself
        try (Clamd clamd = Clamd.builder().start(); SmtpSink sink = SmtpSink.builder().dumpMessages().start();
             GatewayHarness gw = GatewayHarness.startWithBackend(Files.createDirectories(dir.resolve("gw")), this::store,
                     mainCf(clamd, sink, "virtual_alias_maps = inline:{ { postmaster = admin@example.test } }"))) {
            send(gw, message("virus", "eicar.com.txt", Clamd.eicar()), "a@example.test");

            sink.awaitMessages(1, WAIT);
            assertThat(sink.messages()).singleElement().satisfies(m -> {
                assertThat(m.recipients()).containsExactly("admin@example.test");
                assertThat(m.text()).contains(Clamd.EICAR_FOUND);
            });
            Await.until("spool empty", WAIT, () -> gw.queued(QueueName.INCOMING).isEmpty() && gw.queued(QueueName.ACTIVE).isEmpty());
            assertThat(sink.messageCount()).isEqualTo(1);
        }
    }

    @Test
    void bannedAttachmentSplitsByRecipientDomainPolicy() throws Exception {
        try (Clamd clamd = Clamd.builder().start(); SmtpSink sink = SmtpSink.builder().dumpMessages().start();
             GatewayHarness gw = GatewayHarness.startWithBackend(Files.createDirectories(dir.resolve("gw")), this::store, mainCf(clamd, sink,
                     "vscan_policy_maps = inline:{ { keep.test = banned=deliver } }"))) {
            send(gw, message("banned", "invoice.pdf.exe", "MZ not really".getBytes(StandardCharsets.US_ASCII)),
                    "a@example.test", "b@keep.test");
            sink.awaitMessages(1, WAIT);
            Await.until("one quarantined", WAIT, () -> quarantined().size() == 1);
            assertThat(sink.messages().get(0).recipients()).containsExactly("b@keep.test");
            Entry e = quarantined().get(0);
            assertThat(e.verdictClass()).isEqualTo("banned");
            assertThat(e.reason()).contains("invoice.pdf.exe");
            assertThat(e.recipients()).extracting(r -> r.address()).containsExactly("a@example.test");
        }
    }

    @Test
    void clamdDownKeepsMailQueuedThenItFlows() throws Exception {
        try (Clamd clamd = Clamd.builder().start(); SmtpSink sink = SmtpSink.builder().dumpMessages().start();
             LogCapture vscan = LogCapture.of("postern.vscan");
             GatewayHarness gw = GatewayHarness.startWithBackend(Files.createDirectories(dir.resolve("gw")), this::store, mainCf(clamd, sink))) {
            clamd.stop();
            for (int i = 0; i < 5; i++) {
                send(gw, message("waiting " + i, "notes.txt", ("note " + i).getBytes(StandardCharsets.US_ASCII)), "a@example.test");
            }
            send(gw, message("virus while down", "eicar.com.txt", Clamd.eicar()), "a@example.test");
            Await.until("six in incoming", WAIT, () -> gw.queued(QueueName.INCOMING).size() == 6);
            // every message is tried at least twice with clamd down (vscan_retry_time = 1s): nothing may pass unscanned
            Await.until("two failed scans per message", WAIT, () -> vscan.count("message stays in incoming") >= 12);
            assertThat(sink.messageCount()).isZero();
            assertThat(gw.queued(QueueName.INCOMING)).hasSize(6);
            clamd.start();
            sink.awaitMessages(5, WAIT);
            Await.until("virus quarantined", WAIT, () -> quarantined().size() == 1);
            Await.until("incoming empty", WAIT, () -> gw.queued(QueueName.INCOMING).isEmpty());
            assertThat(sink.messageCount()).isEqualTo(5);
        }
    }
}
