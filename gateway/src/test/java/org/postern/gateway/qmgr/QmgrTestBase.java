// QmgrTestBase: what the qmgr tests share -- a Vert.x, a real spool, messages committed through
// IncomingQueue, a clock tests move by hand and a scripted fake Transport that records each call.
package org.postern.gateway.qmgr;

import org.postern.testkit.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.ClientInfo;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.postern.core.SmtpReply;
import org.postern.gateway.queue.IncomingQueue;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.QueueWriter;
import org.postern.gateway.queue.Spool;
import org.postern.gateway.smtp.DeliveryReport;
import org.postern.gateway.smtp.Destination;
import org.postern.gateway.smtp.QueuedMessage;
import org.postern.gateway.smtp.RecipientResult;
import org.postern.gateway.smtp.RecipientResult.Status;
import org.postern.gateway.smtp.Transport;

abstract class QmgrTestBase {
    static final ClientInfo CLIENT = new ClientInfo("c.test", "192.0.2.7", 5000, "c.test", "ESMTP", null, null, null, null);
    static final Destination RELAY = Destination.smtp("127.0.0.1", 2525);

    @TempDir
    Path dir;
    Vertx vertx;
    Spool spool;
    IncomingQueue incoming;
    final MutableClock clock = new MutableClock();
    final FakeTransport transport = new FakeTransport(clock);

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        spool = Spool.open(dir.resolve("spool"));
        incoming = new IncomingQueue(vertx, spool, clock);
    }

    @AfterEach
    void tearDown() throws Exception {
        await(incoming.close());
        await(vertx.close());
    }

    Qmgr qmgr(QmgrSettings s) {
        return new Qmgr(vertx, spool, transport, StaticRouter.relayhost(RELAY), BounceSink.NONE, s, clock);
    }

    QueueId queue(String sender, String... rcpts) throws Exception {
        return queue(QueueName.ACTIVE, sender, rcpts);
    }

    QueueId queue(QueueName target, String sender, String... rcpts) throws Exception {
        return queue(target, sender, java.util.Arrays.stream(rcpts).map(Recipient::of).toList());
    }

    QueueId queue(QueueName target, String sender, List<Recipient> rcpts) throws Exception {
        QueueWriter w = await(incoming.create(incoming.newQueueId()));
        await(w.write(Buffer.buffer("Subject: t\r\n\r\nhello\r\n")));
        Envelope env = new Envelope(w.id(), clock.instant(), CLIENT, sender, rcpts, -1, Envelope.BodyType.SEVEN_BIT,
                false, null, null);
        await(w.commit(env, target));
        return w.id();
    }

    static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** Answers each recipient by {@code answer} (default SENT); records every call; can hold calls open. */
    static final class FakeTransport implements Transport {
        final List<List<String>> calls = Collections.synchronizedList(new ArrayList<>());
        final List<Promise<DeliveryReport>> held = Collections.synchronizedList(new ArrayList<>());
        volatile Function<String, Status> answer = a -> Status.SENT;
        volatile boolean hold;
        volatile boolean dsnOffered = true;
        volatile int maxOpen;
        private int open;
        private final Clock clock;

        FakeTransport(Clock clock) {
            this.clock = clock;
        }

        @Override
        public synchronized Future<DeliveryReport> deliver(QueuedMessage m, Destination d) {
            List<String> rcpts = m.recipients().stream().map(i -> m.envelope().recipients().get(i).address()).toList();
            calls.add(rcpts);
            Instant now = clock.instant();
            List<RecipientResult> results = m.recipients().stream().map(i -> {
                String a = m.envelope().recipients().get(i).address();
                Status s = answer.apply(a);
                SmtpReply r = switch (s) {
                    case SENT -> SmtpReply.of(250, "2.0.0", "Ok: queued as X");
                    case DEFERRED -> SmtpReply.of(450, "4.2.0", "try later");
                    case BOUNCED -> SmtpReply.of(550, "5.1.1", "no such user");
                };
                return new RecipientResult(i, a, s, r, true, r.oneLine());
            }).toList();
            DeliveryReport report = new DeliveryReport(m.queueId(), "sink[127.0.0.1]:2525", results,
                    new DeliveryReport.Timings(now, now, now), null, dsnOffered, 1);
            if (!hold) return Future.succeededFuture(report);
            open++;
            maxOpen = Math.max(maxOpen, open);
            Promise<DeliveryReport> p = Promise.promise();
            held.add(p);
            return p.future().onComplete(ar -> {
                synchronized (this) {
                    open--;
                }
            }).map(x -> report);
        }

        List<String> flatCalls() {
            synchronized (calls) {
                return calls.stream().flatMap(List::stream).toList();
            }
        }
    }
}
