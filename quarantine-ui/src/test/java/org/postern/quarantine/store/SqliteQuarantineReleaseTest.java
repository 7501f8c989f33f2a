// SqliteQuarantineReleaseTest: release and delete against a real SQLite file -- a recipient is released
// once, racing releases (threads and two stores on one database) let exactly one win, a claim names its copy
// until that is sent on, aborted claims go back to quarantine, deletes remove a recipient or the whole message.
package org.postern.quarantine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postern.quarantine.store.QuarantineFixtures.LIFETIME;
import static org.postern.quarantine.store.QuarantineFixtures.await;
import static org.postern.quarantine.store.QuarantineFixtures.awkwardMessage;
import static org.postern.quarantine.store.QuarantineFixtures.bytes;
import static org.postern.quarantine.store.QuarantineFixtures.failure;
import static org.postern.quarantine.store.QuarantineFixtures.infected;
import static org.postern.quarantine.store.QuarantineFixtures.refusal;
import static org.postern.quarantine.store.QuarantineRefusal.Kind.ALREADY_RELEASED;
import static org.postern.quarantine.store.QuarantineRefusal.Kind.CONTENT_MISSING;
import static org.postern.quarantine.store.QuarantineRefusal.Kind.NOT_BEING_RELEASED;
import static org.postern.quarantine.store.QuarantineRefusal.Kind.NO_SUCH_MESSAGE;
import static org.postern.quarantine.store.QuarantineRefusal.Kind.NO_SUCH_RECIPIENT;
import static org.postern.quarantine.store.QuarantineRefusal.Kind.RELEASE_IN_PROGRESS;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.testkit.MutableClock;

class SqliteQuarantineReleaseTest {
    @TempDir
    Path root;
    Path directory;
    Path database;
    Vertx vertx;
    MutableClock clock = new MutableClock();
    SqliteQuarantine store;

    @BeforeEach
    void open() throws Exception {
        directory = root.resolve("quarantine");
        database = root.resolve("quarantine.db");
        vertx = Vertx.vertx();
        store = await(SqliteQuarantine.open(vertx, directory, database, LIFETIME, clock));
    }

    @AfterEach
    void close() throws Exception {
        await(store.close());
        await(vertx.close());
    }

    @Test
    void aMessageIsReleasedOnceThenRefused() throws Exception {
        byte[] content = awkwardMessage();
        String id = await(store.quarantine(infected("a@example.org", "b@example.org"), bytes(content)));
        clock.advance(Duration.ofMinutes(5));

        Release r = await(store.beginRelease(id, Optional.empty(), QuarantineFixtures.copy(), "admin"));
        assertThat(r.id()).isEqualTo(id);
        assertThat(r.envelope()).isEqualTo(QuarantineFixtures.envelope("a@example.org", "b@example.org"));
        try (InputStream in = r.content().open()) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
        assertThat(states(id)).containsExactly(RecipientState.RELEASING, RecipientState.RELEASING);
        await(store.completeRelease(id, r.copy()));

        Entry e = await(store.find(id)).orElseThrow();
        assertThat(e.recipients()).allSatisfy(s -> {
            assertThat(s.state()).isEqualTo(RecipientState.RELEASED);
            assertThat(s.who()).isEqualTo("admin");
            assertThat(s.stateTime()).isEqualTo(clock.instant());
        });
        assertThat(directory.resolve(id)).exists(); // kept, with its history, until purged
        QuarantineRefusal again = (QuarantineRefusal) failure(store.beginRelease(id, Optional.empty(), QuarantineFixtures.copy(), "admin"));
        assertThat(again.kind()).isEqualTo(ALREADY_RELEASED);
        assertThat(again.getMessage()).startsWith("already released");
        assertThat(refusal(store.beginRelease(id, Optional.of("a@example.org"), QuarantineFixtures.copy(), "admin"))).isEqualTo(ALREADY_RELEASED);
    }

    @Test
    void oneRecipientOfTwoIsReleasedThenTheOther() throws Exception {
        String id = await(store.quarantine(infected("a@example.org", "b@example.org"), bytes(new byte[] {1})));

        Release first = await(store.beginRelease(id, Optional.of("b@example.org"), QuarantineFixtures.copy(), "alice"));
        assertThat(first.addresses()).containsExactly("b@example.org");
        await(store.completeRelease(id, first.copy()));
        assertThat(states(id)).containsExactly(RecipientState.QUARANTINED, RecipientState.RELEASED);

        Release second = await(store.beginRelease(id, Optional.empty(), QuarantineFixtures.copy(), "bob"));
        assertThat(second.envelope().recipients()).containsExactly(
                QuarantineFixtures.envelope("a@example.org").recipients().get(0)); // with its NOTIFY and ORCPT
        await(store.completeRelease(id, second.copy()));
        assertThat(await(store.find(id)).orElseThrow().recipients()).extracting(RecipientStatus::who)
                .containsExactly("bob", "alice");
        assertThat(refusal(store.beginRelease(id, Optional.empty(), QuarantineFixtures.copy(), "admin"))).isEqualTo(ALREADY_RELEASED);
    }

