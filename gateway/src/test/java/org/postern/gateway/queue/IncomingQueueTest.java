// IncomingQueueTest: the writer smtpd uses -- commits land in incoming/ only after fsync, rename and
// a (shared) directory fsync; content streams with bounded buffering; aborts and failures leave
// nothing behind; file I/O never runs on an event loop.
package org.postern.gateway.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postern.gateway.queue.QueueFixtures.await;
import static org.postern.gateway.queue.QueueFixtures.envelope;
import static org.postern.gateway.queue.QueueFixtures.failure;
import static org.postern.gateway.queue.QueueFixtures.hostile;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.postern.core.QueueId;

class IncomingQueueTest extends IncomingQueueTestBase {
    private List<String> incoming() throws IOException {
        try (Stream<Path> files = Files.list(spool.dir(QueueName.INCOMING))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Runs {@code body} on an event loop of vertx and waits for the future it returns. */
    private <T> T onEventLoop(java.util.function.Supplier<Future<T>> body) throws Exception {
        Promise<T> p = Promise.promise();
        vertx.runOnContext(v -> body.get().onComplete(p));
        return await(p.future());
    }

    @Test
    void commitPublishesOneFileNamedByTheQueueId() throws Exception {
        QueueWriter w = writer();
        assertThat(incoming()).containsExactly(w.id() + ".tmp");
        byte[] content = QueueFileTest.allByteValues();
        await(w.write(Buffer.buffer(content).slice(0, 100)));
        await(w.write(Buffer.buffer(content).slice(100, content.length)));
        assertThat(w.size()).isEqualTo(content.length);
        await(w.commit(hostile(w.id())));
        assertThat(incoming()).containsExactly(w.id().value());
        Path file = spool.file(QueueName.INCOMING, w.id());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        QueueFile f = QueueFile.read(file);
        assertThat(f.envelope()).isEqualTo(hostile(w.id()));
        try (InputStream in = f.openContent()) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
        assertThat(queue.directorySyncs()).isEqualTo(1);
        assertThat(w.pendingBytes()).isZero();
    }

    @Test
    void aContentFilterCommitIsInTransitUntilAnsweredWhichMarksAndClearsItWithOneWrite() throws Exception {
        QueueWriter plain = writer();
        await(plain.write(Buffer.buffer("Subject: x\r\n\r\nbody\r\n")));
        await(plain.commit(envelope(plain.id(), "s@example.com", "a@example.com")));
        assertThat(QueueFile.read(spool.file(QueueName.INCOMING, plain.id())).inTransit()).isFalse();

        QueueWriter w = writer();
        await(w.write(Buffer.buffer("Subject: y\r\n\r\nbody\r\n")));
        await(w.commitInTransit(envelope(w.id(), "s@example.com", "a@example.com", "b@example.com")));
        Path file = spool.file(QueueName.INCOMING, w.id());
        QueueFile f = QueueFile.read(file);
        assertThat(f.inTransit()).isTrue();
        assertThat(QueueFile.inTransit(file)).isTrue();
        assertThat(QueueFile.heldUnscanned(file)).isFalse();

        f.answered(List.of(0), RecipientStatus.DELIVERED);
        QueueFile after = QueueFile.read(file);
        assertThat(after.inTransit()).isFalse();
        assertThat(after.recipientStatuses()).containsExactly(RecipientStatus.DELIVERED, RecipientStatus.PENDING);
        assertThat(after.pendingRecipients()).containsExactly(1);
    }

    @Test
    void pipelinedWritesKeepTheirOrder() throws Exception {
        QueueWriter w = writer();
        Random rnd = new Random(42);
        java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
        List<Future<Void>> writes = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            byte[] chunk = new byte[rnd.nextInt(20_000)];
            rnd.nextBytes(chunk);
            expected.write(chunk);
            writes.add(w.write(Buffer.buffer(chunk)));
        }
        await(w.commit(envelope(w.id(), "a@example.com", "b@example.net")));
        for (Future<Void> f : writes) assertThat(f.succeeded()).isTrue();
        try (InputStream in = QueueFile.read(spool.file(QueueName.INCOMING, w.id())).openContent()) {
            assertThat(in.readAllBytes()).isEqualTo(expected.toByteArray());
        }
        assertThat(hooks.writes.subList(0, hooks.writes.size() - 1)).allMatch(n -> n >= IncomingWriter.BATCH_BYTES);
    }

    @Test
    void fiftyMegabytesStreamFromAnEventLoopWithBoundedBuffering() throws Exception {
        long total = 50L << 20;
        int chunkSize = 8 * 1024;
        long high = 256 * 1024;
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        AtomicLong maxPending = new AtomicLong();
        QueueWriter w = writer();
        Promise<Void> done = Promise.promise();
        vertx.runOnContext(v -> new Object() {
            long offset;

            void pump() { // what smtpd does: write, and pause while pendingBytes() is high
                while (offset < total) {
                    byte[] chunk = new byte[chunkSize];
                    for (int i = 0; i < chunkSize; i++) chunk[i] = (byte) ((offset + i) * 31 >>> 3);
                    sent.update(chunk);
                    offset += chunkSize;
                    Future<Void> f = w.write(Buffer.buffer(chunk));
                    maxPending.accumulateAndGet(w.pendingBytes(), Math::max);
                    if (w.pendingBytes() > high) {
                        f.onComplete(ar -> {
                            if (ar.succeeded()) pump();
                            else done.fail(ar.cause());
                        });
                        return;
                    }
                }
                w.commit(envelope(w.id(), "big@example.com", "rcpt@example.net")).onComplete(done);
            }
        }.pump());
        await(done.future());
        QueueFile f = QueueFile.read(spool.file(QueueName.INCOMING, w.id()));
        assertThat(f.contentLength()).isEqualTo(total);
        MessageDigest read = MessageDigest.getInstance("SHA-256");
        try (InputStream in = f.openContent()) {
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0; ) read.update(buf, 0, n);
        }
        assertThat(read.digest()).isEqualTo(sent.digest());
        assertThat(maxPending.get()).isLessThanOrEqualTo(high + IncomingWriter.BATCH_BYTES + chunkSize);
        assertThat(hooks.writes).hasSizeBetween(2, (int) (total / IncomingWriter.BATCH_BYTES) + 1);
    }

