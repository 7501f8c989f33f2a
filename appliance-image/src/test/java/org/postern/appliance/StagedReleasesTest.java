// StagedReleasesTest: the recovery of interrupted quarantine releases settles each leftover by what the queue
// holds -- a completed claim's staged copy is sent on, a copy whose claim was undone is dropped, a release still
// writing or freshly claimed is left alone, a staged copy the postmaster deleted returns its recipients to quarantine.
package org.postern.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postern.appliance.ReleaseFixture.WAIT;
import static org.postern.appliance.ReleaseFixture.await;
import static org.postern.appliance.ReleaseFixture.awaitQuietly;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.QueueId;
import org.postern.gateway.qmgr.QueueCommands;
import org.postern.gateway.queue.QueueName;
import org.postern.quarantine.store.RecipientState;
import org.postern.quarantine.store.StagedRelease;

class StagedReleasesTest {
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

    /** Killed between the completion and the move to active/: the copy is sent on, once. */
    @Test
    void aCompletedReleasesStagedCopyIsSentOn() throws Exception {
        String id = f.quarantine("a@example.org");
        QueueId copy = killedAt(id, Step.AFTER_COMPLETE);
        assertThat(f.states(id)).containsExactly(RecipientState.RELEASED);
        assertThat(f.staged()).containsExactly(copy);
        assertThat(f.copies()).isEmpty();

        f.purge();
        assertThat(f.copies()).containsExactly(copy);
        assertThat(f.staged()).isEmpty();
        assertThat(await(f.store.stagedReleases())).isEmpty();
        f.purge();
        assertThat(f.copies()).containsExactly(copy);
    }

    /** A claim undone (by a recovery that took its releaser for dead) leaves a staged copy nobody may send: it goes. */
    @Test
    void aStagedCopyWhoseClaimWasUndoneIsDropped() throws Exception {
        String id = f.quarantine("a@example.org");
        QueueId copy = killedAt(id, Step.AFTER_COMMIT);
        assertThat(await(f.store.abortRelease(id, copy))).containsExactly("a@example.org");

        f.purge();
        assertThat(f.staged()).isEmpty();
        assertThat(f.copies()).isEmpty();
        assertThat(f.states(id)).containsExactly(RecipientState.QUARANTINED);
        assertThat(f.release(QuarantineRelease.Hooks.NONE).run(id, Optional.empty(), "bob", WAIT).done()).isTrue();
        assertThat(f.copies()).hasSize(1);
    }

    /** Its temporary file still grows: however old the claim, the release lives. */
    @Test
    void aReleaseStillWritingItsCopyIsLeftAlone() throws Exception {
        String id = f.quarantine("a@example.org");
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<QueueId> copy = new AtomicReference<>();
        var release = f.hang(id, new QuarantineRelease.Hooks() {
            @Override
            public void beforeCommit(QueueId c) {
                copy.set(c);
                writing.countDown();
                awaitQuietly(go);
            }
        });
        assertThat(writing.await(30, TimeUnit.SECONDS)).isTrue();
        f.clock.advance(Duration.ofHours(2));
        Files.setLastModifiedTime(temporary(copy.get()), FileTime.from(f.clock.instant())); // it just wrote

        f.purge();
        assertThat(f.states(id)).containsExactly(RecipientState.RELEASING);
        go.countDown();
        assertThat(release.get(30, TimeUnit.SECONDS).done()).isTrue();
        assertThat(f.copies()).containsExactly(copy.get());
        assertThat(f.states(id)).containsExactly(RecipientState.RELEASED);
    }

    /** A fresh claim without a copy yet (a gateway restart removed its temporary file) waits for STALE before it returns. */
    @Test
    void aClaimWithoutItsCopyReturnsToQuarantineOnlyOnceStale() throws Exception {
        String id = f.quarantine("a@example.org");
        QueueId copy = killedAt(id, Step.BEFORE_COMMIT);
        Files.delete(temporary(copy));

        f.purge();
        assertThat(f.states(id)).containsExactly(RecipientState.RELEASING);
        f.clock.advance(StagedReleases.STALE.plusSeconds(1));
        f.purge();
        assertThat(f.states(id)).containsExactly(RecipientState.QUARANTINED);
        assertThat(await(f.store.stagedReleases())).isEmpty();
    }

    /** `postern queue delete` of a staged copy cancels its release: the recipients go back to quarantine. */
    @Test
    void aStagedCopyDeletedByThePostmasterReturnsItsRecipientsToQuarantine() throws Exception {
        String id = f.quarantine("a@example.org", "b@example.org");
        QueueId copy = killedAt(id, Step.AFTER_COMMIT);
        assertThat(await(new QueueCommands(f.spool()).run(QueueCommands.Op.DELETE, copy.value(), null)))
                .contains(copy + ": removed");
        assertThat(await(f.store.stagedReleases())).extracting(StagedRelease::copy).containsExactly(copy);

        f.clock.advance(StagedReleases.STALE.plusSeconds(1));
        f.purge();
        assertThat(f.states(id)).containsExactly(RecipientState.QUARANTINED, RecipientState.QUARANTINED);
        assertThat(f.copies()).isEmpty();
    }

    private enum Step { BEFORE_COMMIT, AFTER_COMMIT, AFTER_COMPLETE }

    /** Starts a release of {@code id} that dies at {@code step}; its copy's queue id once it got there. */
    private QueueId killedAt(String id, Step step) throws Exception {
        CountDownLatch there = new CountDownLatch(1);
        AtomicReference<QueueId> copy = new AtomicReference<>();
        f.hang(id, new QuarantineRelease.Hooks() {
            @Override
            public void beforeCommit(QueueId c) throws IOException {
                if (step == Step.BEFORE_COMMIT) dieHere(c);
            }

            @Override
            public void afterCommit(QueueId c) throws IOException {
                if (step == Step.AFTER_COMMIT) dieHere(c);
            }

            @Override
            public void afterComplete(QueueId c) throws IOException {
                if (step == Step.AFTER_COMPLETE) dieHere(c);
            }

            private void dieHere(QueueId c) throws IOException {
                copy.set(c);
                there.countDown();
                f.die();
            }
        });
        assertThat(there.await(30, TimeUnit.SECONDS)).isTrue();
        return copy.get();
    }

    private Path temporary(QueueId copy) throws IOException {
        return f.spool().dir(QueueName.INCOMING).resolve(copy.value() + ".tmp");
    }
}
