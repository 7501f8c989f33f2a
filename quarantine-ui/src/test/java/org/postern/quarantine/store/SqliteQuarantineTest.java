// SqliteQuarantineTest: storing and reading the quarantine against a real SQLite file -- content kept
// byte-for-byte and copied in bounded chunks off the event loop, every indexed field read back, list
// filters, purge by quarantine_lifetime (MutableClock) and removal of orphan files.
package org.postern.quarantine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postern.quarantine.store.QuarantineFixtures.LIFETIME;
import static org.postern.quarantine.store.QuarantineFixtures.await;
import static org.postern.quarantine.store.QuarantineFixtures.awkwardMessage;
import static org.postern.quarantine.store.QuarantineFixtures.bytes;
import static org.postern.quarantine.store.QuarantineFixtures.failure;
import static org.postern.quarantine.store.QuarantineFixtures.infected;
import static org.postern.quarantine.store.QuarantineFixtures.refusal;
import static org.postern.quarantine.store.QuarantineFixtures.spam;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.ContentSource;
import org.postern.core.QuarantineStore;
import org.postern.testkit.MutableClock;

class SqliteQuarantineTest {
    @TempDir
    Path root;
    Path directory;
    Path database;
    Vertx vertx;
    MutableClock clock = new MutableClock();
    SqliteQuarantine store;

    @BeforeEach
    void open() throws Exception {
        directory = root.resolve("spool/quarantine");
        database = root.resolve("lib/quarantine.db");
        vertx = Vertx.vertx();
        store = await(SqliteQuarantine.open(vertx, directory, database, LIFETIME, clock));
    }

    @AfterEach
    void close() throws Exception {
        await(store.close());
        await(vertx.close());
    }

