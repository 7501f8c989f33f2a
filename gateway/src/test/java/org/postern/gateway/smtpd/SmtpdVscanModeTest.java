// SmtpdVscanModeTest: -o vscan_mode without a backend -- none commits into active/ "(queue active)",
// content-filter answers 451 and keeps nothing, before-queue waits in incoming/ as after-queue would, and a
// bad vscan_content_filter_nexthop is an error naming master.cf:line (an -o value carries its service line).
package org.postern.gateway.smtpd;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.gateway.GatewayHarness;
import org.postern.gateway.queue.QueueFile;
import org.postern.gateway.queue.QueueName;
import org.postern.policies.conf.Config;
import org.postern.testkit.RawSmtpClient;
import org.slf4j.LoggerFactory;

class SmtpdVscanModeTest {
    private static final byte[] MESSAGE = "Subject: mode\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    final ListAppender<ILoggingEvent> cleanup = new ListAppender<>();

    @BeforeEach
    void capture() {
        cleanup.start();
        ((Logger) LoggerFactory.getLogger("postern.cleanup")).addAppender(cleanup);
    }

    @AfterEach
    void release() {
        ((Logger) LoggerFactory.getLogger("postern.cleanup")).detachAppender(cleanup);
    }

    private static RawSmtpClient.Reply send(GatewayHarness gw) throws Exception {
        try (RawSmtpClient c = gw.connectGreeted()) {
            c.command("EHLO client.test");
            return c.sendMessage("a@sender.test", List.of("u@example.test"), MESSAGE);
        }
    }

    @Test
    void noneCommitsStraightIntoActive() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir, "", "vscan_mode=none")) {
            RawSmtpClient.Reply r = send(gw);
            assertThat(r.code()).as(r.toString()).isEqualTo(250);
            assertThat(gw.queued(QueueName.INCOMING)).isEmpty();
            List<String> active = gw.queued(QueueName.ACTIVE);
            assertThat(active).hasSize(1);
            assertThat(r.text()).endsWith(active.get(0));
            QueueFile q = QueueFile.read(gw.spool().resolve("active").resolve(active.get(0)));
            assertThat(q.envelope().filter()).isNull();
            assertThat(GatewayHarness.content(q)).endsWith("hello\r\n");
            assertThat(cleanup.list).extracting(ILoggingEvent::getFormattedMessage)
                    .anyMatch(l -> l.startsWith(active.get(0) + ": from=<a@sender.test>") && l.endsWith("(queue active)"));
        }
    }

    @Test
    void withoutAnyContentFilterAfterQueueMailGoesStraightToActive() throws Exception {
        try (GatewayHarness gw = GatewayHarness.startWithBackend(dir, String.join("\n",
                "vscan_attachment_checks = no", "relayhost = [127.0.0.1]:9", "minimal_backoff_time = 1h",
                "maximal_backoff_time = 2h"))) {
            RawSmtpClient.Reply r = send(gw);
            assertThat(r.code()).as(r.toString()).isEqualTo(250);
            String id = r.text().substring(r.text().lastIndexOf(' ') + 1);
            assertThat(cleanup.list).extracting(ILoggingEvent::getFormattedMessage)
                    .anyMatch(l -> l.startsWith(id + ": from=<a@sender.test>") && l.endsWith("(queue active)"));
        }
    }

    @Test
    void withAttachmentChecksAfterQueueMailIsScannedFromIncoming() throws Exception {
        try (GatewayHarness gw = GatewayHarness.startWithBackend(dir, "relayhost = [127.0.0.1]:9")) {
            RawSmtpClient.Reply r = send(gw);
            String id = r.text().substring(r.text().lastIndexOf(' ') + 1);
            assertThat(cleanup.list).extracting(ILoggingEvent::getFormattedMessage)
                    .anyMatch(l -> l.startsWith(id + ": from=<a@sender.test>") && l.endsWith("(queue incoming)"));
        }
    }

    @Test
    void contentFilterWithoutBackendKeepsNothingAndAnswers451() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir, "", "vscan_mode=content-filter")) {
            RawSmtpClient.Reply r = send(gw);
            assertThat(r.code()).as(r.toString()).isEqualTo(451);
            assertThat(r.enhancedStatus()).isEqualTo("4.3.5");
            assertThat(gw.incomingFiles()).isEmpty();
            assertThat(gw.queued(QueueName.ACTIVE)).isEmpty();
        }
    }

    @Test
    void beforeQueueWithoutBackendWaitsInIncoming() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir, "", "vscan_mode=before-queue")) {
            RawSmtpClient.Reply r = send(gw);
            assertThat(r.code()).as(r.toString()).isEqualTo(250);
            assertThat(gw.queued(QueueName.INCOMING)).hasSize(1);
        }
    }

    @Test
    void badContentFilterNexthopNamesMasterCfLine() throws Exception {
        Files.writeString(dir.resolve("main.cf"), GatewayHarness.baseMainCf(dir));
        Files.writeString(dir.resolve("master.cf"), "127.0.0.1:2525 inet n - n - - smtpd\n"
                + "  -o vscan_mode=content-filter\n  -o vscan_content_filter_nexthop=[127.0.0.1]:notaport\n");
        List<String> problems = SmtpdListeners.check(Config.load(dir));
        assertThat(problems).anySatisfy(p -> assertThat(p)
                .contains("master.cf:1").contains("vscan_content_filter_nexthop").contains("notaport"));
    }
}
