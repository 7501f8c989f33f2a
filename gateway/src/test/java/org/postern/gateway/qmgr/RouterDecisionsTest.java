// RouterDecisionsTest: routes decided without a transport call -- discard: counts as delivered and is
// logged status=sent with the bare text, error: bounces, retry: defers -- each persisted and logged with
// relay=none, and the message leaves the queue once nothing is pending (invariant 2).
package org.postern.gateway.qmgr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postern.core.QueueId;
import org.postern.core.SmtpReply;
import org.postern.gateway.queue.QueueName;
import org.slf4j.LoggerFactory;

class RouterDecisionsTest extends QmgrTestBase {
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final List<BounceSink.Bounced> bounced = Collections.synchronizedList(new ArrayList<>());

    private final Router router = (rcpt, env) -> {
        if (rcpt.startsWith("discard")) return Router.Route.discard(SmtpReply.of(250, "2.0.0", "spam trap"));
        if (rcpt.startsWith("error")) return Router.Route.error(SmtpReply.of(550, "5.1.1", "User unknown in virtual alias table"));
        if (rcpt.startsWith("retry")) return Router.Route.error(SmtpReply.of(450, "4.3.2", "maintenance"));
        return Router.Route.to(RELAY);
    };

    @BeforeEach
    void capture() {
        appender.start();
        ((Logger) LoggerFactory.getLogger("postern.qmgr")).addAppender(appender);
    }

    @AfterEach
    void release() {
        ((Logger) LoggerFactory.getLogger("postern.qmgr")).detachAppender(appender);
    }

    private Qmgr qmgr() {
        return new Qmgr(vertx, spool, transport, router, (file, list) -> {
            bounced.addAll(list);
            return io.vertx.core.Future.succeededFuture();
        }, QmgrSettings.defaults(), clock);
    }

    private List<String> lines() {
        synchronized (appender.list) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Test
    void discardedRecipientsCountAsDeliveredWithoutATransportCall() throws Exception {
        QueueId id = queue("a@s.test", "discard1@x.test", "discard2@x.test");
        await(qmgr().runActive());
        assertThat(transport.calls).isEmpty();
        assertThat(spool.find(id)).as("every recipient done: the message is removed").isNull();
        assertThat(bounced).isEmpty();
        assertThat(lines()).anySatisfy(l -> assertThat(l).startsWith(id + ": to=<discard1@x.test>, relay=none")
                .contains("dsn=2.0.0, status=sent (spam trap)"));
    }

    @Test
    void mixedDecisionsAndDeliveries() throws Exception {
        QueueId id = queue("a@s.test", "discard@x.test", "error@x.test", "retry@x.test", "real@x.test");
        await(qmgr().runActive());
        assertThat(transport.calls).containsExactly(List.of("real@x.test"));
        assertThat(bounced).extracting(BounceSink.Bounced::address).containsExactly("error@x.test");
        assertThat(bounced.get(0).reason()).isEqualTo("User unknown in virtual alias table");
        assertThat(spool.find(id)).as("retry@ is still pending").isEqualTo(QueueName.DEFERRED);
        assertThat(lines()).anySatisfy(l -> assertThat(l).contains("to=<error@x.test>, relay=none")
                .contains("dsn=5.1.1, status=bounced (User unknown in virtual alias table)"));
        assertThat(lines()).anySatisfy(l -> assertThat(l).contains("to=<retry@x.test>, relay=none")
                .contains("dsn=4.3.2, status=deferred (maintenance)"));
    }

    @Test
    void routeKinds() {
        Router.Route d = Router.Route.discard(SmtpReply.of(250, "2.0.0", "x"));
        assertThat(d.isDecided()).isTrue();
        assertThat(d.isDiscard()).isTrue();
        assertThat(d.isError()).isFalse();
        assertThat(d.error()).isNull();
        Router.Route e = Router.Route.error(SmtpReply.of(450, "4.0.0", "x"));
        assertThat(e.isError()).isTrue();
        assertThat(e.error().code()).isEqualTo(450);
        assertThat(Router.Route.to(RELAY).isDecided()).isFalse();
        assertThatThrownBy(() -> Router.Route.discard(SmtpReply.of(550, "5.0.0", "x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Router.Route.error(SmtpReply.of(250, "2.0.0", "x"))).isInstanceOf(IllegalArgumentException.class);
    }
}