    @Test
    void futuresCompleteOnTheCallersContext() throws Exception {
        Boolean same = onEventLoop(() -> {
            Context ctx = vertx.getOrCreateContext();
            return queue.create(queue.newQueueId())
                    .compose(w -> w.write(Buffer.buffer("x\r\n")).compose(v -> w.commit(envelope(w.id(), "", "a@b"))))
                    .map(v -> Vertx.currentContext() == ctx);
        });
        assertThat(same).isTrue();
    }

    @Test
    void abortLeavesNothingAndIsIdempotent() throws Exception {
        QueueWriter w = writer();
        await(w.write(Buffer.buffer(new byte[100_000])));
        await(w.abort());
        assertThat(incoming()).isEmpty();
        await(w.abort());
        assertThat(failure(w.write(Buffer.buffer("x")))).isInstanceOf(IllegalStateException.class);
        assertThat(failure(w.commit(envelope(w.id(), "a@b", "c@d")))).isInstanceOf(IllegalStateException.class);
        assertThat(incoming()).isEmpty();
    }

    @Test
    void abortWithWritesInFlightLeavesNothing() throws Exception {
        QueueWriter w = writer();
        for (int i = 0; i < 64; i++) w.write(Buffer.buffer(new byte[32 * 1024]));
        await(w.abort());
        assertThat(incoming()).isEmpty();
        assertThat(w.pendingBytes()).isZero();
    }

    @Test
    void abortAfterCommitKeepsTheMessage() throws Exception {
        QueueWriter w = writer();
        await(w.commit(envelope(w.id(), "a@b", "c@d")));
        await(w.abort());
        assertThat(incoming()).containsExactly(w.id().value());
    }

    @Test
    void failedWriteFailsTheCommitAndLeavesNothing() throws Exception {
        hooks.failWrite = new IOException("No space left on device");
        QueueWriter w = writer();
        assertThat(w.write(Buffer.buffer("small")).succeeded()).isTrue(); // only buffered
        assertThat(failure(w.write(Buffer.buffer(new byte[IncomingWriter.BATCH_BYTES])))).hasMessage("No space left on device");
        assertThat(failure(w.write(Buffer.buffer("more")))).hasMessage("No space left on device");
        assertThat(failure(w.commit(envelope(w.id(), "a@b", "c@d")))).hasMessage("No space left on device");
        assertThat(incoming()).isEmpty();
        await(w.abort());
        assertThat(incoming()).isEmpty();
    }

    @Test
    void failedFileSyncFailsTheCommitAndLeavesNothing() throws Exception {
        hooks.failFileSync = new IOException("Input/output error");
        QueueWriter w = writer();
        w.write(Buffer.buffer("Subject: x\r\n\r\nbody\r\n"));
        assertThat(failure(w.commit(envelope(w.id(), "a@b", "c@d")))).hasMessage("Input/output error");
        assertThat(incoming()).isEmpty();
    }

    @Test
    void failedDirectorySyncWithdrawsTheRenamedFile() throws Exception {
        hooks.failDirectorySync = new IOException("Input/output error");
        QueueWriter w = writer();
        assertThat(failure(w.commit(envelope(w.id(), "a@b", "c@d")))).hasMessage("Input/output error");
        assertThat(incoming()).isEmpty();
    }

