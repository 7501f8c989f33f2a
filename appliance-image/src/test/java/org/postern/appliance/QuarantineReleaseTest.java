// QuarantineReleaseTest: `postern quarantine release` against a real quarantine store and spool -- a release
// slower than the command's wait, or killed after or before its copy is committed, still puts exactly one copy
// into the gateway's queue once the purge (recovery) has run; released copies never take the gateway's ids.
package org.postern.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postern.appliance.ReleaseFixture.WAIT;
import static org.postern.appliance.ReleaseFixture.await;
import static org.postern.appliance.ReleaseFixture.awaitQuietly;
import static org.postern.appliance.ReleaseFixture.refusal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.QueueId;
import org.postern.gateway.queue.IncomingQueue;
import org.postern.gateway.queue.Spool;
import org.postern.quarantine.store.QuarantineRefusal;
import org.postern.quarantine.store.RecipientState;
import org.postern.testkit.Await;

class QuarantineReleaseTest {
    @TempDir
    Path root;
    ReleaseFixture f;

    @BeforeEach
    void open() throws Exception {
        f = new ReleaseFixture(root);
    }

    @AfterEach
    void close() throws Exception {
        f.close();
    }

    /** The command gave up waiting: it must not undo a release whose copy is still on its way. */
    @Test
    void aReleaseSlowerThanTheCommandsWaitIsNotUndoneAndDeliveredOnce() throws Exception {
        String id = f.quarantine("a@example.org", "b@example.org");
        CountDownLatch slowDisk = new CountDownLatch(1);
        QuarantineRelease slow = f.release(new QuarantineRelease.Hooks() {
            @Override
            public void beforeCommit(QueueId copy) {
                awaitQuietly(slowDisk);
            }
        });

        QuarantineRelease.Outcome o = slow.run(id, Optional.empty(), "admin", Duration.ofMillis(300));
        assertThat(o.done()).as("reported as in progress").isFalse();
        assertThat(refusal(() -> f.release(QuarantineRelease.Hooks.NONE).run(id, Optional.empty(), "bob", WAIT)))
                .isEqualTo(QuarantineRefusal.Kind.RELEASE_IN_PROGRESS);

        slowDisk.countDown(); // the copy lands after all
        Await.until("the release completed in the background", Duration.ofSeconds(30),
                () -> f.states(id).equals(List.of(RecipientState.RELEASED, RecipientState.RELEASED)) && f.copies().size() == 1);
        f.clock.advance(Duration.ofHours(2));
        f.purge();
        assertThat(refusal(() -> f.release(QuarantineRelease.Hooks.NONE).run(id, Optional.empty(), "bob", WAIT)))
                .isEqualTo(QuarantineRefusal.Kind.ALREADY_RELEASED);
        assertThat(f.copies()).hasSize(1);
    }

    /** Killed between the commit of its copy and the completion: the recovery completes it, no second copy. */
    @Test
    void aReleaseKilledAfterItsCopyIsCommittedIsCompletedByTheRecovery() throws Exception {
        String id = f.quarantine("a@example.org");
        CountDownLatch committed = new CountDownLatch(1);
        f.hang(id, new QuarantineRelease.Hooks() {
            @Override
            public void afterCommit(QueueId copy) throws IOException {
                committed.countDown();
                f.die();
            }
        });
        assertThat(committed.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(f.copies()).as("not delivered before its claim is complete").isEmpty();

        f.clock.advance(Duration.ofHours(2));
        f.purge();
        assertThat(f.states(id)).containsExactly(RecipientState.RELEASED);
        assertThat(f.copies()).hasSize(1);
        assertThat(refusal(() -> f.release(QuarantineRelease.Hooks.NONE).run(id, Optional.empty(), "bob", WAIT)))
                .isEqualTo(QuarantineRefusal.Kind.ALREADY_RELEASED);
        assertThat(f.copies()).hasSize(1);
        assertThat(f.staged()).as("nothing left staged").isEmpty();
    }

    /** Killed after its claim, before its copy was committed: back to quarantine, and the dead copy never lands. */
    @Test
    void aReleaseKilledBeforeItsCopyIsCommittedGoesBackToQuarantine() throws Exception {
        String id = f.quarantine("a@example.org");
        CountDownLatch writing = new CountDownLatch(1);
        CompletableFuture<QuarantineRelease.Outcome> dead = f.hang(id, new QuarantineRelease.Hooks() {
            @Override
            public void beforeCommit(QueueId copy) {
                writing.countDown();
                awaitQuietly(f.teardown); // frozen (SIGSTOP, a hung disk) until the test is over, then carries on
            }
        });
        assertThat(writing.await(30, TimeUnit.SECONDS)).isTrue();

        f.clock.advance(Duration.ofHours(2));
        f.purge();
        assertThat(f.states(id)).containsExactly(RecipientState.QUARANTINED);
        QuarantineRelease.Outcome again = f.release(QuarantineRelease.Hooks.NONE).run(id, Optional.empty(), "bob", WAIT);
        assertThat(again.done()).isTrue();
        assertThat(f.copies()).hasSize(1);

        f.teardown.countDown(); // the frozen release wakes up and tries to commit its copy
        try {
            dead.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException refused) {
            // it may fail: its claim is gone
        }
        f.purge();
        assertThat(f.copies()).as("one copy in the queue").hasSize(1);
        assertThat(f.states(id)).containsExactly(RecipientState.RELEASED);
    }

    /**
     * The release command draws queue ids in its own process, beside the gateway's smtpd (which takes its id at
     * MAIL FROM, before it writes anything): the two must never come out equal, even at the same instant.
     */
    @Test
    void releasedCopiesNeverTakeAnIdTheGatewayCouldTake() throws Exception {
        Clock sameInstant = Clock.fixed(Instant.now(), ZoneOffset.UTC);
        IncomingQueue gateway = new IncomingQueue(f.vertx, Spool.open(f.queueDirectory), sameInstant);
        try {
            List<QueueId> gatewayIds = new ArrayList<>();
            for (int i = 0; i < 3; i++) gatewayIds.add(gateway.newQueueId());
            List<QueueId> copies = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String id = f.quarantine("a@example.org");
                QuarantineRelease r = new QuarantineRelease(f.vertx, f.store, f.spool(), sameInstant, QuarantineRelease.Hooks.NONE);
                copies.add(r.run(id, Optional.empty(), "admin", WAIT).queueId());
            }
            for (int i = 0; i < 3; i++) gatewayIds.add(gateway.newQueueId());
            assertThat(copies).doesNotHaveDuplicates().doesNotContainAnyElementsOf(gatewayIds);
        } finally {
            await(gateway.close());
        }
    }
}
