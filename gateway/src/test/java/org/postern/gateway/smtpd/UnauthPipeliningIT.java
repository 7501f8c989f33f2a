// UnauthPipeliningIT: smtpd_forbid_unauth_pipelining = yes in Postern and in a throwaway Postfix 3.7 (which
// has it since 3.7.6): clients that send ahead where RFC 2920/5321 forbid it (after EHLO, HELO, DATA, or
// without EHLO at all) get the same replies from both and are cut off; proper pipelining is untouched.
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
import org.postern.gateway.LogCapture;
import org.postern.testkit.FreePort;
import org.postern.testkit.Postfix;
import org.postern.testkit.RawSmtpClient;
import org.postern.testkit.RawSmtpClient.Reply;

class UnauthPipeliningIT {
    private static final Duration READ = Duration.ofSeconds(5);
    private static final String MAIN_CF = String.join("\n",
            "myhostname = mx.postern.test",
            "mynetworks = 127.0.0.1/32",
            "relay_domains = example.test",
            "smtpd_forbid_unauth_pipelining = yes", "");

    /** Each scenario: lines sent one by one (null: wait for the reply) or several in one write. */
    static final List<List<String>> SCENARIOS = List.of(
            List.of("EHLO client.test\r\nMAIL FROM:<a@sender.test>\r\n"),
            List.of("HELO client.test\r\nMAIL FROM:<a@sender.test>\r\n"),
            List.of("HELO client.test\r\n", "MAIL FROM:<a@sender.test>\r\nRCPT TO:<u@example.test>\r\n"),
            List.of("EHLO client.test\r\n", "MAIL FROM:<a@sender.test>\r\nRCPT TO:<u@example.test>\r\nDATA\r\n"
                    + "Subject: ahead\r\n\r\nsent before the 354\r\n.\r\n"),
            List.of("EHLO client.test\r\n", "MAIL FROM:<a@sender.test>\r\nRCPT TO:<u@example.test>\r\nDATA\r\n",
                    "Subject: in step\r\n\r\nproper pipelining\r\n.\r\nQUIT\r\n"),
            List.of("EHLO client.test\r\n", "NOOP\r\nRSET\r\nMAIL FROM:<a@sender.test>\r\n", "QUIT\r\n"),
            List.of("EHLO client.test\r\n", "VRFY u@example.test\r\nMAIL FROM:<a@sender.test>\r\n"),
            List.of("EHLO client.test\r\n", "RSET\r\nMAIL FROM:<a@sender.test>\r\nRCPT TO:<u@example.test>\r\nQUIT\r\n"),
            List.of("EHLO client.test\r\n", "QUIT\r\nNOOP\r\n"));

    @TempDir Path dir;

    @Test
    void clientsSendingAheadGetPostfixsAnswer() throws Exception {
        Assumptions.assumeTrue(Postfix.available(), "needs root and Debian's postfix package");
        int port = FreePort.next();
        try (LogCapture log = LogCapture.of("postern.smtpd"); GatewayHarness postern = GatewayHarness.start(dir, MAIN_CF);
             Postfix postfix = Postfix.builder().withoutQueueManager().mainCf(MAIN_CF)
                     .masterCf("127.0.0.1:" + port + " inet n - n - - smtpd").start()) {
            for (List<String> scenario : SCENARIOS) {
                List<String> ours = replies(postern.port, scenario);
                List<String> theirs = replies(port, scenario);
                assertThat(ours).as("%s\nPostern %s\nPostfix %s", scenario, ours, theirs).isEqualTo(theirs);
            }
            assertThat(replies(postern.port, SCENARIOS.get(0)))
                    .contains("554 5.5.0 Error: SMTP protocol synchronization", "(closed)");
            String line = "improper command pipelining after EHLO from unknown[127.0.0.2]: MAIL FROM:<a@sender.test>\\r\\n";
            assertThat(postfix.maillogLines("improper command pipelining after EHLO")).first().asString().contains(line);
            assertThat(log.count(line)).isGreaterThanOrEqualTo(1);
        }
    }

    /** The replies after the greeting (EHLO's only by code: the keyword lists differ), then "(closed)" if cut off. */
    private static List<String> replies(int port, List<String> writes) throws Exception {
        List<String> out = new ArrayList<>();
        try (RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", port, READ, "127.0.0.2")) {
            c.readReply();
            for (String w : writes) {
                c.send(w);
                int expected = (int) w.lines().filter(l -> l.equals(".") || !l.isEmpty()
                        && Character.isUpperCase(l.charAt(0)) && !l.startsWith("Subject:")).count();
                for (int i = 0; i < Math.max(1, expected); i++) {
                    Reply r;
                    try {
                        r = c.readReply(READ);
                    } catch (java.io.IOException e) {
                        out.add("(closed)");
                        return out;
                    }
                    out.add(r.isMultiline() ? r.code() + " (multi-line)"
                            : (r.code() + " " + r.text()).replaceAll("queued as \\S+", "queued"));
                    if (r.code() == 554 || r.code() == 221 || r.code() == 421) {
                        if (c.awaitClose(READ)) out.add("(closed)");
                        return out;
                    }
                }
            }
        }
        return out;
    }
}
