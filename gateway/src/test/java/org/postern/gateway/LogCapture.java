// LogCapture: records what one of Postern's loggers (postern.vscan, postern.cleanup, ...) writes during a
// test, so a test can wait for an event the gateway logs (a retry, a decision) instead of sleeping.
// Test support only.
package org.postern.gateway;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(String name) {
        this.logger = (Logger) LoggerFactory.getLogger(name);
        appender.start();
        logger.addAppender(appender);
    }

    /** Starts recording logger {@code name}; close to stop. */
    public static LogCapture of(String name) {
        return new LogCapture(name);
    }

    /** The formatted lines so far. */
    public List<String> lines() {
        synchronized (appender.list) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    /** How many lines so far contain {@code text}. */
    public long count(String text) {
        return lines().stream().filter(l -> l.contains(text)).count();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
