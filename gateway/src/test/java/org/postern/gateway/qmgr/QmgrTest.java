// QmgrTest: the queue manager with a fake Transport and a hand-moved clock -- removal after delivery,
// deferral with backoff and retry of only pending recipients, 5xx and lifetime bounces, hold/ ignored,
// per-next-hop limits, and a crash between two status writes followed by a restart (invariant 2).
package org.postern.gateway.qmgr;

import org.postern.testkit.Await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postern.core.QueueId;
import org.postern.gateway.queue.QueueFile;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.RecipientStatus;
import org.postern.gateway.smtp.RecipientResult.Status;

class QmgrTest extends QmgrTestBase {
    private List<RecipientStatus> statuses(QueueName q, QueueId id) throws Exception {
        return QueueFile.read(spool.file(q, id)).recipientStatuses();
    }

    @Test
    void allDeliveredRemovesTheFile() throws Exception {
        QueueId id = queue("a@s.test", "r1@x.test", "r2@x.test");
        await(qmgr(QmgrSettings.defaults()).runActive());
        assertThat(transport.calls).containsExactly(List.of("r1@x.test", "r2@x.test"));
        assertThat(spool.find(id)).isNull();
        try (var spare = Files.list(spool.root().resolve("spare"))) {
            assertThat(spare.count()).as("kept in spare/ for the next message").isEqualTo(1);
        }
    }

    @Test
    void deferredRecipientIsRetriedAfterBackoffAloneAndOnlyThen() throws Exception {
        QueueId id = queue("a@s.test", "r1@x.test", "slow@x.test", "r3@x.test");
        transport.answer = a -> a.startsWith("slow") ? Status.DEFERRED : Status.SENT;
        Qmgr q = qmgr(QmgrSettings.defaults());
        await(q.runActive());
        assertThat(spool.find(id)).isEqualTo(QueueName.DEFERRED);
        assertThat(statuses(QueueName.DEFERRED, id)).containsExactly(RecipientStatus.DELIVERED, RecipientStatus.DEFERRED,
                RecipientStatus.DELIVERED);
        // Age 0 -> minimal_backoff_time (300s): not due after 299s, due at 300s.
        assertThat(Files.getLastModifiedTime(spool.file(QueueName.DEFERRED, id)).toInstant())
                .isEqualTo(clock.instant().plusSeconds(300));
        clock.advance(Duration.ofSeconds(299));
        await(q.runDeferred());
        assertThat(transport.calls).hasSize(1);
        clock.advance(Duration.ofSeconds(1));
        transport.answer = a -> Status.SENT;
        await(q.runDeferred());
        assertThat(transport.calls).containsExactly(List.of("r1@x.test", "slow@x.test", "r3@x.test"), List.of("slow@x.test"));
        assertThat(spool.find(id)).isNull();
    }

    @Test
    void backoffGrowsWithAgeUpToTheMaximum() {
        Backoff b = new Backoff(QmgrSettings.defaults());
        java.time.Instant t0 = clock.instant();
        assertThat(b.nextAttempt(t0, t0.plusSeconds(10))).isEqualTo(t0.plusSeconds(310));
        assertThat(b.nextAttempt(t0, t0.plusSeconds(1000))).isEqualTo(t0.plusSeconds(2000));
        assertThat(b.nextAttempt(t0, t0.plusSeconds(10000))).isEqualTo(t0.plusSeconds(14000));
        assertThat(b.expired("a@b", t0, t0.plus(Duration.ofDays(5)))).isTrue();
        assertThat(b.expired("a@b", t0, t0.plus(Duration.ofDays(5)).minusSeconds(1))).isFalse();
    }

