// MxDeliveryIT: direct delivery end to end -- TransportResolver from a real main.cf and transport table,
// qmgr, and the real SmtpTransport resolving through a DnsjavaResolver against dnsmasq, delivering to
// Postfix's smtp-sink (SMTP and LMTP): lowest MX preference, next MX when the first is down, null MX,
// NXDOMAIN, implicit MX, transport_maps to smtp/lmtp hosts. Needs Debian's dnsmasq and postfix packages.
package org.postern.gateway.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.ClientInfo;
import org.postern.core.Envelope;
import org.postern.core.Recipient;
import org.postern.gateway.qmgr.BounceSink;
import org.postern.gateway.qmgr.Qmgr;
import org.postern.gateway.qmgr.QmgrSettings;
import org.postern.gateway.queue.IncomingQueue;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.QueueWriter;
import org.postern.gateway.queue.Spool;
import org.postern.gateway.smtp.SmtpSettings;
import org.postern.gateway.smtp.SmtpTransport;
import org.postern.policies.conf.Config;
import org.postern.policies.dns.DnsjavaResolver;
import org.postern.policies.table.Tables;
import org.postern.testkit.Dnsmasq;
import org.postern.testkit.SinkMessage;
import org.postern.testkit.SmtpSink;
import org.slf4j.LoggerFactory;

class MxDeliveryIT {
    private static final ClientInfo CLIENT = new ClientInfo("c.test", "192.0.2.7", 5000, "c.test", "ESMTP", null, null, null, null);
    private static final List<String> LOGGERS = List.of("postern.smtp", "postern.lmtp", "postern.qmgr");

    private static Dnsmasq dns;
    private static SmtpSink smtp;
    private static SmtpSink lmtp;

    @TempDir
    Path dir;
    private Vertx vertx;
    private SmtpTransport transport;
    private Qmgr qmgr;
    private IncomingQueue incoming;
    private final Clock clock = Clock.systemUTC();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final List<BounceSink.Bounced> bounced = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void startPeers() {
        dns = Dnsmasq.builder().zone("mx.test")
                .mx("low.mx.test", "mx-b.low.mx.test", 20).mx("low.mx.test", "mx-a.low.mx.test", 10)
                .host("mx-a.low.mx.test", "127.0.0.1").host("mx-b.low.mx.test", "127.0.0.1")
                .mx("down.mx.test", "mx1.down.mx.test", 10).mx("down.mx.test", "mx2.down.mx.test", 20)
                .host("mx1.down.mx.test", "127.0.0.2").host("mx2.down.mx.test", "127.0.0.1")
                .mx("null.mx.test", ".", 0)
                .host("implicit.mx.test", "127.0.0.1")
                .host("relay.mx.test", "127.0.0.1").mx("relay.mx.test", "elsewhere.mx.test", 10)
                .start();
        smtp = SmtpSink.builder().hostname("sink.mx.test").dumpMessages().start();
        lmtp = SmtpSink.builder().hostname("lmtp.mx.test").args("-L").dumpMessages().start();
    }

    @AfterAll
    static void stopPeers() {
        if (lmtp != null) lmtp.close();
        if (smtp != null) smtp.close();
        if (dns != null) dns.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        log.start();
        LOGGERS.forEach(n -> ((Logger) LoggerFactory.getLogger(n)).addAppender(log));
        Path conf = Files.createDirectories(dir.resolve("etc"));
        Files.writeString(conf.resolve("main.cf"), "myhostname = gw.postern.test\ntransport_maps = hash:transport\n");
        Files.writeString(conf.resolve("master.cf"), "");
        int p = smtp.port();
        Files.writeString(conf.resolve("transport"), String.join("\n",
                "low.mx.test smtp:low.mx.test:" + p,
                "down.mx.test smtp:down.mx.test:" + p,
                "null.mx.test smtp:null.mx.test:" + p,
                "nx.mx.test smtp:nx.mx.test:" + p,
                "implicit.mx.test smtp:implicit.mx.test:" + p,
                "host.mx.test smtp:[relay.mx.test]:" + p,
                "lmtp.mx.test lmtp:[127.0.0.1]:" + lmtp.port(), ""));
        TransportResolver router = TransportResolver.from(Config.load(conf), new Tables(conf));
        vertx = Vertx.vertx();
        DnsjavaResolver resolver = DnsjavaResolver.builder().server(dns.hostPort()).timeout(Duration.ofSeconds(5))
                .clock(clock).build();
        transport = new SmtpTransport(vertx, SmtpSettings.builder("gw.postern.test").allTimeouts(Duration.ofSeconds(10))
                .build(), clock, resolver);
        Spool spool = Spool.open(dir.resolve("spool"));
        incoming = new IncomingQueue(vertx, spool, clock);
        qmgr = new Qmgr(vertx, spool, transport, router, (file, list) -> {
            bounced.addAll(list);
            return Future.succeededFuture();
        }, QmgrSettings.defaults(), clock);
    }

