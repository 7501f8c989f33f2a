// SmtpdDelayRejectTest: smtpd_delay_reject = no -- client restrictions decide at connect and the refusal answers
// every command; a HELO/EHLO name the helo restrictions refuse is not the session's (envelope, Received:).
package org.postern.gateway.smtpd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.gateway.GatewayHarness;
import org.postern.gateway.queue.QueueFile;
import org.postern.testkit.RawSmtpClient;

class SmtpdDelayRejectTest {
    private static final byte[] MESSAGE = "Subject: helo\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);

    @TempDir Path dir;

    @Test
    void connectStageRefusalAnswersEveryCommandButQuit(@TempDir Path other) throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir, "smtpd_delay_reject = no\n"
                + "smtpd_client_restrictions = check_client_access inline:{ { 127.0.0.2 = REJECT Go away } }\n");
             RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", gw.port, Duration.ofSeconds(10), "127.0.0.2")) {
            assertThat(c.readReply().code()).isEqualTo(220);
            RawSmtpClient.Reply r = c.command("EHLO client.test");
            assertThat(r.code()).isEqualTo(554);
            assertThat(r.text()).contains("Go away");
            assertThat(c.command("MAIL FROM:<a@sender.test>").code()).isEqualTo(554);
            assertThat(c.command("NOOP").code()).isEqualTo(250);
            assertThat(c.command("QUIT").code()).isEqualTo(221);
        }
        try (GatewayHarness gw = GatewayHarness.start(other, "smtpd_delay_reject = no\n");
             RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", gw.port, Duration.ofSeconds(10), "127.0.0.2")) {
            c.readReply();
            assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
        }
    }

    /**
     * As Postfix's helo_cmd: a name smtpd_helo_restrictions refuse is never taken -- the session goes on as before
     * the command (no HELO at all, or the earlier accepted one), in the envelope and in the Received: header.
     */
    @Test
    void refusedHeloNameIsNeitherReceivedNorEnvelopeHelo() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir, "smtpd_delay_reject = no\n"
                + "smtpd_helo_restrictions = check_helo_access inline:{ { bad.helo.test = REJECT Not you } },"
                + " reject_invalid_helo_hostname\n")) {
            try (RawSmtpClient c = gw.connectGreeted()) {
                RawSmtpClient.Reply r = c.command("EHLO bad.helo.test");
                assertThat(r.code()).as(r.toString()).isEqualTo(554);
                assertThat(r.text()).contains("Not you");
                assertThat(c.command("HELO bad_name!").code()).isEqualTo(501); // reject_invalid_helo_hostname
                assertThat(c.sendMessage("a@sender.test", List.of("u@example.test"), MESSAGE).code()).isEqualTo(250);
            }
            try (RawSmtpClient c = gw.connectGreeted()) {
                assertThat(c.command("EHLO good.helo.test").code()).isEqualTo(250);
                assertThat(c.command("HELO bad.helo.test").code()).isEqualTo(554);
                assertThat(c.sendMessage("b@sender.test", List.of("u@example.test"), MESSAGE).code()).isEqualTo(250);
            }
            List<QueueFile> queued = gw.incomingMessages();
            assertThat(queued).hasSize(2);
            QueueFile noHelo = queued.stream().filter(q -> q.envelope().sender().equals("a@sender.test")).findFirst().orElseThrow();
            assertThat(noHelo.envelope().client().helo()).isNull();
            assertThat(noHelo.envelope().client().protocol()).isEqualTo("SMTP");
            assertThat(GatewayHarness.content(noHelo)).startsWith("Received: from localhost (localhost [127.0.0.1])\r\n")
                    .contains(" with SMTP id ").doesNotContain("bad");
            QueueFile earlier = queued.stream().filter(q -> q.envelope().sender().equals("b@sender.test")).findFirst().orElseThrow();
            assertThat(earlier.envelope().client().helo()).isEqualTo("good.helo.test");
            assertThat(GatewayHarness.content(earlier)).startsWith("Received: from good.helo.test (localhost [127.0.0.1])\r\n")
                    .contains(" with ESMTP id ");
        }
    }
}
