// PflogsummIT: the mail log written through SLF4J + MailLogSetup is read by the real pflogsumm
// (Debian package pflogsumm) as a Postfix log: a received, a delivered and a rejected message, one
// connection. Skipped where pflogsumm is not installed. pflogsumm needs --syslog-name=postern.
package org.postern.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class PflogsummIT {
    private static final Path PFLOGSUMM = Path.of("/usr/sbin/pflogsumm");

    @AfterEach
    void restoreDefaultLogging() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        new ContextInitializer(context).autoConfig();
    }

    @Test
    void pflogsummCountsPosternsMailLog(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(PFLOGSUMM), "pflogsumm not installed (apt-get install pflogsumm)");
        Path maillog = dir.resolve("maillog");
        InstanceSettings settings = new InstanceSettings(dir, dir.resolve("spool"), dir.resolve("data"),
                Optional.of(maillog), "postern", "mail", "mx1.example.test", Optional.empty(), Duration.ofSeconds(30));
        try (MailLogSetup ignored = MailLogSetup.configure(settings, false)) {
            Logger smtpd = LoggerFactory.getLogger("postern.smtpd");
            Logger cleanup = LoggerFactory.getLogger("postern.cleanup");
            Logger qmgr = LoggerFactory.getLogger("postern.qmgr");
            Logger smtp = LoggerFactory.getLogger("postern.smtp");
            smtpd.info("connect from client.example.test[192.0.2.10]");
            smtpd.info("4XbKp21Qz9z9v: client=client.example.test[192.0.2.10]");
            cleanup.info("4XbKp21Qz9z9v: message-id=<1@client.example.test>");
            qmgr.info("4XbKp21Qz9z9v: from=<alice@client.example.test>, size=1234, nrcpt=1 (queue active)");
            smtpd.info("NOQUEUE: reject: RCPT from client.example.test[192.0.2.10]: 554 5.7.1 "
                    + "<x@elsewhere.test>: Relay access denied; from=<alice@client.example.test> "
                    + "to=<x@elsewhere.test> proto=ESMTP helo=<client.example.test>");
            smtpd.info("disconnect from client.example.test[192.0.2.10] ehlo=1 mail=2 rcpt=1/2 data=1 quit=1 commands=6/7");
            smtp.info("4XbKp21Qz9z9v: to=<bob@example.test>, relay=mail.example.test[192.0.2.20]:25, delay=0.2, "
                    + "delays=0.1/0/0.05/0.05, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 123)");
            qmgr.info("4XbKp21Qz9z9v: removed");
        }
        assertThat(Files.readAllLines(maillog)).hasSize(8);

        Process p = new ProcessBuilder(PFLOGSUMM.toString(), "--syslog-name=postern", "--smtpd-stats", maillog.toString())
                .redirectErrorStream(true).start();
        String report = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(report).isZero();
        assertThat(report.lines().map(String::strip).toList()).as(report).contains(
                "1   received", "1   delivered", "1   rejected (50%)", "1234   bytes received", "1   connections");
        assertThat(report).contains("Relay access denied").contains("example.test");
    }
}
