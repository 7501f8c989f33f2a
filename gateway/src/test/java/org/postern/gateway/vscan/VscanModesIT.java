// VscanModesIT: master.cf -o vscan_mode against Debian's clamd and smtp-sink -- none (reinjection) delivers
// even EICAR unscanned, before-queue answers 550 5.7.1 for a rejected virus and keeps nothing, content-filter
// passes back its next hop's refusal and a 4xx when the next hop is down, keeping nothing either way.
package org.postern.gateway.vscan;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
import org.postern.testkit.SmtpSink;
import org.postern.testkit.Swaks;
import org.slf4j.LoggerFactory;

class VscanModesIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private SqliteQuarantine store;
    private final ListAppender<ILoggingEvent> vscanLog = new ListAppender<>();

    @BeforeEach
    void capture() {
        vscanLog.start();
        ((Logger) LoggerFactory.getLogger("postern.vscan")).addAppender(vscanLog);
    }

    @AfterEach
    void release() {
        ((Logger) LoggerFactory.getLogger("postern.vscan")).detachAppender(vscanLog);
    }

    private QuarantineStore store(Vertx vertx) {
        store = SqliteQuarantine.open(vertx, dir.resolve("quarantine"), dir.resolve("quarantine.db"), Duration.ofDays(30),
                Clock.systemUTC()).toCompletionStage().toCompletableFuture().join();
        return store;
    }

    private List<Entry> quarantined() {
        return store.list(Query.all()).toCompletionStage().toCompletableFuture().join();
    }

    private GatewayHarness gateway(String mainCf, String... options) throws Exception {
        return GatewayHarness.startWithBackend(Files.createDirectories(dir.resolve("gw")), this::store, mainCf, options);
    }

    private static String mainCf(Clamd clamd, int sinkPort, String... more) {
        return String.join("\n", "relayhost = [127.0.0.1]:" + sinkPort, "vscan_clamd_address = " + clamd.tcpAddress(),
                "vscan_retry_time = 1s", "vscan_clamd_timeout = 10s", "smtp_connect_timeout = 5s", String.join("\n", more));
    }

    private static byte[] message(String subject, byte[] body) {
        String head = "From: <sender@client.test>\r\nTo: <a@example.test>\r\nSubject: " + subject + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[h.length + body.length + 2];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(body, 0, out, h.length, body.length);
        out[out.length - 2] = '\r';
        out[out.length - 1] = '\n';
        return out;
    }

    private static CommandResult send(GatewayHarness gw, byte[] data, String... rcpts) {
        return Swaks.server("127.0.0.1", gw.port).from("sender@client.test").to(rcpts).data(data).run();
    }

    private static boolean spoolEmpty(GatewayHarness gw) throws Exception {
        for (QueueName q : QueueName.values()) {
            if (!gw.queued(q).isEmpty()) return false;
        }
        return true;
    }

    private List<String> vscanLines() {
        return vscanLog.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void reinjectionDeliversUnscannedStraightFromActive() throws Exception {
        try (Clamd clamd = Clamd.builder().start(); SmtpSink sink = SmtpSink.builder().dumpMessages().start();
             GatewayHarness gw = gateway(mainCf(clamd, sink.port()), "vscan_mode=none")) {
            // EICAR would be quarantined by the vscan stage: arriving at the sink proves it never went there
            CommandResult r = send(gw, message("released", Clamd.eicar()), "a@example.test");
            assertThat(r.exitCode()).as(r.output()).isZero();
            sink.awaitMessages(1, WAIT);
            Await.until("spool empty", WAIT, () -> spoolEmpty(gw));
            assertThat(sink.messages().get(0).header("Subject")).contains("released");
            assertThat(vscanLines()).isEmpty();
            assertThat(quarantined()).isEmpty();
        }
    }

    @Test
    void beforeQueueRejectsAVirusAndAcceptsCleanMail() throws Exception {
        try (Clamd clamd = Clamd.builder().start(); SmtpSink sink = SmtpSink.builder().dumpMessages().start();
             GatewayHarness gw = gateway(mainCf(clamd, sink.port(), "vscan_infected_action = reject"),
                     "vscan_mode=before-queue")) {
            CommandResult virus = send(gw, message("virus", Clamd.eicar()), "a@example.test", "b@example.test");
            assertThat(virus.exitCode()).as(virus.output()).isEqualTo(26); // refused after the final "."
            assertThat(virus.output()).contains("<** 550 5.7.1 Message content rejected (infected: " + Clamd.EICAR_FOUND + ")");
            assertThat(gw.incomingFiles()).isEmpty(); // gone at once (only the postmaster's notice is queued)

            CommandResult clean = send(gw, message("clean", "quarterly numbers".getBytes(StandardCharsets.US_ASCII)),
                    "a@example.test");
            assertThat(clean.exitCode()).as(clean.output()).isZero();
            assertThat(clean.output()).contains("<-  250 2.0.0 Ok: queued as ");
            sink.awaitMessages(1, WAIT);
            Await.until("spool empty", WAIT, () -> spoolEmpty(gw));
            assertThat(sink.messageCount()).isEqualTo(1);
            assertThat(sink.messages().get(0).header("Subject")).contains("clean");
            assertThat(quarantined()).isEmpty();
            assertThat(vscanLines()).anyMatch(l -> l.contains("class=infected action=reject"));
        }
    }

    @Test
    void beforeQueueWithMixedActionsQuarantinesTheRejectedRecipientsAndAnswers250() throws Exception {
        try (Clamd clamd = Clamd.builder().start(); SmtpSink sink = SmtpSink.builder().dumpMessages().start();
             GatewayHarness gw = gateway(mainCf(clamd, sink.port(), "vscan_infected_action = reject",
                     "relay_domains = example.test, keep.test",
                     "vscan_policy_maps = inline:{ { keep.test = infected=deliver } }"), "vscan_mode=before-queue")) {
            CommandResult r = send(gw, message("virus for two", Clamd.eicar()), "a@example.test", "b@keep.test");
            assertThat(r.exitCode()).as(r.output()).isZero();
            sink.awaitMessages(1, WAIT);
            Await.until("one quarantined", WAIT, () -> quarantined().size() == 1);
            Await.until("spool empty", WAIT, () -> spoolEmpty(gw));
            assertThat(sink.messages().get(0).recipients()).containsExactly("b@keep.test");
            assertThat(quarantined().get(0).recipients()).extracting(e -> e.address()).containsExactly("a@example.test");
        }
    }

    @Test
    void contentFilterPassesBackTheNextHopsRefusalAndKeepsNothing() throws Exception {
        // smtp-sink refuses every message at the end of DATA with a hard error
        try (Clamd clamd = Clamd.builder().start(); SmtpSink sink = SmtpSink.builder().args("-f", ".").start();
             GatewayHarness gw = gateway(mainCf(clamd, FreePort.next()), "vscan_mode=content-filter",
                     "vscan_content_filter_nexthop=[127.0.0.1]:" + sink.port())) {
            CommandResult r = send(gw, message("refused", "text".getBytes(StandardCharsets.US_ASCII)), "a@example.test");
            assertThat(r.exitCode()).as(r.output()).isEqualTo(26);
            assertThat(r.output()).containsPattern("<\\*\\* 5\\d\\d ");
            assertThat(spoolEmpty(gw)).isTrue();
            assertThat(gw.incomingFiles()).isEmpty();
        }
    }

    @Test
    void contentFilterAnswers451WhenAVirusCannotBeQuarantined() throws Exception {
        try (Clamd clamd = Clamd.builder().start(); SmtpSink sink = SmtpSink.builder().dumpMessages().start();
             GatewayHarness gw = GatewayHarness.startWithBackend(Files.createDirectories(dir.resolve("gw")), // no store
                     mainCf(clamd, FreePort.next()), "vscan_mode=content-filter",
                     "vscan_content_filter_nexthop=[127.0.0.1]:" + sink.port())) {
            CommandResult virus = send(gw, message("virus", Clamd.eicar()), "a@example.test");
            assertThat(virus.exitCode()).as(virus.output()).isEqualTo(26);
            assertThat(virus.output()).contains("<** 451 4.3.0 ");
            assertThat(spoolEmpty(gw)).isTrue();
            assertThat(sink.messageCount()).isZero();
        }
    }

    @Test
    void contentFilterAnswers4xxWhileTheNextHopIsDownAndQuarantinesAVirusWithout() throws Exception {
        int down = FreePort.next();
        try (Clamd clamd = Clamd.builder().start();
             GatewayHarness gw = gateway(mainCf(clamd, FreePort.next()), "vscan_mode=content-filter",
                     "vscan_content_filter_nexthop=[127.0.0.1]:" + down)) {
            CommandResult r = send(gw, message("waits", "text".getBytes(StandardCharsets.US_ASCII)), "a@example.test");
            assertThat(r.exitCode()).as(r.output()).isEqualTo(26);
            assertThat(r.output()).containsPattern("<\\*\\* 4\\d\\d 4\\.");
            assertThat(spoolEmpty(gw)).isTrue();

            // A virus needs no next hop: quarantined, and 250 so the client does not bounce it
            CommandResult virus = send(gw, message("virus", Clamd.eicar()), "a@example.test");
            assertThat(virus.exitCode()).as(virus.output()).isZero();
            assertThat(quarantined()).hasSize(1);
            assertThat(gw.incomingFiles()).isEmpty(); // (the postmaster's notice may be in active/)
        }
    }
}