    @Test
    void permanentFailureBounces() throws Exception {
        QueueId id = queue("a@s.test", "bad@x.test", "ok@x.test");
        transport.answer = a -> a.startsWith("bad") ? Status.BOUNCED : Status.SENT;
        java.util.List<BounceSink.Bounced> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        Qmgr q = new Qmgr(vertx, spool, transport, StaticRouter.relayhost(RELAY), (f, rs) -> {
            got.addAll(rs);
            return io.vertx.core.Future.succeededFuture();
        }, QmgrSettings.defaults(), clock);
        await(q.runActive());
        assertThat(spool.find(id)).isNull();
        assertThat(got).extracting(BounceSink.Bounced::address, BounceSink.Bounced::dsn)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("bad@x.test", "5.1.1"));
    }

    @Test
    void lifetimeExpiryBouncesPendingRecipients() throws Exception {
        QueueId id = queue("a@s.test", "slow@x.test", "ok@x.test");
        transport.answer = a -> a.startsWith("slow") ? Status.DEFERRED : Status.SENT;
        List<BounceSink.Bounced> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<List<RecipientStatus>> onDisk = new java.util.concurrent.CopyOnWriteArrayList<>();
        Qmgr q = new Qmgr(vertx, spool, transport, StaticRouter.relayhost(RELAY), (f, rs) -> {
            got.addAll(rs);
            return vertx.executeBlocking(() -> onDisk.add(QueueFile.read(f.path()).recipientStatuses())).mapEmpty();
        }, QmgrSettings.defaults(), clock);
        await(q.runActive());
        clock.advance(Duration.ofDays(5).minusSeconds(1));
        await(q.runDeferred());
        assertThat(spool.find(id)).as("not expired a second early").isEqualTo(QueueName.DEFERRED);
        assertThat(got).isEmpty();
        clock.advance(Duration.ofSeconds(4000));
        await(q.runDeferred());
        assertThat(transport.calls).containsExactly(List.of("slow@x.test", "ok@x.test"), List.of("slow@x.test"),
                List.of("slow@x.test"));
        assertThat(got).extracting(BounceSink.Bounced::address, BounceSink.Bounced::dsn)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("slow@x.test", "4.2.0"));
        assertThat(onDisk).containsExactly(List.of(RecipientStatus.BOUNCED, RecipientStatus.DELIVERED));
        assertThat(spool.find(id)).isNull();
    }

    @Test
    void mainCfDefaultsArePostfixs() {
        assertThat(QmgrSettings.fromConfig(org.postern.policies.conf.Config.defaults(dir))).isEqualTo(QmgrSettings.defaults());
    }

    @Test
    void nullSenderUsesBounceQueueLifetime() {
        QmgrSettings s = new QmgrSettings(Duration.ofSeconds(300), Duration.ofSeconds(4000), Duration.ofSeconds(300),
                Duration.ofDays(5), Duration.ofDays(1), 20, 50, Duration.ofSeconds(1));
        Backoff b = new Backoff(s);
        java.time.Instant t0 = clock.instant();
        assertThat(b.expired("", t0, t0.plus(Duration.ofDays(1)))).isTrue();
        assertThat(b.expired("a@b", t0, t0.plus(Duration.ofDays(1)))).isFalse();
    }

    @Test
    void corruptFileGoesToCorruptQueue() throws Exception {
        QueueId id = queue("a@s.test", "r@x.test");
        Files.write(spool.file(QueueName.ACTIVE, id), new byte[] {'j', 'u', 'n', 'k'});
        await(qmgr(QmgrSettings.defaults()).runActive());
        assertThat(spool.find(id)).isEqualTo(QueueName.CORRUPT);
        assertThat(transport.calls).isEmpty();
    }

    @Test
    void unroutableRecipientBouncesWithoutDelivery() throws Exception {
        QueueId id = queue("a@s.test", "r@routed.test", "r@nowhere.test");
        Router router = new StaticRouter(null, java.util.Map.of("ROUTED.test", RELAY));
        await(new Qmgr(vertx, spool, transport, router, BounceSink.NONE, QmgrSettings.defaults(), clock).runActive());
        assertThat(transport.calls).containsExactly(List.of("r@routed.test"));
        assertThat(spool.find(id)).isNull();
    }

    @Test
    void holdIsNeverScheduled() throws Exception {
        QueueId id = queue(QueueName.HOLD, "a@s.test", "r@x.test");
        Qmgr q = qmgr(QmgrSettings.defaults());
        await(q.runActive());
        clock.advance(Duration.ofDays(1));
        await(q.runDeferred());
        assertThat(transport.calls).isEmpty();
        assertThat(spool.find(id)).isEqualTo(QueueName.HOLD);
    }

    @Test
    void recipientLimitSplitsDeliveries() throws Exception {
        queue("a@s.test", "r0@x.test", "r1@x.test", "r2@x.test", "r3@x.test", "r4@x.test");
        await(qmgr(QmgrSettings.defaults().withLimits(20, 2)).runActive());
        assertThat(transport.calls).containsExactlyInAnyOrder(List.of("r0@x.test", "r1@x.test"),
                List.of("r2@x.test", "r3@x.test"), List.of("r4@x.test"));
    }

    @Test
    void concurrencyLimitPerNextHop() throws Exception {
        for (int i = 0; i < 5; i++) queue("a@s.test", "r" + i + "@x.test");
        transport.hold = true;
        io.vertx.core.Future<Void> run = qmgr(QmgrSettings.defaults().withLimits(2, 50)).runActive();
        for (int released = 0; released < 5; released++) {
            int want = Math.min(5, released + 2);
            Await.until(want + " deliveries in flight", Duration.ofSeconds(10), () -> transport.held.size() >= want);
            assertThat(transport.held).hasSize(want);
            transport.held.get(released).complete(null);
        }
        await(run);
        assertThat(transport.maxOpen).isEqualTo(2);
        assertThat(spool.ids(QueueName.ACTIVE)).isEmpty();
        assertThat(spool.ids(QueueName.INCOMING)).isEmpty();
    }

    @Test
    void aLateHandOffForAMessageTheListingAlreadyDeliveredIsDropped() throws Exception {
        QueueId id = queue("a@s.test", "r1@x.test");
        QueueFile read = QueueFile.read(spool.file(QueueName.ACTIVE, id)); // what vscan read before its move
        Qmgr q = qmgr(QmgrSettings.defaults());
        await(q.runActive()); // the listing took it first and delivered it
        assertThat(transport.calls).hasSize(1);
        q.activated(id, read); // vscan's hand-off arrives late
        await(q.runActive()); // runs after the hand-off on the qmgr context
        Await.until("the hand-off handled", Duration.ofSeconds(5), () -> await(q.activeCount()) == 0);
        assertThat(transport.calls).as("no second delivery attempt").hasSize(1);
    }

    @Test
    void crashBetweenStatusWritesThenRestartSendsOnlyPending() throws Exception {
        QueueId id = queue("a@s.test", "r0@x.test", "r1@x.test", "r2@x.test", "r3@x.test");
        // one recipient deferred: the outcomes are marked one by one (a fully delivered message is just removed)
        transport.answer = a -> a.equals("r3@x.test") ? Status.DEFERRED : Status.SENT;
        Qmgr[] first = new Qmgr[1];
        first[0] = new Qmgr(vertx, spool, transport, StaticRouter.relayhost(RELAY), BounceSink.NONE,
                QmgrSettings.defaults(), clock, new Qmgr.Hooks() {
                    @Override
                    public void afterMark(QueueId q, int index) throws java.io.IOException {
                        if (index == 1) {
                            first[0].kill();
                            throw new java.io.IOException("killed");
                        }
                    }
                });
        await(first[0].runActive());
        assertThat(spool.find(id)).isEqualTo(QueueName.ACTIVE);
        assertThat(statuses(QueueName.ACTIVE, id)).containsExactly(RecipientStatus.DELIVERED, RecipientStatus.DELIVERED,
                RecipientStatus.PENDING, RecipientStatus.PENDING);
        transport.answer = a -> Status.SENT;
        Qmgr second = qmgr(QmgrSettings.defaults());
        await(second.runActive());
        assertThat(transport.calls).containsExactly(List.of("r0@x.test", "r1@x.test", "r2@x.test", "r3@x.test"),
                List.of("r2@x.test", "r3@x.test"));
        assertThat(spool.find(id)).isNull();
    }
}
