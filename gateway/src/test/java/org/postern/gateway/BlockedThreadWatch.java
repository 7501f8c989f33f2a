// BlockedThreadWatch: makes invariant 4 ("nothing blocks a Vert.x event loop") fail tests: it
// listens to Vert.x's blocked-thread checker and reports every event-loop block longer than the
// failure threshold. GatewayHarness checks it when a gateway test ends.
package org.postern.gateway;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;

public final class BlockedThreadWatch extends AppenderBase<ILoggingEvent> {
    /** Blocks above this fail the test; shorter ones (above Vert.x's limit) are only logged. */
    static final long FAIL_MILLIS = 1000;
    private static final Pattern BLOCKED = Pattern.compile("Thread (\\S+) has been blocked for (\\d+) ms");
    private static final BlockedThreadWatch INSTANCE = new BlockedThreadWatch();
    private final List<String> violations = new CopyOnWriteArrayList<>();

    private BlockedThreadWatch() {}

    /** Installs the watch once per JVM and returns it. */
    static synchronized BlockedThreadWatch install() {
        if (!INSTANCE.isStarted()) {
            INSTANCE.setContext(((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).getLoggerContext());
            INSTANCE.start();
            ((Logger) LoggerFactory.getLogger("io.vertx.core.impl.BlockedThreadChecker")).addAppender(INSTANCE);
        }
        return INSTANCE;
    }

    @Override
    protected void append(ILoggingEvent e) {
        Matcher m = BLOCKED.matcher(e.getFormattedMessage());
        if (m.find() && m.group(1).contains("eventloop") && Long.parseLong(m.group(2)) > FAIL_MILLIS) {
            violations.add(e.getFormattedMessage());
        }
    }

    /** The violations since the last call (and forgets them). */
    List<String> drain() {
        List<String> v = List.copyOf(violations);
        violations.clear();
        return v;
    }
}
