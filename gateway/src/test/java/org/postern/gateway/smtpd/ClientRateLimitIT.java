// ClientRateLimitIT: the same sessions through Postern and through a throwaway Postfix 3.7 (its anvil(8)),
// both with smtpd_client_connection_rate_limit, _message_rate_limit and _recipient_rate_limit set: every
// reply to MAIL, RCPT and RSET, and the refusal of a connection over the rate, must be the same.
package org.postern.gateway.smtpd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.gateway.GatewayHarness;
import org.postern.testkit.FreePort;
import org.postern.testkit.Postfix;
import org.postern.testkit.RawSmtpClient;
import org.postern.testkit.RawSmtpClient.Reply;

class ClientRateLimitIT {
    private static final Duration READ = Duration.ofSeconds(10);
    /** Both servers' settings; clients from 127.0.0.2-4 are outside mynetworks. */
    private static final String LIMITS = String.join("\n",
            "myhostname = mx.postern.test",
            "mynetworks = 127.0.0.1/32",
            "relay_domains = example.test",
            "smtpd_client_connection_rate_limit = 2",
            "smtpd_client_message_rate_limit = 2",
            "smtpd_client_recipient_rate_limit = 3", "");

    @TempDir Path dir;

    @Test
    void postfixAnswersTheSameAtEachLimit() throws Exception {
        Assumptions.assumeTrue(Postfix.available(), "needs root and Debian's postfix package");
        int port = FreePort.next();
        try (GatewayHarness postern = GatewayHarness.start(dir, LIMITS);
             Postfix postfix = Postfix.builder().withoutQueueManager().mainCf(LIMITS)
                     .masterCf("127.0.0.1:" + port + " inet n - n - - smtpd").start()) {
            List<String> ours = sessions(postern.port);
            List<String> theirs = sessions(port);
            assertThat(ours).as("Postern\n%s\nPostfix\n%s", ours, theirs).isEqualTo(theirs);
            assertThat(theirs).contains("421 4.7.0 mx.postern.test Error: too many connections from 127.0.0.2",
                    "450 4.7.1 Error: too much mail from 127.0.0.3", "450 4.7.1 Error: too many recipients from 127.0.0.4");
            assertThat(postfix.maillogLines("Connection rate limit exceeded: 3 from")).hasSize(1);
        }
    }

    /** Replies that carry the decisions (greetings only by code: the banners differ). */
    private static List<String> sessions(int port) throws Exception {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) { // 127.0.0.2: three connections, the third over the rate
            try (RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", port, READ, "127.0.0.2")) {
                Reply greeting = c.readReply();
                out.add(greeting.code() == 220 ? "220" : greeting.code() + " " + greeting.text());
                if (greeting.code() == 220) c.command("QUIT");
            }
        }
        try (RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", port, READ, "127.0.0.3")) { // MAIL over the rate
            c.readReply();
            c.command("EHLO client.test");
            for (String cmd : List.of("MAIL FROM:<a@sender.test>", "RSET", "MAIL FROM:<a@sender.test>", "RSET",
                    "MAIL FROM:<a@sender.test>", "RCPT TO:<u@example.test>")) {
                out.add(render(c.command(cmd)));
            }
            c.command("QUIT");
        }
        try (RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", port, READ, "127.0.0.4")) { // RCPT over the rate
            c.readReply();
            c.command("EHLO client.test");
            out.add(render(c.command("MAIL FROM:<a@sender.test>")));
            for (int i = 0; i < 4; i++) out.add(render(c.command("RCPT TO:<u" + i + "@example.test>")));
            c.command("QUIT");
        }
        return out;
    }

    private static String render(Reply r) {
        return r.code() + " " + r.text();
    }
}
