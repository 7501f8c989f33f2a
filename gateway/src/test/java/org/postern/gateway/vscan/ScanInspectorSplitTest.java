// ScanInspectorSplitTest: a message whose recipients fall under different actions (vscan_policy_maps) is
// split; when a later group fails (the quarantine store refuses), the retry redoes only that group -- the
// recipients already handed on to active/ are marked done in the original and get no second copy. A
// content-filter message found still in transit after the queue (its client never answered) is removed.
package org.postern.gateway.vscan;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.ClientInfo;
import org.postern.core.Envelope;
import org.postern.core.QuarantineStore;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.postern.filters.ActionPolicy;
import org.postern.filters.Filter;
import org.postern.filters.FilterChain;
import org.postern.filters.FilterResult;
import org.postern.filters.ScanMessage;
import org.postern.filters.ScanVerdict;
import org.postern.gateway.queue.IncomingQueue;
import org.postern.gateway.queue.QueueFile;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.QueueWriter;
import org.postern.gateway.queue.Spool;
import org.postern.policies.conf.Config;
import org.postern.policies.table.Tables;

class ScanInspectorSplitTest {
    @TempDir
    Path dir;

    private Vertx vertx;
    private Spool spool;
    private IncomingQueue queue;
    /** Quarantine calls to refuse before the store takes one. */
    private final AtomicInteger refusals = new AtomicInteger();
    private final List<List<String>> quarantined = new CopyOnWriteArrayList<>();
    private final AtomicInteger scans = new AtomicInteger();

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

    /** Every message infected; keep.test delivers infected mail, everyone else quarantines it (the default). */
    private ScanInspector inspector() throws Exception {
        Config c = Config.defaults(dir).withOverrides(Map.of("vscan_policy_maps", "inline:{ { keep.test = infected=deliver } }"));
        Filter infected = new Filter() {
            @Override
            public String name() {
                return "clamav";
            }

            @Override
            public Future<FilterResult> inspect(ScanMessage m) {
                scans.incrementAndGet();
                return Future.succeededFuture(FilterResult.of("clamav", FilterResult.Kind.INFECTED, "Test-Signature", Duration.ZERO));
            }

            @Override
            public Future<Void> close() {
                return Future.succeededFuture();
            }
        };
        QuarantineStore store = (item, content) -> {
            if (refusals.getAndDecrement() > 0) return Future.failedFuture(new java.io.IOException("database is locked"));
            quarantined.add(item.recipients());
            return Future.succeededFuture("Q" + quarantined.size());
        };
        return new ScanInspector(vertx, new FilterChain(vertx, List.of(new FilterChain.Member(infected,
                Duration.ofSeconds(5), false)), Clock.systemUTC()), ActionPolicy.from(c, new Tables(dir)),
                new ScanInspector.Settings(Set.of(), new ScanVerdict.SpamThresholds(null, null), "[SPAM] ", "", Set.of(),
                        false, 4), queue, store, ScanInspector.Notifier.NONE);
    }

    private QueueId queued(String... rcpts) throws Exception {
        return queued(false, rcpts);
    }

    /** A message in incoming/; {@code transit}: committed as a content-filter listener does, before its reply. */
    private QueueId queued(boolean transit, String... rcpts) throws Exception {
        QueueWriter w = await(queue.create(queue.newQueueId()));
        await(w.write(Buffer.buffer("Subject: hi\r\n\r\nbody\r\n")));
        List<Recipient> r = new ArrayList<>();
        for (String a : rcpts) r.add(Recipient.of(a));
        Envelope env = new Envelope(w.id(), Clock.systemUTC().instant(),
                new ClientInfo("c.test", "192.0.2.1", 1, "c.test", "ESMTP", null, null, null, null), "a@s.test",
                r, -1, Envelope.BodyType.SEVEN_BIT, false, null, null);
        await(transit ? w.commitInTransit(env) : w.commit(env));
        return w.id();
    }

    private List<String> activeRecipients() throws Exception {
        List<String> out = new ArrayList<>();
        for (QueueId id : spool.ids(QueueName.ACTIVE)) {
            for (Recipient r : QueueFile.read(spool.file(QueueName.ACTIVE, id)).envelope().recipients()) out.add(r.address());
        }
        return out;
    }

    @Test
    void theAfterQueueStageRemovesAContentFilterMessageWhoseClientWasNeverAnswered() throws Exception {
        ScanInspector inspector = inspector();
        QueueId unanswered = queued(true, "u@keep.test");
        assertThat(await(inspector.inspect(spool, unanswered))).isNull();
        assertThat(spool.ids(QueueName.INCOMING)).doesNotContain(unanswered);
        assertThat(activeRecipients()).as("not delivered: the client sends it again").isEmpty();
        assertThat(scans.get()).as("not even scanned").isZero();

        // what the listener left after its 250 (flag cleared) is the after-queue stage's to deliver
        QueueId answered = queued(true, "u@keep.test", "v@keep.test");
        QueueFile.read(spool.file(QueueName.INCOMING, answered)).answered(List.of(0), org.postern.gateway.queue.RecipientStatus.DELIVERED);
        await(inspector.inspect(spool, answered));
        QueueFile moved = QueueFile.read(spool.file(QueueName.ACTIVE, answered));
        assertThat(moved.pendingRecipients()).containsExactly(1);
        assertThat(scans.get()).isEqualTo(1);
    }

    @Test
    void aSplitMessageGoesOnePartEachWay() throws Exception {
        QueueId id = queued("u@keep.test", "v@other.test");
        await(inspector().inspect(spool, id));
        assertThat(activeRecipients()).containsExactly("u@keep.test");
        assertThat(quarantined).containsExactly(List.of("v@other.test"));
        assertThat(spool.ids(QueueName.INCOMING)).isEmpty();
    }

    @Test
    void aFailedQuarantineIsRetriedWithoutASecondCopyForTheOthers() throws Exception {
        QueueId id = queued("u@keep.test", "v@other.test");
        refusals.set(1);
        ScanInspector inspector = inspector();
        ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> await(inspector.inspect(spool, id)));
        assertThat(failed).hasRootCauseMessage("database is locked");
        assertThat(spool.ids(QueueName.INCOMING)).as("the original waits for the retry").containsExactly(id);
        assertThat(activeRecipients()).containsExactly("u@keep.test");
        assertThat(QueueFile.read(spool.file(QueueName.INCOMING, id)).pendingRecipients())
                .as("the delivered part is marked done").containsExactly(1);

        await(inspector.inspect(spool, id)); // the stage's retry
        assertThat(activeRecipients()).as("no second copy").containsExactly("u@keep.test");
        assertThat(quarantined).containsExactly(List.of("v@other.test"));
        assertThat(spool.ids(QueueName.INCOMING)).isEmpty();
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
}
