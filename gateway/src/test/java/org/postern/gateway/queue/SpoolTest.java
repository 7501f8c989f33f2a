// SpoolTest: opening queue_directory creates the queue directories 0700, removes what interrupted
// sessions and crashes left behind (and says how much), and seeds queue ids above existing ones.
package org.postern.gateway.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.postern.gateway.queue.QueueFixtures.await;
import static org.postern.gateway.queue.QueueFixtures.envelope;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.QueueId;
import org.slf4j.LoggerFactory;

class SpoolTest {
    @TempDir
    Path tmp;
    final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeEach
    void captureLog() {
        log.start();
        ((Logger) LoggerFactory.getLogger(Spool.class)).addAppender(log);
    }

    @AfterEach
    void releaseLog() {
        ((Logger) LoggerFactory.getLogger(Spool.class)).detachAppender(log);
    }

    @Test
    void openCreatesEveryQueueDirectoryPrivately() throws IOException {
        Path root = tmp.resolve("spool");
        Spool spool = Spool.open(root);
        for (String name : new String[] {"incoming", "active", "deferred", "hold", "corrupt", "quarantine"}) {
            Path d = root.resolve(name);
            assertThat(d).isDirectory();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d))).isEqualTo("rwx------");
        }
        assertThat(spool.dir(QueueName.HOLD)).isEqualTo(root.resolve("hold"));
        assertThat(spool.quarantineDir()).isEqualTo(root.resolve("quarantine"));
        assertThat(Spool.open(root).dir(QueueName.CORRUPT)).isEqualTo(root.resolve("corrupt")); // reopen is fine
    }

    @Test
    void aFileInPlaceOfAQueueDirectoryIsAnError() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("spool"));
        Files.write(root.resolve("active"), new byte[0]);
        assertThatThrownBy(() -> Spool.open(root)).isInstanceOf(IOException.class).hasMessageContaining("active");
    }

    @Test
    void leftOversOfInterruptedSessionsAreRemovedAndCounted() throws Exception {
        Path root = tmp.resolve("spool");
        Spool spool = Spool.open(root);
        Vertx vertx = Vertx.vertx();
        QueueId committed;
        try {
            IncomingQueue queue = new IncomingQueue(vertx, spool, Clock.systemUTC());
            QueueWriter done = await(queue.create(queue.newQueueId()));
            await(done.commit(envelope(done.id(), "a@b", "c@d")));
            committed = done.id();
            // a client that disconnected mid-DATA, and the process "crashing" before any abort
            QueueWriter cut = await(queue.create(queue.newQueueId()));
            await(cut.write(Buffer.buffer(new byte[200_000])));
            await(queue.close());
        } finally {
            await(vertx.close());
        }
        Files.write(spool.dir(QueueName.ACTIVE).resolve("0123456789A.tmp"), new byte[10]);
        assertThat(spool.ids(QueueName.INCOMING)).containsExactly(committed); // readers never see a .tmp
        log.list.clear();

        // another process (postern cat, quarantine release) attaches while the gateway may be running:
        // a .tmp may be a live session's, so nothing is removed
        Spool attached = Spool.attach(root);
        try (var files = Files.list(attached.dir(QueueName.INCOMING))) {
            assertThat(files.count()).isEqualTo(2);
        }
        assertThat(attached.dir(QueueName.ACTIVE).resolve("0123456789A.tmp")).exists();
        assertThat(attached.find(committed)).isEqualTo(QueueName.INCOMING);

        Spool reopened = Spool.open(root);
        try (var files = Files.list(reopened.dir(QueueName.INCOMING))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(committed.value());
        }
        assertThat(reopened.dir(QueueName.ACTIVE)).isEmptyDirectory();
        assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly("queue_directory " + root + ": removed 2 left-over temporary files");
        assertThat(MailQueue.list(root)).extracting(QueueEntry::queueId).containsExactly(committed);
    }

    @Test
    void idsListOnlyCommittedFilesInOrderAndFindLocatesThem() throws IOException {
        Spool spool = Spool.open(tmp);
        Files.write(spool.dir(QueueName.DEFERRED).resolve("0000000000B"), new byte[0]);
        Files.write(spool.dir(QueueName.DEFERRED).resolve("0000000000A"), new byte[0]);
        Files.write(spool.dir(QueueName.DEFERRED).resolve("0000000000C.tmp"), new byte[0]);
        Files.write(spool.dir(QueueName.DEFERRED).resolve("README.txt"), new byte[0]);
        assertThat(spool.ids(QueueName.DEFERRED)).extracting(QueueId::value).containsExactly("0000000000A", "0000000000B");
        assertThat(spool.find(new QueueId("0000000000B"))).isEqualTo(QueueName.DEFERRED);
        assertThat(spool.find(new QueueId("0000000000C"))).isNull();
    }

    @Test
    void moveRenamesBetweenQueuesAndNeverOverwrites() throws IOException {
        Spool spool = Spool.open(tmp);
        QueueId id = new QueueId("0000000000A");
        Files.write(spool.file(QueueName.INCOMING, id), new byte[] {1});
        assertThat(spool.move(id, QueueName.INCOMING, QueueName.ACTIVE)).isEqualTo(spool.file(QueueName.ACTIVE, id));
        assertThat(spool.find(id)).isEqualTo(QueueName.ACTIVE);
        assertThat(spool.file(QueueName.INCOMING, id)).doesNotExist();
        Files.write(spool.file(QueueName.DEFERRED, id), new byte[] {2});
        assertThatThrownBy(() -> spool.move(id, QueueName.ACTIVE, QueueName.DEFERRED))
                .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
        assertThat(Files.readAllBytes(spool.file(QueueName.DEFERRED, id))).containsExactly(2);
        assertThat(Files.readAllBytes(spool.file(QueueName.ACTIVE, id))).containsExactly(1);
    }

    @Test
    void promoteSyncsActiveNowAndIncomingOnlyWhenTheMessageLeavesActive() throws IOException {
        Spool spool = Spool.open(tmp);
        QueueId id = new QueueId("0000000000A");
        Files.write(spool.file(QueueName.INCOMING, id), new byte[] {1});
        long active = spool.directorySyncs(QueueName.ACTIVE);
        long incoming = spool.directorySyncs(QueueName.INCOMING);
        assertThat(spool.promote(id)).isEqualTo(spool.file(QueueName.ACTIVE, id));
        assertThat(spool.find(id)).isEqualTo(QueueName.ACTIVE);
        assertThat(spool.directorySyncs(QueueName.ACTIVE)).isEqualTo(active + 1);
        assertThat(spool.directorySyncs(QueueName.INCOMING)).isEqualTo(incoming);
        // delivered: before its name leaves active/, its leaving incoming/ is made durable, once
        spool.discard(id, QueueName.ACTIVE, spool.file(QueueName.ACTIVE, id), 1);
        assertThat(spool.directorySyncs(QueueName.INCOMING)).isEqualTo(incoming + 1);
        spool.settle(id);
        assertThat(spool.directorySyncs(QueueName.INCOMING)).isEqualTo(incoming + 1);

        QueueId other = new QueueId("0000000000B");
        Files.write(spool.file(QueueName.INCOMING, other), new byte[] {2});
        spool.promote(other);
        spool.sync(QueueName.INCOMING); // a commit of new mail syncs incoming/ meanwhile
        spool.move(other, QueueName.ACTIVE, QueueName.DEFERRED); // deferred: nothing more to sync for incoming/
        assertThat(spool.directorySyncs(QueueName.INCOMING)).isEqualTo(incoming + 2);

        QueueId deleted = new QueueId("0000000000D"); // postern queue delete right after the hand-on
        Files.write(spool.file(QueueName.INCOMING, deleted), new byte[] {5});
        spool.promote(deleted);
        assertThat(spool.remove(deleted, QueueName.ACTIVE)).isTrue();
        assertThat(spool.directorySyncs(QueueName.INCOMING)).isEqualTo(incoming + 3);
        assertThat(spool.find(deleted)).isNull();
        assertThat(spool.remove(deleted, QueueName.ACTIVE)).isFalse();

        QueueId twice = new QueueId("0000000000C");
        Files.write(spool.file(QueueName.INCOMING, twice), new byte[] {3});
        Files.write(spool.file(QueueName.ACTIVE, twice), new byte[] {4});
        assertThatThrownBy(() -> spool.promote(twice)).isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
        assertThat(Files.readAllBytes(spool.file(QueueName.ACTIVE, twice))).containsExactly(4);
    }

    @Test
    void aDiscardedQueueFileIsReusedOnlyOnceItsRemovalIsDurable() throws IOException {
        Spool spool = Spool.open(tmp);
        QueueId id = new QueueId("0000000000E");
        Path file = Files.write(spool.file(QueueName.ACTIVE, id), new byte[] {7});
        java.util.List<Boolean> takenDuringSync = new java.util.ArrayList<>();
        spool.beforeDirectorySync(QueueName.ACTIVE, () -> takenDuringSync.add(spool.takeSpare(tmp.resolve("early.tmp"))));
        spool.discard(id, QueueName.ACTIVE, file, 1);
        assertThat(takenDuringSync).as("a new message must not write into the inode before active/ is synced")
                .containsExactly(false);
        assertThat(file).doesNotExist();
        assertThat(spool.takeSpare(tmp.resolve("new.tmp"))).isTrue();
        assertThat(tmp.resolve("new.tmp")).hasBinaryContent(new byte[] {7});
    }

    @Test
    void aNameLeftInIncomingByACrashAfterPromoteIsRemovedAtOpen() throws IOException {
        Spool spool = Spool.open(tmp);
        QueueId id = new QueueId("0000000000A");
        QueueId unscanned = new QueueId("0000000000B");
        Files.write(spool.file(QueueName.DEFERRED, id), new byte[] {7});
        Files.createLink(spool.file(QueueName.INCOMING, id), spool.file(QueueName.DEFERRED, id)); // as the crash left it
        Files.write(spool.file(QueueName.INCOMING, unscanned), new byte[] {8});
        Spool reopened = Spool.open(tmp);
        assertThat(reopened.ids(QueueName.INCOMING)).containsExactly(unscanned);
        assertThat(Files.readAllBytes(reopened.file(QueueName.DEFERRED, id))).containsExactly(7);
        assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage).anyMatch(l -> l.contains("removed 1 incoming/ name of message already in a later queue"));
    }

    /** Not one file with two names but two messages that drew one id (two processes): neither is taken for the other. */
    @Test
    void twoDifferentMessagesUnderOneIdAreBothKeptAtOpen() throws IOException {
        Spool spool = Spool.open(tmp);
        QueueId id = new QueueId("0000000000A");
        Files.write(spool.file(QueueName.INCOMING, id), new byte[] {1}); // waiting for its scan
        Files.write(spool.file(QueueName.ACTIVE, id), new byte[] {2}); // another process's message
        Spool reopened = Spool.open(tmp);
        assertThat(Files.readAllBytes(reopened.file(QueueName.INCOMING, id))).containsExactly(1);
        assertThat(Files.readAllBytes(reopened.file(QueueName.ACTIVE, id))).containsExactly(2);
        assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage)
                .anyMatch(l -> l.contains("different messages under one queue id; both kept"));
    }

    @Test
    void newIdsComeAfterEveryIdInTheSpoolEvenWithAnEarlierClock() throws Exception {
        Path root = tmp.resolve("spool");
        Spool first = Spool.open(root);
        Files.write(first.dir(QueueName.HOLD).resolve("7FFFFFFFFFF"), new byte[0]);
        Files.write(first.dir(QueueName.INCOMING).resolve("7FFFFFFFFFF0.tmp"), new byte[0]);
        Spool spool = Spool.open(root);
        assertThat(spool.highestIdAtOpen()).isEqualTo(0x7FFFFFFFFFFL);
        Vertx vertx = Vertx.vertx();
        try {
            IncomingQueue queue = new IncomingQueue(vertx, spool, Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC));
            assertThat(queue.newQueueId().value()).isEqualTo("80000000000");
            await(queue.close());
        } finally {
            await(vertx.close());
        }
    }
}
