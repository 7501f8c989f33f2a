// VscanRspamdIT: the vscan stage in a running gateway against Debian's real rspamd (network lookups off):
// GTUBE is caught and, by vscan_policy_maps, quarantined for one domain and delivered tagged for another
// (the message is split); clean mail passes with its symbols logged; rspamd over its UNIX socket
// (vscan_rspamd_url = unix:/path) quarantines GTUBE the same; an rspamd outage keeps mail queued.
package org.postern.gateway.vscan;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
import org.postern.testkit.CommandResult;
import org.postern.testkit.Rspamd;
import org.postern.testkit.SinkMessage;
import org.postern.testkit.SmtpSink;
import org.postern.testkit.Swaks;

class VscanRspamdIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";
    private static Rspamd rspamd;

    @TempDir
    Path dir;

    private SqliteQuarantine store;

    @BeforeAll
    static void startRspamd() {
        rspamd = Rspamd.builder().start();
    }

    @AfterAll
    static void stopRspamd() {
        if (rspamd != null) rspamd.close();
    }

    private QuarantineStore store(Vertx vertx) {
        store = SqliteQuarantine.open(vertx, dir.resolve("quarantine"), dir.resolve("quarantine.db"), Duration.ofDays(30),
                Clock.systemUTC()).toCompletionStage().toCompletableFuture().join();
        return store;
    }

    private GatewayHarness gateway(SmtpSink sink, String... more) throws Exception {
        return gatewayTo(rspamd.url(), sink, more);
    }

    private GatewayHarness gatewayTo(String rspamdUrl, SmtpSink sink, String... more) throws Exception {
        return GatewayHarness.startWithBackend(Files.createDirectories(dir.resolve("gw")), this::store, String.join("\n",
                "relayhost = [127.0.0.1]:" + sink.port(), "relay_domains = example.test, tagonly.test",
                "vscan_rspamd_url = " + rspamdUrl, "vscan_retry_time = 1s", String.join("\n", more)));
    }

    private static void send(GatewayHarness gw, String subject, String body, String... rcpts) {
        CommandResult r = Swaks.server("127.0.0.1", gw.port).from("sender@client.test").to(rcpts)
                .header("Subject", subject).header("Message-ID", "<" + subject.replace(' ', '.') + "@client.test>")
                .body(body).run();
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    private List<Entry> quarantined() {
        return store.list(Query.all()).toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void gtubeIsSplitQuarantinedForOneDomainTaggedForTheOther() throws Exception {
        try (SmtpSink sink = SmtpSink.builder().dumpMessages().start();
             GatewayHarness gw = gateway(sink, "vscan_policy_maps = inline:{ { tagonly.test = spam=tag } }")) {
            send(gw, "offer", "Buy now\r\n" + GTUBE + "\r\n", "a@example.test", "b@tagonly.test");
            send(gw, "hello", "Hi Bob, the minutes of today's meeting are below.\r\n", "a@example.test");
            sink.awaitMessages(2, WAIT);
            Await.until("one quarantined", WAIT, () -> quarantined().size() == 1);
            Entry e = quarantined().get(0);
            assertThat(e.verdictClass()).isEqualTo("spam");
            assertThat(e.symbols()).contains("GTUBE");
            assertThat(e.spamScore()).isGreaterThanOrEqualTo(15.0);
            assertThat(e.recipients()).extracting(r -> r.address()).containsExactly("a@example.test");

            SinkMessage tagged = sink.messages().stream().filter(m -> m.recipients().contains("b@tagonly.test"))
                    .findFirst().orElseThrow();
            assertThat(tagged.header("X-Spam-Flag")).contains("YES");
            assertThat(tagged.header("Subject")).hasValueSatisfying(s -> assertThat(s).startsWith("[SPAM]").contains("offer"));
            SinkMessage clean = sink.messages().stream().filter(m -> m.header("Subject").orElse("").contains("hello"))
                    .findFirst().orElseThrow();
            assertThat(clean.header("X-Spam-Flag")).isEmpty();
            assertThat(clean.recipients()).containsExactly("a@example.test");
        }
    }

    @Test
    void overTheUnixSocketGtubeIsQuarantinedAndCleanMailDelivered() throws Exception {
        try (SmtpSink sink = SmtpSink.builder().dumpMessages().start(); LogCapture vscan = LogCapture.of("postern.vscan");
             GatewayHarness gw = gatewayTo(rspamd.socketUrl(), sink)) {
            send(gw, "offer", "Buy now\r\n" + GTUBE + "\r\n", "a@example.test");
            send(gw, "hello", "Hi Bob, the minutes of today's meeting are below.\r\n", "a@example.test");
            sink.awaitMessages(1, WAIT);
            Await.until("one quarantined", WAIT, () -> quarantined().size() == 1);
            assertThat(quarantined().get(0).symbols()).contains("GTUBE");
            assertThat(sink.messages()).singleElement()
                    .satisfies(m -> assertThat(m.header("Subject")).hasValueSatisfying(v -> assertThat(v).contains("hello")));
            assertThat(vscan.count("rspamd=")).isGreaterThanOrEqualTo(2);
            assertThat(vscan.count("TEMPFAIL") + vscan.count("tempfail")).isZero();
        }
    }

    @Test
    void rspamdDownKeepsMailQueuedThenItFlows() throws Exception {
        try (SmtpSink sink = SmtpSink.builder().dumpMessages().start(); LogCapture vscan = LogCapture.of("postern.vscan");
             GatewayHarness gw = gateway(sink)) {
            rspamd.stop();
            try {
                for (int i = 0; i < 4; i++) send(gw, "queued " + i, "plain text " + i + "\r\n", "a@example.test");
                Await.until("four in incoming", WAIT, () -> gw.queued(QueueName.INCOMING).size() == 4);
                // every message is tried at least twice with rspamd down: nothing may pass unchecked
                Await.until("two failed checks per message", WAIT, () -> vscan.count("message stays in incoming") >= 8);
                assertThat(sink.messageCount()).isZero();
            } finally {
                rspamd.restart();
            }
            sink.awaitMessages(4, WAIT);
            Await.until("incoming empty", WAIT, () -> gw.queued(QueueName.INCOMING).isEmpty());
        }
    }
}