    @Test
    void unknownMessagesAndRecipientsAreRefusedByName() throws Exception {
        String id = await(store.quarantine(infected("a@example.org"), bytes(new byte[] {1})));
        QuarantineRefusal r = (QuarantineRefusal) failure(store.beginRelease(id, Optional.of("A@example.org"), QuarantineFixtures.copy(), "admin"));
        assertThat(r.kind()).isEqualTo(NO_SUCH_RECIPIENT);
        assertThat(r.getMessage()).contains("A@example.org").contains("a@example.org");
        QuarantineRefusal none = (QuarantineRefusal) failure(store.beginRelease(QuarantineId.random(), Optional.empty(), QuarantineFixtures.copy(), "admin"));
        assertThat(none.kind()).isEqualTo(NO_SUCH_MESSAGE);
        assertThat(none.getMessage()).startsWith("no such message");
        assertThat(states(id)).containsExactly(RecipientState.QUARANTINED);
    }

    @Test
    void racingReleasesOfOneRecipientLetExactlyOneWin() throws Exception {
        Vertx otherVertx = Vertx.vertx(); // as another process would: its own pools and workers
        SqliteQuarantine other = await(SqliteQuarantine.open(otherVertx, directory, database, LIFETIME, clock));
        try {
            for (int round = 0; round < 5; round++) {
                String id = await(store.quarantine(infected("a@example.org", "b@example.org"), bytes(new byte[] {1})));
                List<Future<Release>> attempts = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    attempts.add(store.beginRelease(id, Optional.of("a@example.org"), QuarantineFixtures.copy(), "admin"));
                    attempts.add(other.beginRelease(id, Optional.of("a@example.org"), QuarantineFixtures.copy(), "admin"));
                }
                Future.join(attempts).otherwiseEmpty().toCompletionStage().toCompletableFuture().get();
                assertThat(attempts.stream().filter(Future::succeeded)).hasSize(1);
                for (Future<Release> f : attempts) {
                    if (f.failed()) {
                        assertThat(f.cause()).isInstanceOf(QuarantineRefusal.class);
                        assertThat(((QuarantineRefusal) f.cause()).kind()).isEqualTo(RELEASE_IN_PROGRESS);
                    }
                }
                assertThat(states(id)).containsExactly(RecipientState.RELEASING, RecipientState.QUARANTINED);
            }
        } finally {
            await(other.close());
            await(otherVertx.close());
        }
    }

    @Test
    void anAbortedReleaseGoesBackToQuarantine() throws Exception {
        String id = await(store.quarantine(infected("a@example.org", "b@example.org"), bytes(new byte[] {1})));
        Release r = await(store.beginRelease(id, Optional.empty(), QuarantineFixtures.copy(), "admin"));
        assertThat(refusal(store.beginRelease(id, Optional.empty(), QuarantineFixtures.copy(), "admin"))).isEqualTo(RELEASE_IN_PROGRESS);

        assertThat(await(store.abortRelease(id, QuarantineFixtures.copy()))).as("another copy's claim: none").isEmpty();
        assertThat(states(id)).containsExactly(RecipientState.RELEASING, RecipientState.RELEASING);
        assertThat(await(store.abortRelease(id, r.copy()))).containsExactly("a@example.org", "b@example.org");

        assertThat(states(id)).containsExactly(RecipientState.QUARANTINED, RecipientState.QUARANTINED);
        assertThat(await(store.find(id)).orElseThrow().recipients()).extracting(RecipientStatus::releaseQueueId)
                .containsOnlyNulls();
        assertThat(await(store.stagedReleases())).isEmpty();
        assertThat(refusal(store.completeRelease(id, r.copy()))).as("its copy must not be sent").isEqualTo(NOT_BEING_RELEASED);
        assertThat(await(store.beginRelease(id, Optional.empty(), QuarantineFixtures.copy(), "admin")).addresses())
                .containsExactly("a@example.org", "b@example.org");
        assertThat(await(store.abortRelease(QuarantineId.random(), r.copy()))).isEmpty(); // gone meanwhile: nothing to do
    }

    @Test
    void completingTwiceIsHarmlessButCompletingUnclaimedIsRefused() throws Exception {
        String id = await(store.quarantine(infected("a@example.org", "b@example.org"), bytes(new byte[] {1})));
        Release r = await(store.beginRelease(id, Optional.of("a@example.org"), QuarantineFixtures.copy(), "admin"));
        await(store.completeRelease(id, r.copy()));
        await(store.completeRelease(id, r.copy()));
        assertThat(refusal(store.completeRelease(id, QuarantineFixtures.copy()))).as("no claim for that copy")
                .isEqualTo(NOT_BEING_RELEASED);
        assertThat(states(id)).containsExactly(RecipientState.RELEASED, RecipientState.QUARANTINED);
        assertThat(refusal(store.completeRelease(QuarantineId.random(), r.copy()))).isEqualTo(NO_SUCH_MESSAGE);
    }

    /** A claim names its copy: whether its releaser died is for the recovery to tell by the queue, not by age. */
    @Test
    void purgeNeverReturnsAClaimThatNamesItsCopy() throws Exception {
        String id = await(store.quarantine(infected("a@example.org"), bytes(new byte[] {1})));
        Release r = await(store.beginRelease(id, Optional.empty(), QuarantineFixtures.copy(), "admin"));
        clock.advance(SqliteQuarantine.RELEASE_CLAIM_TIMEOUT.multipliedBy(24));
        await(store.purge());
        assertThat(states(id)).containsExactly(RecipientState.RELEASING);
        assertThat(await(store.stagedReleases())).extracting(StagedRelease::copy).containsExactly(r.copy());
    }

    /** A claim of an older version names no copy: it is returned after an hour, as before. */
    @Test
    void aClaimWithoutACopyLeftByAnOlderReleaserIsReturnedByPurge() throws Exception {
        String id = await(store.quarantine(infected("a@example.org"), bytes(new byte[] {1})));
        try (java.sql.Connection c = IndexDatabase.dataSource(database).getConnection();
             java.sql.PreparedStatement s = c.prepareStatement("UPDATE recipients SET state = 'releasing', state_time = ?")) {
            s.setLong(1, clock.instant().toEpochMilli());
            s.executeUpdate();
        }
        clock.advance(SqliteQuarantine.RELEASE_CLAIM_TIMEOUT);
        await(store.purge());
        assertThat(states(id)).containsExactly(RecipientState.RELEASING);

        clock.advance(Duration.ofMillis(1));
        await(store.purge());
        assertThat(states(id)).containsExactly(RecipientState.QUARANTINED);
        assertThat(await(store.beginRelease(id, Optional.empty(), QuarantineFixtures.copy(), "admin")).addresses())
                .containsExactly("a@example.org");
    }

    /** From the claim until its copy is sent on, a release is listed for the recovery; its copy's id is shown. */
    @Test
    void aReleaseIsStagedFromItsClaimUntilItsCopyIsSent() throws Exception {
        String id = await(store.quarantine(infected("a@example.org", "b@example.org"), bytes(new byte[] {1})));
        Release r = await(store.beginRelease(id, Optional.empty(), QuarantineFixtures.copy(), "admin"));
        assertThat(await(store.stagedReleases())).containsExactly(
                new StagedRelease(id, r.copy(), RecipientState.RELEASING, clock.instant(), r.addresses()));
        assertThat(await(store.find(id)).orElseThrow().recipients()).extracting(RecipientStatus::releaseQueueId)
                .containsExactly(r.copy(), r.copy());

        clock.advance(Duration.ofSeconds(1));
        await(store.releaseSent(id, r.copy())); // not complete yet: nothing to note
        await(store.completeRelease(id, r.copy()));
        assertThat(await(store.stagedReleases())).containsExactly(
                new StagedRelease(id, r.copy(), RecipientState.RELEASED, clock.instant(), r.addresses()));
        await(store.releaseSent(id, r.copy()));
        assertThat(await(store.stagedReleases())).isEmpty();
        assertThat(states(id)).containsExactly(RecipientState.RELEASED, RecipientState.RELEASED);
        assertThat(await(store.find(id)).orElseThrow().recipients()).extracting(RecipientStatus::releaseQueueId)
                .containsExactly(r.copy(), r.copy()); // kept: "released as"
    }

    /** An expired message that is being released stays until the release ends (else the release loses it). */
    @Test
    void purgeLeavesAMessageBeingReleased() throws Exception {
        String id = await(store.quarantine(infected("a@example.org"), bytes(new byte[] {1})));
        clock.advance(LIFETIME.plusSeconds(1));
        Release r = await(store.beginRelease(id, Optional.empty(), QuarantineFixtures.copy(), "admin"));
        await(store.purge());
        assertThat(states(id)).containsExactly(RecipientState.RELEASING);
        assertThat(directory.resolve(id)).exists();
        await(store.completeRelease(id, r.copy()));
        await(store.purge());
        assertThat(states(id)).as("its copy is still staged: the rows tell the recovery to send it on")
                .containsExactly(RecipientState.RELEASED);
        await(store.releaseSent(id, r.copy()));
        assertThat(await(store.purge())).isEqualTo(1);
        assertThat(await(store.find(id))).isEmpty();
    }

    @Test
    void aMessageWhoseFileIsGoneIsNotClaimed() throws Exception {
        String id = await(store.quarantine(infected("a@example.org"), bytes(new byte[] {1})));
        Files.delete(directory.resolve(id));
        assertThat(refusal(store.beginRelease(id, Optional.empty(), QuarantineFixtures.copy(), "admin"))).isEqualTo(CONTENT_MISSING);
        assertThat(states(id)).containsExactly(RecipientState.QUARANTINED);
    }

    @Test
    void deletingTheWholeMessageRemovesFileAndRows() throws Exception {
        String id = await(store.quarantine(infected("a@example.org", "b@example.org"), bytes(new byte[] {1})));
        assertThat(await(store.delete(id, Optional.empty(), "admin"))).isTrue();
        assertThat(await(store.find(id))).isEmpty();
        assertThat(directory.resolve(id)).doesNotExist();
        assertThat(await(store.delete(id, Optional.empty()))).isFalse();
        assertThat(refusal(store.beginRelease(id, Optional.empty(), QuarantineFixtures.copy(), "admin"))).isEqualTo(NO_SUCH_MESSAGE);
    }

    @Test
    void deletingRecipientsOneByOneRemovesTheMessageWithTheLast() throws Exception {
        String id = await(store.quarantine(infected("a@example.org", "b@example.org", "c@example.org"), bytes(new byte[] {1})));
        Release c = await(store.beginRelease(id, Optional.of("c@example.org"), QuarantineFixtures.copy(), "admin"));
        await(store.completeRelease(id, c.copy()));
        await(store.releaseSent(id, c.copy()));

        assertThat(await(store.delete(id, Optional.of("a@example.org"), "admin"))).isTrue();
        Entry e = await(store.find(id)).orElseThrow();
        assertThat(e.recipientsIn(RecipientState.DELETED)).extracting(RecipientStatus::who).containsExactly("admin");
        assertThat(directory.resolve(id)).exists();
        assertThat(await(store.delete(id, Optional.of("a@example.org")))).isFalse(); // already deleted
        assertThat(await(store.delete(id, Optional.of("c@example.org")))).isFalse(); // already released
        assertThat(await(store.delete(id, Optional.of("x@example.org")))).isFalse();
        assertThat(refusal(store.beginRelease(id, Optional.of("a@example.org"), QuarantineFixtures.copy(), "admin"))).isEqualTo(QuarantineRefusal.Kind.DELETED);

        assertThat(await(store.delete(id, Optional.of("b@example.org")))).isTrue();
        assertThat(await(store.find(id))).isEmpty();
        assertThat(directory.resolve(id)).doesNotExist();
    }

    @Test
    void deletingWhatIsBeingReleasedIsRefused() throws Exception {
        String id = await(store.quarantine(infected("a@example.org", "b@example.org"), bytes(new byte[] {1})));
        Release r = await(store.beginRelease(id, Optional.of("a@example.org"), QuarantineFixtures.copy(), "admin"));
        assertThat(refusal(store.delete(id, Optional.of("a@example.org")))).isEqualTo(RELEASE_IN_PROGRESS);
        assertThat(refusal(store.delete(id, Optional.empty()))).isEqualTo(RELEASE_IN_PROGRESS);
        // the other recipient may go; the file stays for the release in progress
        assertThat(await(store.delete(id, Optional.of("b@example.org")))).isTrue();
        assertThat(directory.resolve(id)).exists();
        await(store.completeRelease(id, r.copy()));
        assertThat(states(id)).containsExactly(RecipientState.RELEASED, RecipientState.DELETED);
        assertThat(refusal(store.delete(id, Optional.empty()))).as("its copy is not sent on yet")
                .isEqualTo(RELEASE_IN_PROGRESS);
        await(store.releaseSent(id, r.copy()));
        assertThat(await(store.delete(id, Optional.empty()))).isTrue();
    }

    private List<RecipientState> states(String id) throws Exception {
        return await(store.find(id)).orElseThrow().recipients().stream().map(RecipientStatus::state).toList();
    }
}
