// RefusedHeloIT: smtpd_delay_reject = no with smtpd_helo_restrictions refusing the HELO/EHLO name -- python smtplib
// sessions through Postern and through a throwaway Postfix 3.7, both relaying to one smtp-sink: the replies and
// the Received: header the sink sees must agree (a refused name is never the session's: no HELO, or the earlier one).
package org.postern.gateway.smtpd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.gateway.GatewayHarness;
import org.postern.gateway.LogCapture;
import org.postern.testkit.Assumptions;
import org.postern.testkit.CommandResult;
import org.postern.testkit.FreePort;
import org.postern.testkit.Postfix;
import org.postern.testkit.PythonSmtp;
import org.postern.testkit.SinkMessage;
import org.postern.testkit.SmtpSink;

class RefusedHeloIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String HELO_RULES = "smtpd_helo_restrictions = check_helo_access inline:{ { bad.helo.test = "
            + "REJECT Not you } }, reject_invalid_helo_hostname";
    /** Matches "Received: from NAME (CLIENT [ADDR])" ... "with PROTO id" in the first Received: header. */
    private static final Pattern RECEIVED = Pattern.compile("\\AReceived: from (\\S+) \\((\\S+) \\[([^]]+)]\\).*? with (\\S+) id ",
            Pattern.DOTALL);

    /**
     * Session "none": EHLO and HELO both refused, then a message. Session "earlier": EHLO accepted, then a HELO
     * refused, then a message. Each prints its replies; the messages' Subject names the session.
     */
    private static final String SESSIONS = String.join("\n",
            "import smtplib, sys",
            "host, port, tag = sys.argv[1], int(sys.argv[2]), sys.argv[3]",
            "def show(name, verb, arg, reply):",
            "    print(name, verb, arg, reply[0], reply[1].decode().replace('\\n', ' | '))",
            "def session(name, commands):",
            "    s = smtplib.SMTP(host, port, timeout=20)",
            "    for verb, arg in commands:",
            "        show(name, verb.upper(), arg, getattr(s, verb)(arg))",
            "    show(name, 'MAIL', 'a@sender.test', s.mail('a@sender.test'))",
            "    show(name, 'RCPT', 'u@example.test', s.rcpt('u@example.test'))",
            "    show(name, 'DATA', '-', s.data(('Subject: %s %s\\r\\n\\r\\nbody\\r\\n' % (tag, name)).encode()))",
            "    s.quit()",
            "session('none', [('ehlo', 'bad.helo.test'), ('helo', 'bad_name!')])",
            "session('earlier', [('ehlo', 'good.helo.test'), ('helo', 'bad.helo.test')])");

    @TempDir
    Path dir;

    @Test
    void refusedHeloNameIsNotInReceivedAsWithPostfix() throws Exception {
        Assumptions.requireCommand("python3");
        try (LogCapture ourLog = LogCapture.of("postern.smtpd");
             SmtpSink sink = SmtpSink.builder().dumpMessages().start();
             GatewayHarness postern = GatewayHarness.startWithBackend(dir, String.join("\n",
                     "relayhost = [127.0.0.1]:" + sink.port(), "vscan_attachment_checks = no",
                     "smtpd_delay_reject = no", HELO_RULES))) {
            List<String> ours = replies(run(postern.port, "postern"));
            assertThat(ours).contains("none EHLO bad.helo.test 554 5.7.1 <bad.helo.test>: Helo command rejected: Not you",
                    "none HELO bad_name! 501 5.5.2 <bad_name!>: Helo command rejected: Invalid name",
                    "earlier HELO bad.helo.test 554 5.7.1 <bad.helo.test>: Helo command rejected: Not you",
                    "none DATA - 250", "earlier DATA - 250");
            sink.awaitMessages(2, WAIT);
            assertThat(received(sink, "postern none")).containsExactly("localhost", "localhost", "127.0.0.1", "SMTP");
            assertThat(received(sink, "postern earlier")).containsExactly("good.helo.test", "localhost", "127.0.0.1", "ESMTP");

            if (!Postfix.available()) { // the comparison needs root, as in CI
                if (Assumptions.inCi()) fail("CI=true, but Postfix cannot be started here (root and Debian's postfix)");
                return;
            }
            int port = FreePort.next();
            try (Postfix postfix = Postfix.builder().mainCf("relayhost = [127.0.0.1]:" + sink.port(),
                    "smtpd_delay_reject = no", HELO_RULES).masterCf("127.0.0.1:" + port + " inet n - n - - smtpd").start()) {
                List<String> theirs = replies(run(port, "postfix"));
                assertThat(ours).as("Postern\n%s\nPostfix\n%s", ours, theirs).isEqualTo(theirs);
                sink.awaitMessages(4, WAIT);
                assertThat(received(sink, "postfix none")).isEqualTo(received(sink, "postern none"));
                assertThat(received(sink, "postfix earlier")).isEqualTo(received(sink, "postern earlier"));
                assertThat(rejects(ourLog.lines())).isEqualTo(rejects(postfix.maillogLines("NOQUEUE: reject: ")))
                        .hasSize(3).anyMatch(l -> l.contains("reject: EHLO") && l.endsWith("helo=<bad.helo.test>"));
            }
        }
    }

    private static CommandResult run(int port, String tag) {
        CommandResult r = PythonSmtp.script(SESSIONS).args("127.0.0.1", Integer.toString(port), tag).run();
        assertThat(r.exitCode()).as(r.describe()).isZero();
        return r;
    }

    /** The printed replies; of a 2xx only the code (greeting names, EHLO keywords and queue ids differ). */
    private static List<String> replies(CommandResult r) {
        List<String> out = new ArrayList<>();
        for (String line : r.stdout().lines().toList()) {
            String[] w = line.split(" ", 5);
            out.add(w[3].startsWith("2") ? String.join(" ", w[0], w[1], w[2], w[3]) : line);
        }
        return out;
    }

    /**
     * The NOQUEUE reject lines from "NOQUEUE" on, without Postern's origin and without proto=: for a refused
     * EHLO Postfix logs the session's protocol so far (SMTP before any EHLO), Postern the command's (ESMTP).
     */
    private static List<String> rejects(List<String> log) {
        return log.stream().filter(l -> l.contains("NOQUEUE: reject: "))
                .map(l -> l.substring(l.indexOf("NOQUEUE: reject: ")).replaceAll(" \\(/[^)]*\\)$", "")
                        .replaceAll(" proto=\\S+", "")).toList();
    }

    /** HELO name, client name, address and protocol of the Received: header the sink got with Subject {@code subject}. */
    private static List<String> received(SmtpSink sink, String subject) {
        SinkMessage m = sink.messages().stream().filter(x -> x.header("Subject").orElse("").contains(subject))
                .findFirst().orElseThrow(() -> new AssertionError("no message \"" + subject + "\" at the sink"));
        Matcher r = RECEIVED.matcher(m.text());
        assertThat(r.find()).as(m.text()).isTrue();
        return List.of(r.group(1), r.group(2), r.group(3), r.group(4));
    }
}