    @Test
    void aQuarantinedMessageIsFoundWithItsExactContentAndEveryField() throws Exception {
        byte[] content = awkwardMessage();
        QuarantineStore.Item item = infected("a@example.org", "b@example.org");
        String id = await(store.quarantine(item, bytes(content)));

        assertThat(QuarantineId.isValid(id)).isTrue();
        assertThat(Files.readAllBytes(directory.resolve(id))).isEqualTo(content);
        Entry e = await(store.find(id)).orElseThrow();
        assertThat(e.id()).isEqualTo(id);
        assertThat(e.time()).isEqualTo(clock.instant());
        assertThat(e.envelope()).isEqualTo(item.envelope()); // every envelope field, arrival to the nanosecond
        assertThat(e.subject()).isEqualTo("Invoice ✓");
        assertThat(e.size()).isEqualTo(content.length);
        assertThat(e.verdictClass()).isEqualTo("infected");
        assertThat(e.virus()).isEqualTo("Eicar-Signature");
        assertThat(e.spamScore()).isNull();
        assertThat(e.symbols()).isEmpty();
        assertThat(e.reason()).isEqualTo("clamav=Eicar-Signature");
        assertThat(e.rule()).isEqualTo("/etc/postern/main.cf:42");
        assertThat(e.recipients()).extracting(RecipientStatus::address, RecipientStatus::state, RecipientStatus::stateTime,
                        RecipientStatus::who)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a@example.org", RecipientState.QUARANTINED, clock.instant(), null),
                        org.assertj.core.groups.Tuple.tuple("b@example.org", RecipientState.QUARANTINED, clock.instant(), null));
        try (InputStream in = await(store.content(id)).open()) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }

        String spamId = await(store.quarantine(spam(15.5, "c@example.org"), bytes(content)));
        Entry s = await(store.find(spamId)).orElseThrow();
        assertThat(s.spamScore()).isEqualTo(15.5);
        assertThat(s.symbols()).containsExactly("BAYES_SPAM", "MISSING_DATE");
        assertThat(s.rule()).isEqualTo("builtin:vscan");
    }

    @Test
    void onlyTheItemsRecipientsAreQuarantinedWithTheirDsnParameters() throws Exception {
        QuarantineStore.Item item = new QuarantineStore.Item(QuarantineFixtures.envelope("a@x.org", "b@x.org", "c@x.org"),
                List.of("a@x.org", "c@x.org", "a@x.org"), null, 0, "banned", null, null, List.of(), null,
                QuarantineFixtures.RULE);
        String id = await(store.quarantine(item, bytes(new byte[] {1})));
        Entry e = await(store.find(id)).orElseThrow();
        assertThat(e.recipients()).extracting(RecipientStatus::address).containsExactly("a@x.org", "c@x.org");
        assertThat(e.envelope().recipients()).containsExactly(item.envelope().recipients().get(0),
                item.envelope().recipients().get(2));
        assertThat(e.subject()).isEmpty();
    }

    @Test
    void fileAndIndexWorkRunsOnQuarantineWorkersEvenWhenCalledFromAnEventLoop() throws Exception {
        CompletableFuture<Thread> openedOn = new CompletableFuture<>();
        CompletableFuture<Boolean> onEventLoop = new CompletableFuture<>();
        ContentSource watched = () -> {
            openedOn.complete(Thread.currentThread());
            onEventLoop.complete(Context.isOnEventLoopThread());
            return new java.io.ByteArrayInputStream(awkwardMessage());
        };
        CompletableFuture<Future<List<Entry>>> listed = new CompletableFuture<>();
        vertx.runOnContext(v -> listed.complete(store.quarantine(infected("a@example.org"), watched)
                .compose(id -> store.list(Query.all()))));

        assertThat(await(listed.get(10, TimeUnit.SECONDS))).hasSize(1);
        assertThat(onEventLoop.get()).isFalse();
        assertThat(openedOn.get().getName()).startsWith(SqliteQuarantine.POOL_NAME);
    }

    @Test
    void listFiltersByClassAgeRecipientAndStateNewestFirst() throws Exception {
        String old = await(store.quarantine(infected("alice@example.org"), bytes(new byte[] {1})));
        clock.advance(Duration.ofHours(1));
        Instant hourLater = clock.instant();
        String spam1 = await(store.quarantine(spam(9, "bob@example.org", "carol@example.net"), bytes(new byte[] {2})));
        clock.advance(Duration.ofHours(1));
        String spam2 = await(store.quarantine(spam(20, "dave_1@example.com"), bytes(new byte[] {3})));
        await(store.delete(spam1, Optional.of("bob@example.org")));

        assertThat(ids(Query.all())).containsExactly(spam2, spam1, old);
        assertThat(ids(Query.all().withVerdictClass("spam"))).containsExactly(spam2, spam1);
        assertThat(ids(Query.all().withVerdictClass("infected"))).containsExactly(old);
        assertThat(ids(Query.all().withSince(hourLater))).containsExactly(spam2, spam1);
        assertThat(ids(Query.all().withRecipient("EXAMPLE.NET"))).containsExactly(spam1);
        assertThat(ids(Query.all().withRecipient("alice"))).containsExactly(old);
        assertThat(ids(Query.all().withRecipient("e_1"))).containsExactly(spam2); // '_' is literal, not a wildcard
        assertThat(ids(Query.all().withRecipient("b%"))).isEmpty();
        assertThat(ids(Query.all().withState(RecipientState.DELETED))).containsExactly(spam1);
        assertThat(ids(Query.all().withRecipient("carol").withState(RecipientState.DELETED))).isEmpty();
        assertThat(ids(Query.all().withRecipient("bob").withState(RecipientState.DELETED))).containsExactly(spam1);
        assertThat(ids(Query.all().withVerdictClass("spam").withSince(clock.instant()))).containsExactly(spam2);
        assertThat(ids(Query.all().withPage(2, 0))).containsExactly(spam2, spam1);
        assertThat(ids(Query.all().withPage(2, 2))).containsExactly(old);
        Entry listed = await(store.list(Query.all().withRecipient("carol"))).get(0);
        assertThat(listed).isEqualTo(await(store.find(spam1)).orElseThrow());
    }

    private List<String> ids(Query q) throws Exception {
        return await(store.list(q)).stream().map(Entry::id).toList();
    }

    @Test
    void twentyMegabytesAreCopiedInBoundedChunks() throws Exception {
        long size = 20L * 1024 * 1024;
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        AtomicInteger largestRead = new AtomicInteger();
        ContentSource big = () -> new InputStream() {
            final Random random = new Random(7);
            long left = size;

            @Override
            public int read() {
                throw new AssertionError("byte-at-a-time read");
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left == 0) return -1;
                largestRead.accumulateAndGet(len, Math::max);
                int n = (int) Math.min(Math.min(len, left), 8192);
                byte[] chunk = new byte[n];
                random.nextBytes(chunk);
                System.arraycopy(chunk, 0, b, off, n);
                expected.update(chunk);
                left -= n;
                return n;
            }

            @Override
            public byte[] readAllBytes() {
                throw new AssertionError("the whole message was read into memory");
            }
        };

        String id = await(store.quarantine(infected("a@example.org"), big));

        assertThat(await(store.find(id)).orElseThrow().size()).isEqualTo(size);
        assertThat(largestRead.get()).isLessThanOrEqualTo(ContentFiles.BUFFER_SIZE);
        MessageDigest stored = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(directory.resolve(id))) {
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) != -1; ) stored.update(buf, 0, n);
        }
        assertThat(stored.digest()).isEqualTo(expected.digest());
    }

    @Test
    void contentThatFailsMidwayLeavesNoFileAndNoEntry() throws Exception {
        ContentSource failing = () -> new InputStream() {
            int served;

            @Override
            public int read() throws IOException {
                if (served++ < 100_000) return 'x';
                throw new IOException("queue file vanished");
            }
        };
        assertThat(failure(store.quarantine(infected("a@example.org"), failing))).hasMessage("queue file vanished");
        try (var files = Files.list(directory)) {
            assertThat(files).isEmpty();
        }
        assertThat(await(store.list(Query.all()))).isEmpty();
    }

    @Test
    void filesAndTheirDirectoryAreOwnerOnly() throws Exception {
        String id = await(store.quarantine(infected("a@example.org"), bytes(new byte[] {1})));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory.resolve(id)))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory))).isEqualTo("rwx------");
    }

    @Test
    void idsNotOfTheQuarantineFormAreNeverTakenAsFileNames() throws Exception {
        Files.writeString(root.resolve("spool/secret"), "x");
        assertThat(await(store.find("../secret"))).isEmpty();
        assertThat(refusal(store.content("../secret"))).isEqualTo(QuarantineRefusal.Kind.NO_SUCH_MESSAGE);
        assertThat(refusal(store.beginRelease("../secret", Optional.empty(), QuarantineFixtures.copy(), "admin"))).isEqualTo(QuarantineRefusal.Kind.NO_SUCH_MESSAGE);
        assertThat(await(store.delete("../secret", Optional.empty()))).isFalse();
        assertThat(root.resolve("spool/secret")).exists();
        assertThat(await(store.find(QuarantineId.random()))).isEmpty();
    }

    @Test
    void purgeRemovesEntriesOlderThanTheLifetime() throws Exception {
        String first = await(store.quarantine(infected("a@example.org"), bytes(new byte[] {1})));
        clock.advance(Duration.ofDays(20));
        String second = await(store.quarantine(spam(12, "b@example.org"), bytes(new byte[] {2})));
        clock.advance(Duration.ofDays(10)); // first is exactly quarantine_lifetime old: kept

        assertThat(await(store.purge())).isZero();
        assertThat(await(store.find(first))).isPresent();

        clock.advance(Duration.ofMillis(1));
        assertThat(await(store.purge())).isEqualTo(1);
        assertThat(await(store.find(first))).isEmpty();
        assertThat(directory.resolve(first)).doesNotExist();
        assertThat(await(store.find(second))).isPresent();
        assertThat(directory.resolve(second)).exists();
        clock.advance(Duration.ofDays(20));
        assertThat(await(store.purge())).isEqualTo(1);
        assertThat(await(store.list(Query.all()))).isEmpty();
    }

    @Test
    void purgeRemovesOrphanFilesOnceTheyAreOlderThanTheGrace() throws Exception {
        String indexed = await(store.quarantine(infected("a@example.org"), bytes(new byte[] {1})));
        Instant old = clock.instant().minus(SqliteQuarantine.ORPHAN_GRACE).minusSeconds(1);
        Path orphan = file(QuarantineId.random(), old);          // a crash between file and index row
        Path incomplete = file(QuarantineId.random() + ".tmp", old); // a crash during the copy
        Path young = file(QuarantineId.random(), clock.instant());   // maybe another process's quarantine in progress
        Path foreign = file("README", old);
        Files.setLastModifiedTime(directory.resolve(indexed), FileTime.from(old));

        assertThat(await(store.purge())).isEqualTo(2);

        assertThat(orphan).doesNotExist();
        assertThat(incomplete).doesNotExist();
        assertThat(young).exists();
        assertThat(foreign).exists();
        assertThat(directory.resolve(indexed)).exists();
        clock.advance(SqliteQuarantine.ORPHAN_GRACE.plusSeconds(1));
        assertThat(await(store.purge())).isEqualTo(1);
        assertThat(young).doesNotExist();
    }

    @Test
    void openRemovesOrphanFiles() throws Exception {
        await(store.close());
        Path orphan = file(QuarantineId.random(), clock.instant().minus(Duration.ofHours(1)));
        store = await(SqliteQuarantine.open(vertx, directory, database, LIFETIME, clock));
        assertThat(orphan).doesNotExist();
    }

    @Test
    void aClosedStoreFailsCalls() throws Exception {
        await(store.close());
        assertThat(failure(store.list(Query.all()))).isInstanceOf(IllegalStateException.class);
        assertThat(failure(store.quarantine(infected("a@example.org"), bytes(new byte[1])))).hasMessageContaining("closed");
        await(store.close()); // twice is fine
        store = await(SqliteQuarantine.open(vertx, directory, database, LIFETIME, clock));
    }

    @Test
    void badArgumentsFailTheFutureInsteadOfThrowing() throws Exception {
        assertThat(failure(store.quarantine(null, bytes(new byte[1])))).isInstanceOf(NullPointerException.class);
        assertThat(failure(store.list(null))).isInstanceOf(NullPointerException.class);
        assertThat(failure(SqliteQuarantine.open(vertx, directory, database, Duration.ZERO, clock)))
                .hasMessageContaining("quarantine_lifetime");
    }

    private Path file(String name, Instant modified) throws IOException {
        Path p = Files.write(directory.resolve(name), new byte[] {9});
        Files.setLastModifiedTime(p, FileTime.from(modified));
        return p;
    }
}
