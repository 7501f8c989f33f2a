package org.postern.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.policies.conf.Config;
import org.postern.testkit.FreePort;
import org.postern.testkit.RawSmtpClient;

/** Reload swaps the configuration snapshot: new sessions see it, sessions in progress keep theirs. */
class GatewayReloadTest {
    @TempDir Path dir;

    @Test
    void newSessionsGetTheNewSnapshotAndNewPortsAreBound() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir, "smtpd_banner = $myhostname ESMTP before\n")) {
            try (RawSmtpClient old = RawSmtpClient.connect("127.0.0.1", gw.port, Duration.ofSeconds(10))) {
                assertThat(old.readReply().text()).endsWith("ESMTP before");
                old.command("MAIL FROM:<a@sender.test>");

                int second = FreePort.next();
                Files.writeString(dir.resolve("main.cf"), GatewayHarness.baseMainCf(dir)
                        + "smtpd_banner = $myhostname ESMTP after\nsmtpd_recipient_limit = 1\n");
                Files.writeString(dir.resolve("master.cf"), Files.readString(dir.resolve("master.cf"))
                        + "127.0.0.1:" + second + " inet n - n - - smtpd\n");
                gw.gateway.reload(Config.load(dir)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

                try (RawSmtpClient fresh = RawSmtpClient.connect("127.0.0.1", gw.port, Duration.ofSeconds(10))) {
                    assertThat(fresh.readReply().text()).endsWith("ESMTP after");
                }
                try (RawSmtpClient added = RawSmtpClient.connect("127.0.0.1", second, Duration.ofSeconds(10))) {
                    assertThat(added.readReply().text()).endsWith("ESMTP after");
                }
                // the session in progress still has the old recipient limit (1000), not 1
                assertThat(old.command("RCPT TO:<u1@example.test>").code()).isEqualTo(250);
                assertThat(old.command("RCPT TO:<u2@example.test>").code()).isEqualTo(250);
            }
        }
    }

    @Test
    void aFailingReloadKeepsTheOldSnapshot() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir, "")) {
            Files.writeString(dir.resolve("main.cf"), GatewayHarness.baseMainCf(dir)
                    + "smtpd_tls_security_level = may\nsmtpd_tls_cert_file = /nonexistent/cert.pem\n");
            var result = gw.gateway.reload(Config.load(dir)).toCompletionStage().toCompletableFuture();
            assertThat(result).failsWithin(30, TimeUnit.SECONDS);
            try (RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", gw.port, Duration.ofSeconds(10))) {
                c.readReply();
                assertThat(c.command("EHLO x").text()).doesNotContain("STARTTLS");
            }
        }
    }
}
