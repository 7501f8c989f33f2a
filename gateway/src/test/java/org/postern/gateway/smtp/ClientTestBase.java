// ClientTestBase: what the SMTP client tests share -- a Vert.x whose blocked-thread checker is strict, a
// spool for real queue files, a transport with short timeouts, a settable clock, and the check that no
// queue-file I/O ran on an event loop (invariant 4).
package org.postern.gateway.smtp;

import org.postern.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.Envelope;
import org.postern.core.QueueId;

abstract class ClientTestBase {
    static final String MESSAGE = "From: a@sender.test\r\nTo: r0@example.test\r\nSubject: test\r\n\r\n"
            + "Hello.\r\n.leading dot\r\n.\r\nlast line\r\n";

    @TempDir
    Path dir;
    Vertx vertx;
    final MutableClock clock = new MutableClock();
    SmtpTransport transport;

    @BeforeEach
    void startVertx() {
        QueuedMessages.READ_ON_EVENT_LOOP.set(false);
        vertx = Vertx.vertx(new VertxOptions().setMaxEventLoopExecuteTime(200)
                .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS).setBlockedThreadCheckInterval(100)
                .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
                .setWarningExceptionTime(150).setWarningExceptionTimeUnit(TimeUnit.MILLISECONDS));
    }

    @AfterEach
    void stopVertx() throws Exception {
        if (transport != null) QueuedMessages.await(transport.close());
        QueuedMessages.await(vertx.close());
        assertThat(QueuedMessages.READ_ON_EVENT_LOOP).as("queue file read on an event loop").isFalse();
    }

    /** Postfix defaults except: every timeout 10 s (a test never hangs long), no connection cache. */
    SmtpSettings.Builder settings() {
        return SmtpSettings.builder("client.postern.test").allTimeouts(Duration.ofSeconds(10)).connectionCache(false);
    }

    SmtpTransport transport(SmtpSettings s) {
        transport = new SmtpTransport(vertx, s, clock);
        return transport;
    }

    QueuedMessage queue(String content, String... rcpts) throws Exception {
        return queue(content.getBytes(StandardCharsets.UTF_8), id -> QueuedMessages.envelope(id, "a@sender.test", rcpts));
    }

    QueuedMessage queue(byte[] content, Function<QueueId, Envelope> env) throws Exception {
        return QueuedMessages.queue(vertx, dir.resolve("spool"), content, env);
    }

    DeliveryReport deliver(QueuedMessage m, Destination d) throws Exception {
        return QueuedMessages.await(transport.deliver(m, d));
    }
}
