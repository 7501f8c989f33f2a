package org.postern.gateway.smtpd;

import org.postern.testkit.Await;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.gateway.GatewayHarness;
import org.postern.testkit.RawSmtpClient;
import org.slf4j.LoggerFactory;

/** smtpd's mail-log lines have Postfix's wording, so pflogsumm and postmasters' greps work. */
class SmtpdLogTest {
    @TempDir Path dir;
    final ListAppender<ILoggingEvent> smtpd = new ListAppender<>();
    final ListAppender<ILoggingEvent> cleanup = new ListAppender<>();

    @BeforeEach
    void capture() {
        smtpd.start();
        cleanup.start();
        ((Logger) LoggerFactory.getLogger("postern.smtpd")).addAppender(smtpd);
        ((Logger) LoggerFactory.getLogger("postern.cleanup")).addAppender(cleanup);
    }

    @AfterEach
    void release() {
        ((Logger) LoggerFactory.getLogger("postern.smtpd")).detachAppender(smtpd);
        ((Logger) LoggerFactory.getLogger("postern.cleanup")).detachAppender(cleanup);
    }

    private static List<String> lines(ListAppender<ILoggingEvent> a) {
        return a.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void sessionIsLoggedAsPostfixDoes() throws Exception {
        String queueId;
        try (GatewayHarness gw = GatewayHarness.start(dir, "");
             RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", gw.port, Duration.ofSeconds(10), "127.0.0.2")) {
            c.readReply();
            c.command("EHLO client.test");
            c.command("MAIL FROM:<a@sender.test>");
            c.command("RCPT TO:<x@elsewhere.test>");
            c.command("RCPT TO:<u@example.test>");
            c.command("DATA");
            String reply = c.command("Subject: log\r\n\r\nx\r\n.").text();
            queueId = reply.substring(reply.lastIndexOf(' ') + 1);
            c.command("QUIT");
            c.awaitClose(Duration.ofSeconds(5));
            Await.until("the disconnect log line", Duration.ofSeconds(5),
                    () -> lines(smtpd).stream().anyMatch(l -> l.startsWith("disconnect")));
        }
        assertThat(lines(smtpd)).containsSubsequence(
                "connect from unknown[127.0.0.2]",
                "NOQUEUE: reject: RCPT from unknown[127.0.0.2]: 554 5.7.1 <x@elsewhere.test>: Relay access denied;"
                        + " from=<a@sender.test> to=<x@elsewhere.test> proto=ESMTP helo=<client.test> (builtin:default)",
                queueId + ": client=unknown[127.0.0.2]",
                "disconnect from unknown[127.0.0.2] ehlo=1 mail=1 rcpt=1/2 data=1 quit=1 commands=5/6");
        assertThat(lines(cleanup)).contains(queueId + ": from=<a@sender.test>, size=19, nrcpt=1 (queue incoming)");
    }
}
