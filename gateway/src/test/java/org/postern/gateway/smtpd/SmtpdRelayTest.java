package org.postern.gateway.smtpd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.gateway.GatewayHarness;
import org.postern.testkit.RawSmtpClient;

/**
 * Anti-relay at RCPT for an untrusted client: mynetworks here is 127.0.0.1/32 and the test connects
 * from 127.0.0.2, so only mydestination and relay_domains are accepted, and no address trick opens a relay.
 * Of mydestination (mx.postern.test) only the users local_recipient_maps lists exist.
 */
class SmtpdRelayTest {
    @TempDir Path dir;
    GatewayHarness gw;

    @BeforeEach
    void start() throws Exception {
        gw = GatewayHarness.start(dir, "local_recipient_maps = inline:{ { postmaster = ok } }");
    }

    @AfterEach
    void stop() throws Exception {
        gw.close();
    }

    private int rcpt(String bindAddress, String path) throws Exception {
        try (RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", gw.port, Duration.ofSeconds(10), bindAddress)) {
            c.readReply();
            c.command("EHLO client.test");
            c.command("MAIL FROM:<a@sender.test>");
            RawSmtpClient.Reply r = c.command("RCPT TO:" + path);
            if (r.code() == 554) assertThat(r.text()).startsWith("5.7.1 <").endsWith(">: Relay access denied");
            return r.code();
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "<user@example.test>                          | 250",
        "<user@EXAMPLE.test>                          | 250",
        "<postmaster@mx.postern.test>                 | 250",
        "<postmaster>                                 | 250",
        "<nobody@mx.postern.test>                     | 550",
        "<nobody>                                     | 550",
        "<user@elsewhere.test>                        | 554",
        "<user@sub.example.test>                      | 250",
        "<user%elsewhere.test@example.test>           | 554",
        "<elsewhere.test!user@example.test>           | 554",
        "<\"user@elsewhere.test\"@example.test>         | 554",
        "<@example.test:user@elsewhere.test>          | 554",
        "<@elsewhere.test:user@example.test>          | 250",
        "<user@[127.0.0.1]>                           | 554",
        "<elsewhere.test!user>                        | 554",
        "<user@elsewhere.test.>                       | 554",
    })
    void untrustedClient(String path, int expected) throws Exception {
        assertThat(rcpt("127.0.0.2", path.trim())).isEqualTo(expected);
    }

    @Test
    void aBareLocalPartIsQualifiedAndKeptAsTheOriginal() throws Exception {
        try (RawSmtpClient c = gw.connectGreeted()) {
            c.command("EHLO client.test");
            c.command("MAIL FROM:<a@sender.test>");
            assertThat(c.command("RCPT TO:<postmaster>").code()).isEqualTo(250);
            assertThat(c.command("RCPT TO:<user@example.test>").code()).isEqualTo(250);
            assertThat(c.command("DATA").code()).isEqualTo(354);
            assertThat(c.command("Subject: x\r\n\r\nbody\r\n.").code()).isEqualTo(250);
        }
        var rcpts = gw.incomingMessages().get(0).envelope().recipients();
        assertThat(rcpts.get(0).address()).isEqualTo("postmaster@mx.postern.test");
        assertThat(rcpts.get(0).original()).isEqualTo("postmaster");
        assertThat(rcpts.get(1).original()).isNull(); // unchanged: no original recorded
    }

    @Test
    void mynetworksMayRelayAnywhere() throws Exception {
        assertThat(rcpt("127.0.0.1", "<user@elsewhere.test>")).isEqualTo(250);
    }
}
