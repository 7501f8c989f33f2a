package org.postern.gateway.smtpd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.ClientInfo;
import org.postern.gateway.GatewayHarness;
import org.postern.testkit.Dnsmasq;
import org.postern.testkit.RawSmtpClient;

/** The client's name comes from a real DNS server (dnsmasq): PTR, then forward confirmation. */
class SmtpdClientNameIT {
    @TempDir Path dir;

    private ClientInfo sendFrom(GatewayHarness gw, String bind) throws Exception {
        try (RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", gw.port, Duration.ofSeconds(20), bind)) {
            assertThat(c.readReply().code()).isEqualTo(220);
            c.command("EHLO client.test");
            c.command("MAIL FROM:<a@sender.test>");
            c.command("RCPT TO:<u@example.test>");
            c.command("DATA");
            assertThat(c.command("Subject: name\r\n\r\nx\r\n.").code()).isEqualTo(250);
        }
        var q = gw.incomingMessages();
        return q.get(q.size() - 1).envelope().client();
    }

    @Test
    void verifiedUnverifiedAndMissingNames() throws Exception {
        try (Dnsmasq dns = Dnsmasq.builder().zone("client.test").zone("in-addr.arpa")
                .ptr("127.0.0.2", "mx.client.test").host("mx.client.test", "127.0.0.2")
                .ptr("127.0.0.3", "forged.client.test").host("forged.client.test", "10.9.9.9")
                .start();
             GatewayHarness gw = GatewayHarness.start(dir, "smtpd_peername_lookup = yes\ndns_servers = "
                     + dns.hostPort() + "\n")) {
            ClientInfo verified = sendFrom(gw, "127.0.0.2");
            assertThat(verified.name()).isEqualTo("mx.client.test");
            ClientInfo forged = sendFrom(gw, "127.0.0.3");
            assertThat(forged.name()).isEqualTo("unknown");
            ClientInfo none = sendFrom(gw, "127.0.0.4");
            assertThat(none.name()).isEqualTo("unknown");
            String received = GatewayHarness.content(gw.incomingMessages().stream()
                    .filter(m -> m.envelope().client().address().equals("127.0.0.2")).findFirst().orElseThrow());
            assertThat(received).startsWith("Received: from client.test (mx.client.test [127.0.0.2])");
        }
    }
}
