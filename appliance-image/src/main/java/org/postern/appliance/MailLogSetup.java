// MailLogSetup: configures Logback, programmatically, so every SLF4J logger writes Postfix-format
// mail log lines: loggers "postern.<stage>" at INFO as postern/<stage>[pid], all other loggers
// (Vert.x, Netty, org.postern.* classes) at WARN as postern/postern[pid]. The only class that knows
// Logback. Governed by maillog_file (else syslog over UDP 127.0.0.1:514), syslog_facility,
// syslog_name and myhostname.
package org.postern.appliance;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.net.SyslogAppender;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.classic.util.LevelToSyslogSeverity;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.net.SyslogAppenderBase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/** The configured logging of this JVM; {@link #close} flushes and closes every destination. */
final class MailLogSetup implements AutoCloseable {
    /** Mail log lines come from loggers under this name: "postern.smtpd" logs as postern/smtpd. */
    static final String MAIL_LOGGER_PREFIX = "postern";
    /** Stage shown for lines from library and class loggers. */
    static final String LIBRARY_STAGE = "postern";
    static final String SYSLOG_HOST = "127.0.0.1";
    static final int SYSLOG_PORT = 514;

    private final LoggerContext context;

    private MailLogSetup(LoggerContext context) {
        this.context = context;
    }

    /**
     * Replaces whatever Logback configured (the shipped logback.xml) with the mail log: to
     * maillog_file when set, else to syslog; with {@code copyToStdout} also to standard output,
     * where lines carry full stack traces (the mail log keeps one line per event).
     */
    static MailLogSetup configure(InstanceSettings settings, boolean copyToStdout) throws Fatal {
        return configure(settings, copyToStdout, SYSLOG_PORT);
    }

    static MailLogSetup configure(InstanceSettings settings, boolean copyToStdout, int syslogPort) throws Fatal {
        MailLogLine line = new MailLogLine(ZoneId.systemDefault(), settings.myhostname(),
                settings.syslogName(), ProcessHandle.current().pid());
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();

        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        context.getLogger(MAIL_LOGGER_PREFIX).setLevel(Level.INFO);

        Appender<ILoggingEvent> mailLog = settings.maillogFile().isPresent()
                ? fileAppender(context, line, settings.maillogFile().get())
                : syslogAppender(context, line, settings.syslogFacility(), syslogPort);
        root.addAppender(mailLog);
        if (copyToStdout) root.addAppender(stdoutAppender(context, line));
        return new MailLogSetup(context);
    }

    /** Flushes and closes every destination; later log calls go nowhere. */
    @Override
    public void close() {
        context.stop();
    }

    private static Appender<ILoggingEvent> fileAppender(LoggerContext context, MailLogLine line, Path file)
            throws Fatal {
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(context);
        appender.setName("maillog_file");
        appender.setFile(file.toString());
        appender.setAppend(true);
        appender.setImmediateFlush(true);
        appender.setEncoder(encoder(context, new PostfixLayout(line, false)));
        appender.start();
        if (!appender.isStarted()) throw new Fatal("cannot open maillog_file " + file + " for appending");
        return appender;
    }

    private static Appender<ILoggingEvent> syslogAppender(
            LoggerContext context, MailLogLine line, String facility, int port) throws Fatal {
        try {
            SyslogAppenderBase.facilityStringToint(facility);
        } catch (IllegalArgumentException e) {
            throw new Fatal("syslog_facility: unknown facility \"" + facility + "\"");
        }
        PostfixSyslogAppender appender = new PostfixSyslogAppender(line);
        appender.setContext(context);
        appender.setName("syslog");
        appender.setSyslogHost(SYSLOG_HOST);
        appender.setPort(port);
        appender.setFacility(facility.toUpperCase(Locale.ROOT));
        appender.setCharset(StandardCharsets.UTF_8);
        appender.setThrowableExcluded(true);
        appender.start();
        if (!appender.isStarted()) throw new Fatal("cannot open a socket to syslog at " + SYSLOG_HOST + ":" + port);
        return appender;
    }

    private static Appender<ILoggingEvent> stdoutAppender(LoggerContext context, MailLogLine line) {
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName("stdout");
        appender.setTarget("System.out");
        appender.setEncoder(encoder(context, new PostfixLayout(line, true)));
        appender.start();
        return appender;
    }

    private static LayoutWrappingEncoder<ILoggingEvent> encoder(LoggerContext context, Layout<ILoggingEvent> layout) {
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        return encoder;
    }

    /** "postern.smtpd" → "smtpd"; any other logger → "postern". */
    static String stageOf(String loggerName) {
        String prefix = MAIL_LOGGER_PREFIX + ".";
        return loggerName.startsWith(prefix) && loggerName.length() > prefix.length()
                ? loggerName.substring(prefix.length())
                : LIBRARY_STAGE;
    }

    static MailLogLine.Severity severityOf(Level level) {
        if (level.isGreaterOrEqual(Level.ERROR)) return MailLogLine.Severity.ERROR;
        if (level.isGreaterOrEqual(Level.WARN)) return MailLogLine.Severity.WARNING;
        return MailLogLine.Severity.INFO;
    }

    /** One event as one Postfix line (plus, if asked, the stack trace on following lines). */
    static final class PostfixLayout extends LayoutBase<ILoggingEvent> {
        private final MailLogLine line;
        private final boolean stackTraces;

        PostfixLayout(MailLogLine line, boolean stackTraces) {
            this.line = line;
            this.stackTraces = stackTraces;
        }

        @Override
        public String doLayout(ILoggingEvent event) {
            String text = line.format(Instant.ofEpochMilli(event.getTimeStamp()), stageOf(event.getLoggerName()),
                    severityOf(event.getLevel()), messageOf(event)) + "\n";
            IThrowableProxy thrown = event.getThrowableProxy();
            return stackTraces && thrown != null ? text + ThrowableProxyUtil.asString(thrown) + "\n" : text;
        }
    }

    /** The message, then the exception chain in one line: "msg: java.net.BindException: Address in use". */
    static String messageOf(ILoggingEvent event) {
        StringBuilder text = new StringBuilder(String.valueOf(event.getFormattedMessage()));
        String separator = ": ";
        for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
            text.append(separator).append(t.getClassName());
            if (t.getMessage() != null) text.append(": ").append(t.getMessage());
            separator = "; caused by ";
        }
        return text.toString();
    }

    /** RFC 3164 datagrams: "<PRI>" + the same line as maillog_file gets, one datagram per event. */
    static final class PostfixSyslogAppender extends SyslogAppender {
        private final MailLogLine line;

        PostfixSyslogAppender(MailLogLine line) {
            this.line = line;
        }

        @Override
        public Layout<ILoggingEvent> buildLayout() {
            int facility = SyslogAppenderBase.facilityStringToint(getFacility());
            LayoutBase<ILoggingEvent> layout = new LayoutBase<>() {
                @Override
                public String doLayout(ILoggingEvent event) {
                    int priority = facility + LevelToSyslogSeverity.convert(event);
                    return "<" + priority + ">" + line.format(Instant.ofEpochMilli(event.getTimeStamp()),
                            stageOf(event.getLoggerName()), severityOf(event.getLevel()), messageOf(event));
                }
            };
            layout.setContext(getContext());
            layout.start();
            return layout;
        }
    }
}
