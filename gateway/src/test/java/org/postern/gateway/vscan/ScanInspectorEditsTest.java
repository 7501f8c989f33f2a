// ScanInspectorEditsTest: clean mail for which the filters ask only to remove headers it does not have
// (rspamd's milter_headers does so for every message) moves on to active/ untouched under its own queue
// id; when such a header is there, a rewritten copy without it goes on instead.
package org.postern.gateway.vscan;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.ClientInfo;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.postern.filters.ActionPolicy;
import org.postern.filters.Filter;
import org.postern.filters.FilterChain;
import org.postern.filters.FilterResult;
import org.postern.filters.HeaderEdit;
import org.postern.filters.ScanMessage;
import org.postern.filters.ScanVerdict;
import org.postern.filters.SpamReport;
import org.postern.gateway.queue.IncomingQueue;
import org.postern.gateway.queue.QueueFile;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.QueueWriter;
import org.postern.gateway.queue.Spool;

class ScanInspectorEditsTest {
    @TempDir
    Path dir;

    private Vertx vertx;
    private Spool spool;
    private IncomingQueue queue;

    @BeforeEach
    void open() throws Exception {
        vertx = Vertx.vertx();
        spool = Spool.open(dir.resolve("spool"));
        queue = new IncomingQueue(vertx, spool, Clock.systemUTC());
    }

    @AfterEach
    void close() throws Exception {
        await(queue.close());
        await(vertx.close());
    }

    /** A filter that gives {@code result} for every message and runs {@code onClose} when closed. */
    private static Filter filter(String name, FilterResult result, Runnable onClose) {
        return new Filter() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Future<FilterResult> inspect(ScanMessage m) {
                return Future.succeededFuture(result);
            }

            @Override
            public Future<Void> close() {
                onClose.run();
                return Future.succeededFuture();
            }
        };
    }

    /** An inspector over {@code f} alone (time limit {@code limit}), default actions, no notices. */
    private ScanInspector inspector(Filter f, Duration limit, String subjectTag) {
        return new ScanInspector(vertx, new FilterChain(vertx, List.of(new FilterChain.Member(f, limit, false)),
                Clock.systemUTC()), ActionPolicy.defaults(Map.of()), new ScanInspector.Settings(Set.of(),
                new ScanVerdict.SpamThresholds(null, null), subjectTag, "", Set.of(), false, 4), queue, null,
                ScanInspector.Notifier.NONE);
    }

    /** Like rspamd with milter_headers: clean, and "remove X-Spam" on every message. */
    private ScanInspector inspector() {
        return inspector(filter("rspamd", FilterResult.scored("rspamd", new SpamReport(0.5, 15, "no action",
                List.of(), null), List.of(HeaderEdit.remove("X-Spam")), Duration.ZERO), () -> {}),
                Duration.ofSeconds(5), "[SPAM] ");
    }

    private QueueId queued(String content) throws Exception {
        QueueWriter w = await(queue.create(queue.newQueueId()));
        await(w.write(Buffer.buffer(content)));
        await(w.commit(new Envelope(w.id(), Clock.systemUTC().instant(),
                new ClientInfo("c.test", "192.0.2.1", 1, "c.test", "ESMTP", null, null, null, null), "a@s.test",
                List.of(Recipient.of("r@x.test")), -1, Envelope.BodyType.SEVEN_BIT, false, null, null)));
        return w.id();
    }

    @Test
    void aRemovalOfAnAbsentHeaderLeavesTheMessageUntouched() throws Exception {
        QueueId id = queued("Subject: hi\r\n\r\nbody\r\n");
        await(inspector().inspect(spool, id));
        assertThat(spool.ids(QueueName.ACTIVE)).containsExactly(id); // renamed, same queue id
        assertThat(spool.ids(QueueName.INCOMING)).isEmpty();
    }

    @Test
    void aPresentHeaderIsRemovedInARewrittenCopy() throws Exception {
        QueueId id = queued("X-Spam: yes\r\nSubject: hi\r\n\r\nbody\r\n");
        await(inspector().inspect(spool, id));
        List<QueueId> active = spool.ids(QueueName.ACTIVE);
        assertThat(active).hasSize(1).doesNotContain(id);
        assertThat(spool.ids(QueueName.INCOMING)).isEmpty();
        try (var in = QueueFile.read(spool.file(QueueName.ACTIVE, active.get(0))).openContent()) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("Subject: hi\r\n\r\nbody\r\n");
        }
    }

    @Test
    void anUntouchedMessageIsHandedOnAsReadAtItsNewPlace() throws Exception {
        QueueId id = queued("Subject: hi\r\n\r\nbody\r\n");
        QueueFile moved = await(inspector().inspect(spool, id));
        assertThat(moved.path()).isEqualTo(spool.file(QueueName.ACTIVE, id)); // what qmgr delivers from
        assertThat(moved.envelope().queueId()).isEqualTo(id);
    }

    @Test
    void overTheSharedReadLimitTheHeadersAreCheckedInTheQueueFile() throws Exception {
        String body = "x".repeat(76) + "\r\n";
        String big = body.repeat(ScanInspector.SHARED_READ_LIMIT / body.length() + 100); // streamed, not shared
        QueueId absent = queued("Subject: hi\r\n\r\n" + big);
        assertThat(await(inspector().inspect(spool, absent))).isNotNull();
        assertThat(spool.ids(QueueName.ACTIVE)).containsExactly(absent);

        QueueId present = queued("X-Spam: yes\r\nSubject: hi\r\n\r\n" + big);
        assertThat(await(inspector().inspect(spool, present))).isNull(); // a rewritten copy, not the original
        List<QueueId> active = spool.ids(QueueName.ACTIVE);
        assertThat(active).hasSize(2).contains(absent).doesNotContain(present);
        QueueId copy = active.get(0).equals(absent) ? active.get(1) : active.get(0);
        try (var in = QueueFile.read(spool.file(QueueName.ACTIVE, copy)).openContent()) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("Subject: hi\r\n\r\n" + big);
        }
    }

    @Test
    void aRetiredInspectorClosesItsFiltersAfterTheirTimeLimit() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
        ScanInspector old = inspector(filter("x", FilterResult.clean("x", Duration.ZERO), () -> closed.set(true)),
                Duration.ofMillis(200), "");
        old.retire();
        assertThat(closed).as("not before in-flight inspections had their time").isFalse();
        org.postern.testkit.Await.until("closed", Duration.ofSeconds(10), closed::get);
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
}
