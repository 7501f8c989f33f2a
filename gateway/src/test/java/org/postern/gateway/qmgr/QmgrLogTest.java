// QmgrLogTest: the mail-log lines one delivery produces, in order and on Postfix's loggers --
// "from=... (queue active)" (postern.qmgr), "to=..., relay=..., delays=a/b/c/d ..." (postern.smtp),
// "removed" (postern.qmgr) -- with delays computed from the injected clock (invariant 8).
package org.postern.gateway.qmgr;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postern.core.QueueId;
import org.slf4j.LoggerFactory;

class QmgrLogTest extends QmgrTestBase {
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    @BeforeEach
    void capture() {
        appender.start();
        for (String name : List.of("postern.qmgr", "postern.smtp")) ((Logger) LoggerFactory.getLogger(name)).addAppender(appender);
    }

    @AfterEach
    void release() {
        for (String name : List.of("postern.qmgr", "postern.smtp")) ((Logger) LoggerFactory.getLogger(name)).detachAppender(appender);
    }

    @Test
    void oneDeliveryLogsActiveToAndRemoved() throws Exception {
        QueueId id = queue("a@s.test", "r1@x.test");
        clock.advance(Duration.ofMillis(1500)); // 1.5 s between arrival and activation
        await(qmgr(QmgrSettings.defaults()).runActive());
        List<String> lines;
        synchronized (appender.list) {
            lines = appender.list.stream().map(e -> e.getLoggerName() + " " + e.getFormattedMessage()).toList();
        }
        assertThat(lines).containsExactly(
                "postern.qmgr " + id + ": from=<a@s.test>, size=21, nrcpt=1 (queue active)",
                "postern.smtp " + id + ": to=<r1@x.test>, relay=sink[127.0.0.1]:2525, delay=1.5, delays=1.5/0/0/0, "
                        + "dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as X)",
                "postern.qmgr " + id + ": removed");
    }
}