    @Test
    void commitCompletesOnlyAfterRenameAndDirectorySync() throws Exception {
        hooks.dirSyncEntered = new CountDownLatch(1);
        hooks.dirSyncRelease = new CountDownLatch(1);
        QueueWriter w = writer();
        w.write(Buffer.buffer("body\r\n"));
        AtomicLong syncsSeenAtCompletion = new AtomicLong(-1);
        Future<Void> commit = w.commit(envelope(w.id(), "a@b", "c@d"))
                .andThen(ar -> syncsSeenAtCompletion.set(queue.directorySyncs()));
        assertThat(hooks.dirSyncEntered.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(incoming()).containsExactly(w.id().value()); // renamed, file fsync'd...
        assertThat(commit.isComplete()).isFalse();                // ...but no 250 before the directory fsync
        hooks.dirSyncRelease.countDown();
        await(commit);
        assertThat(syncsSeenAtCompletion.get()).isEqualTo(1);
    }

    @Test
    void concurrentCommitsShareOneDirectorySync() throws Exception {
        int n = 50;
        AtomicBoolean first = new AtomicBoolean(true);
        AtomicBoolean allQueued = new AtomicBoolean();
        IncomingQueue.Hooks batching = new IncomingQueue.Hooks() {
            @Override
            public void beforeDirectorySync(List<QueueId> batch) throws IOException {
                if (!first.getAndSet(false)) return;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (batch.size() + queue.committer().waiting() < n) { // hold the first fsync until all queue up
                    if (System.nanoTime() > deadline) throw new IOException("commits never queued up");
                    Thread.onSpinWait();
                }
                allQueued.set(true);
            }
        };
        await(queue.close());
        queue = new IncomingQueue(vertx, spool, Clock.systemUTC(), batching);
        List<QueueWriter> writers = new ArrayList<>();
        for (int i = 0; i < n; i++) writers.add(writer());
        List<Future<Void>> commits = new ArrayList<>();
        for (QueueWriter w : writers) {
            w.write(Buffer.buffer("message " + w.id() + "\r\n"));
            commits.add(w.commit(envelope(w.id(), "a@b", "c@d")));
        }
        await(Future.all(commits));
        assertThat(allQueued).isTrue();
        assertThat(incoming()).hasSize(n).allMatch(QueueId::isValid);
        assertThat(queue.directorySyncs()).isBetween(1L, 2L); // 50 commits, at most 2 directory fsyncs
    }

    @Test
    void commitWithAnotherQueueIdIsRefused() throws Exception {
        QueueWriter w = writer();
        assertThat(failure(w.commit(envelope(new QueueId("00000000001"), "a@b", "c@d"))))
                .isInstanceOf(IllegalArgumentException.class);
        await(w.commit(envelope(w.id(), "a@b", "c@d")));
        assertThat(incoming()).containsExactly(w.id().value());
    }

    @Test
    void anIdInUseIsReplacedByAFreshOne() throws Exception {
        QueueId taken = queue.newQueueId();
        Files.write(spool.file(QueueName.DEFERRED, taken), new byte[0]);
        QueueWriter w = await(queue.create(taken));
        assertThat(w.id()).isNotEqualTo(taken);
        QueueId temp = queue.newQueueId();
        Files.write(spool.dir(QueueName.INCOMING).resolve(temp + ".tmp"), new byte[0]);
        QueueWriter w2 = await(queue.create(temp));
        assertThat(w2.id()).isNotEqualTo(temp).isNotEqualTo(w.id());
        await(w2.commit(envelope(w2.id(), "a@b", "c@d")));
        assertThat(Files.size(spool.dir(QueueName.INCOMING).resolve(temp + ".tmp"))).isZero(); // untouched
    }

    /** A rename replaces its target: a message of the same id that appeared meanwhile is never written over. */
    @Test
    void commitNeverReplacesAMessageOfTheSameId() throws Exception {
        QueueWriter w = writer();
        Path other = Files.write(spool.file(QueueName.INCOMING, w.id()), "someone else's".getBytes(StandardCharsets.US_ASCII));
        await(w.write(Buffer.buffer("Subject: mine\r\n\r\n")));
        assertThat(failure(w.commit(envelope(w.id(), "a@b", "c@d")))).isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readString(other)).isEqualTo("someone else's");
        assertThat(incoming()).containsExactly(w.id().value());
    }

    @Test
    void closeLetsStartedCommitsFinishAndRefusesNewWork() throws Exception {
        hooks.dirSyncEntered = new CountDownLatch(1);
        hooks.dirSyncRelease = new CountDownLatch(1);
        QueueWriter w = writer();
        Future<Void> commit = w.commit(envelope(w.id(), "a@b", "c@d"));
        assertThat(hooks.dirSyncEntered.await(60, TimeUnit.SECONDS)).isTrue();
        Future<Void> closed = queue.close();
        assertThat(failure(queue.create(queue.newQueueId()))).isInstanceOf(IllegalStateException.class);
        assertThat(closed.isComplete()).isFalse();
        hooks.dirSyncRelease.countDown();
        await(commit);
        await(closed);
        assertThat(incoming()).containsExactly(w.id().value());
    }
}
