// MailLogSetupTest: through real SLF4J loggers and Logback, lines reach maillog_file (or syslog
// over UDP) in Postfix's format: stage loggers at INFO, library loggers only from WARN, as
// postern/postern; exceptions folded into the line.
package org.postern.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class MailLogSetupTest {
    private static final String TIME = "[A-Z][a-z]{2} [ 1-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9]";
    private static final long PID = ProcessHandle.current().pid();

    @TempDir
    Path dir;

    @AfterEach
    void restoreDefaultLogging() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        new ContextInitializer(context).autoConfig();
    }

    private InstanceSettings settings(Optional<Path> maillog, String facility) {
        return new InstanceSettings(dir, dir.resolve("spool"), dir.resolve("data"), maillog, "postern",
                facility, "mx1.example.test", Optional.empty(), Duration.ofSeconds(30));
    }

    @Test
    void writesPostfixLinesToMaillogFile() throws Exception {
        Path maillog = dir.resolve("maillog");
        try (MailLogSetup ignored = MailLogSetup.configure(settings(Optional.of(maillog), "mail"), false)) {
            LoggerFactory.getLogger("postern.smtpd").info("connect from localhost[{}]", "127.0.0.1");
            LoggerFactory.getLogger("postern.smtpd").debug("not in the mail log");
            LoggerFactory.getLogger("postern.cleanup").warn("header_checks: bad pattern");
            LoggerFactory.getLogger("io.netty.channel.Foo").info("library chatter, not in the mail log");
            LoggerFactory.getLogger("io.vertx.core.impl.BlockedThreadChecker").warn("Thread blocked",
                    new IllegalStateException("loop", new java.io.IOException("disk")));
            LoggerFactory.getLogger("org.postern.gateway.queue.Spool").error("cannot fsync {}", "incoming/4Xb2");
            LoggerFactory.getLogger("postern").info("bare prefix logger");
        }
        List<String> lines = Files.readAllLines(maillog, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(5);
        String head = TIME + " mx1 ";
        assertThat(lines.get(0)).matches(head + "postern/smtpd\\[" + PID + "\\]: connect from localhost\\[127\\.0\\.0\\.1\\]");
        assertThat(lines.get(1)).matches(head + "postern/cleanup\\[" + PID + "\\]: warning: header_checks: bad pattern");
        assertThat(lines.get(2)).matches(head + "postern/postern\\[" + PID + "\\]: warning: Thread blocked: "
                + "java\\.lang\\.IllegalStateException: loop; caused by java\\.io\\.IOException: disk");
        assertThat(lines.get(3)).matches(head + "postern/postern\\[" + PID + "\\]: error: cannot fsync incoming/4Xb2");
        assertThat(lines.get(4)).matches(head + "postern/postern\\[" + PID + "\\]: bare prefix logger");
    }

    @Test
    void appendsToAnExistingMaillog() throws Exception {
        Path maillog = dir.resolve("maillog");
        Files.writeString(maillog, "older line\n");
        try (MailLogSetup ignored = MailLogSetup.configure(settings(Optional.of(maillog), "mail"), false)) {
            LoggerFactory.getLogger("postern.qmgr").info("4Xb2: removed");
        }
        assertThat(Files.readAllLines(maillog)).hasSize(2).first().isEqualTo("older line");
    }

    @Test
    void sendsRfc3164DatagramsToSyslogWithTheFacility() throws Exception {
        try (DatagramSocket syslog = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            syslog.setSoTimeout(5000);
            try (MailLogSetup ignored = MailLogSetup.configure(settings(Optional.empty(), "mail"), false,
                    syslog.getLocalPort())) {
                LoggerFactory.getLogger("postern.smtpd").info("disconnect from localhost[127.0.0.1] ehlo=1 quit=1 commands=2");
                LoggerFactory.getLogger("postern.smtpd").warn("non-SMTP command from localhost[127.0.0.1]: GET / HTTP/1.1");
            }
            // mail = 2 << 3 = 16; info = 6, warning = 4
            assertThat(receive(syslog)).matches("<22>" + TIME + " mx1 postern/smtpd\\[" + PID
                    + "\\]: disconnect from localhost\\[127\\.0\\.0\\.1\\] ehlo=1 quit=1 commands=2");
            assertThat(receive(syslog)).matches("<20>" + TIME + " mx1 postern/smtpd\\[" + PID
                    + "\\]: warning: non-SMTP command from localhost\\[127\\.0\\.0\\.1\\]: GET / HTTP/1\\.1");
        }
    }

    @Test
    void unknownSyslogFacilityIsAFatalErrorNamingIt() {
        assertThatThrownBy(() -> MailLogSetup.configure(settings(Optional.empty(), "nosuch"), false))
                .isInstanceOf(Fatal.class)
                .hasMessage("syslog_facility: unknown facility \"nosuch\"");
    }

    @Test
    void stageIsTheLoggerNameAfterThePrefix() {
        assertThat(MailLogSetup.stageOf("postern.smtpd")).isEqualTo("smtpd");
        assertThat(MailLogSetup.stageOf("postern.")).isEqualTo("postern");
        assertThat(MailLogSetup.stageOf("posternx.smtpd")).isEqualTo("postern");
        assertThat(MailLogSetup.stageOf("org.postern.gateway.Gateway")).isEqualTo("postern");
    }

    private static String receive(DatagramSocket socket) throws Exception {
        DatagramPacket packet = new DatagramPacket(new byte[4096], 4096);
        socket.receive(packet);
        return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
    }
}