    @AfterEach
    void tearDown() throws Exception {
        LOGGERS.forEach(n -> ((Logger) LoggerFactory.getLogger(n)).detachAppender(log));
        if (transport != null) await(transport.close());
        if (incoming != null) await(incoming.close());
        if (vertx != null) await(vertx.close());
    }

    /** Queues one message to {@code rcpts} and runs the active queue once; returns the "to=<...>" log lines. */
    private List<String> deliver(String subject, String... rcpts) throws Exception {
        QueueWriter w = await(incoming.create(incoming.newQueueId()));
        await(w.write(Buffer.buffer("Subject: " + subject + "\r\n\r\nbody\r\n")));
        await(w.commit(new Envelope(w.id(), clock.instant(), CLIENT, "a@sender.test",
                java.util.Arrays.stream(rcpts).map(Recipient::of).toList(), -1, Envelope.BodyType.SEVEN_BIT, false,
                null, null), QueueName.ACTIVE));
        await(qmgr.runActive());
        synchronized (log.list) {
            return log.list.stream().map(ILoggingEvent::getFormattedMessage).filter(l -> l.contains(": to=<")).toList();
        }
    }

    private static SinkMessage received(SmtpSink sink, String subject) {
        return sink.messages().stream().filter(m -> m.header("Subject").orElse("").equals(subject)).findFirst()
                .orElseThrow(() -> new AssertionError("no message \"" + subject + "\" at " + sink.describe()));
    }

    @Test
    void lowestPreferenceMxGetsTheMail() throws Exception {
        List<String> lines = deliver("low", "u@low.mx.test");
        assertThat(lines).singleElement().asString()
                .contains("to=<u@low.mx.test>, relay=mx-a.low.mx.test[127.0.0.1]:" + smtp.port())
                .contains("status=sent");
        assertThat(received(smtp, "low").recipients()).containsExactly("u@low.mx.test");
        assertThat(dns.queryCount("low.mx.test", "MX")).isEqualTo(1);
    }

    @Test
    void firstMxDownSecondMxGetsIt() throws Exception {
        List<String> lines = deliver("down", "u@down.mx.test");
        assertThat(lines).singleElement().asString()
                .contains("relay=mx2.down.mx.test[127.0.0.1]:" + smtp.port()).contains("status=sent");
        assertThat(received(smtp, "down").recipients()).containsExactly("u@down.mx.test");
    }

    @Test
    void nullMxBounces() throws Exception {
        List<String> lines = deliver("null", "u@null.mx.test");
        assertThat(lines).singleElement().asString().contains("relay=none").contains("dsn=5.1.10, status=bounced "
                + "(Domain null.mx.test does not accept mail (nullMX))");
        assertThat(bounced).extracting(BounceSink.Bounced::dsn).containsExactly("5.1.10");
    }

    @Test
    void nonexistentDomainBounces() throws Exception {
        List<String> lines = deliver("nx", "u@nx.mx.test");
        assertThat(lines).singleElement().asString().contains("dsn=5.1.2, status=bounced (Host or domain name not found. "
                + "Name service error for name=nx.mx.test type=MX: Host not found)");
        assertThat(bounced).extracting(BounceSink.Bounced::address).containsExactly("u@nx.mx.test");
    }

    @Test
    void domainWithoutMxGetsMailAtItsAddress() throws Exception {
        List<String> lines = deliver("implicit", "u@implicit.mx.test");
        assertThat(lines).singleElement().asString()
                .contains("relay=implicit.mx.test[127.0.0.1]:" + smtp.port()).contains("status=sent");
        assertThat(received(smtp, "implicit").recipients()).containsExactly("u@implicit.mx.test");
    }

    @Test
    void transportMapsToSmtpAndLmtpHosts() throws Exception {
        List<String> lines = deliver("mapped", "u@host.mx.test", "v@lmtp.mx.test");
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("to=<u@host.mx.test>, relay=relay.mx.test[127.0.0.1]:"
                + smtp.port()).contains("status=sent"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("to=<v@lmtp.mx.test>, relay=127.0.0.1[127.0.0.1]:"
                + lmtp.port()).contains("status=sent"));
        assertThat(dns.queryCount("relay.mx.test", "MX")).as("[host]: no MX lookup").isZero();
        assertThat(received(smtp, "mapped").recipients()).containsExactly("u@host.mx.test");
        assertThat(received(lmtp, "mapped").recipients()).containsExactly("v@lmtp.mx.test");
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
}
