package org.postern.gateway.smtpd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.gateway.GatewayHarness;
import org.postern.testkit.RawSmtpClient;

/** smtpd_delay_reject = no: client restrictions decide at connect; the refusal answers every command. */
class SmtpdDelayRejectTest {
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
}
