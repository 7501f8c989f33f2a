package org.postern.gateway.smtpd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.gateway.GatewayHarness;
import org.postern.testkit.Dnsmasq;
import org.postern.testkit.RawSmtpClient;
import org.postern.testkit.RawSmtpClient.Reply;

/** smtpd_*_restrictions end to end: a DNSBL on a real dnsmasq, access maps, AUTH-only relaying. */
class SmtpdRestrictionsIT {
    @TempDir Path dir;

    private Reply rcpt(GatewayHarness gw, String from, String sender, String rcpt) throws Exception {
        try (RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", gw.port, Duration.ofSeconds(30), from)) {
            c.readReply();
            c.command("EHLO client.test");
            assertThat(c.command("MAIL FROM:<" + sender + ">").code()).isEqualTo(250);
            Reply r = c.command("RCPT TO:<" + rcpt + ">");
            if (r.code() == 250) {
                c.command("DATA");
                assertThat(c.command("Subject: r\r\n\r\nx\r\n.").code()).isEqualTo(250);
            }
            return r;
        }
    }

    private long held(GatewayHarness gw) throws Exception {
        try (Stream<Path> s = Files.list(gw.spool().resolve("hold"))) {
            return s.count();
        }
    }

    @Test
    void dnsblAccessMapsAndHold() throws Exception {
        Files.writeString(dir.resolve("sender_access"), "spammer.test REJECT No mail from spammers\nholdme.test HOLD\n");
        try (Dnsmasq dns = Dnsmasq.builder().zone("rbl.test")
                .address("2.0.0.127.rbl.test", "127.0.0.2").txt("2.0.0.127.rbl.test", "listed for testing")
                .start();
             GatewayHarness gw = GatewayHarness.start(dir, String.join("\n",
                     "dns_servers = " + dns.hostPort(),
                     "smtpd_client_restrictions = reject_rbl_client rbl.test",
                     "smtpd_sender_restrictions = check_sender_access hash:" + dir.resolve("sender_access"),
                     ""))) {
            Reply listed = rcpt(gw, "127.0.0.2", "a@sender.test", "u@example.test");
            assertThat(listed.code()).isEqualTo(554);
            assertThat(listed.text()).contains("Client host [127.0.0.2] blocked using rbl.test").contains("listed for testing");
            Reply spammer = rcpt(gw, "127.0.0.3", "x@spammer.test", "u@example.test");
            assertThat(spammer.code()).isEqualTo(554);
            assertThat(spammer.text()).contains("No mail from spammers");
            assertThat(rcpt(gw, "127.0.0.3", "x@holdme.test", "u@example.test").code()).isEqualTo(250);
            assertThat(held(gw)).isEqualTo(1);
            assertThat(rcpt(gw, "127.0.0.3", "ok@sender.test", "u@example.test").code()).isEqualTo(250);
            assertThat(gw.incomingMessages()).hasSize(1);
        }
    }

    @Test
    void dnsFailureIsATemporaryErrorNeverAPermit() throws Exception {
        try (Dnsmasq.StubServer dead = Dnsmasq.StubServer.silent();
             GatewayHarness gw = GatewayHarness.start(dir, String.join("\n",
                     "dns_servers = " + dead.hostPort(), "dns_timeout = 2s",
                     "smtpd_client_restrictions = reject_rbl_client rbl.test", ""))) {
            Reply r = rcpt(gw, "127.0.0.2", "a@sender.test", "u@example.test");
            assertThat(r.code()).isEqualTo(451);
            assertThat(gw.incomingMessages()).isEmpty();
        }
    }

    @Test
    void submissionListenerRelaysOnlyForAuthenticatedUsers() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start(dir, "",
                "smtpd_relay_restrictions=permit_sasl_authenticated,reject", "mynetworks=")) {
            Reply r = rcpt(gw, "127.0.0.1", "a@sender.test", "u@example.test");
            assertThat(r.code()).isEqualTo(554);
        }
    }
}
