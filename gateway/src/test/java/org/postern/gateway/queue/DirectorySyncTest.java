// DirectorySyncTest: the group directory fsync behind Spool.move and the queue removals. Every caller
// returns only after an fsync that started after its own change; concurrent callers share fsyncs;
// a failed fsync fails exactly the callers of its round.
package org.postern.gateway.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.QueueId;

class DirectorySyncTest {
    @TempDir
    Path tmp;

    /** One fake fsync: the event numbers at which it began and ended. */
    record Fsync(long start, long end) {}

    @Test
    void everyCallerReturnsOnlyAfterAnFsyncThatBeganAfterItsChange() throws Exception {
        AtomicLong clock = new AtomicLong(); // orders every event of every thread
        ConcurrentLinkedQueue<Fsync> done = new ConcurrentLinkedQueue<>();
        AtomicInteger inFsync = new AtomicInteger();
        AtomicInteger overlap = new AtomicInteger();
        DirectorySync sync = new DirectorySync("test", () -> {
            if (inFsync.incrementAndGet() > 1) overlap.incrementAndGet();
            long start = clock.incrementAndGet();
            for (int i = 0; i < 200; i++) Thread.yield(); // give other callers time to arrive
            long end = clock.incrementAndGet();
            inFsync.decrementAndGet();
            done.add(new Fsync(start, end));
        });
        int threads = 16;
        int perThread = 200;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CyclicBarrier go = new CyclicBarrier(threads);
        List<Future<List<String>>> results = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    List<String> violations = new ArrayList<>();
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        long change = clock.incrementAndGet(); // "the rename"
                        sync.sync();
                        long returned = clock.incrementAndGet();
                        boolean covered = done.stream().anyMatch(f -> f.start() > change && f.end() < returned);
                        if (!covered) violations.add("change at " + change + " returned at " + returned);
                    }
                    return violations;
                }));
            }
            for (Future<List<String>> r : results) assertThat(r.get(60, TimeUnit.SECONDS)).isEmpty();
        } finally {
            pool.shutdownNow();
        }
        assertThat(overlap.get()).as("fsyncs of one directory never overlap").isZero();
        assertThat(sync.fsyncs()).isEqualTo(done.size()).isPositive().isLessThanOrEqualTo(threads * perThread);
    }

    @Test
    void callersArrivingDuringAnFsyncShareTheNextOne() throws Exception {
        CountDownLatch inFirst = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        List<Integer> waitingAtSecondStart = new ArrayList<>();
        List<Thread> followers = new ArrayList<>();
        DirectorySync sync = new DirectorySync("test", () -> {
            int n = calls.incrementAndGet();
            if (n == 1) {
                inFirst.countDown();
                await(release);
            } else {
                synchronized (waitingAtSecondStart) {
                    waitingAtSecondStart.add(n);
                }
            }
        });
        Thread first = new Thread(() -> quietly(sync));
        first.start();
        await(inFirst);
        for (int i = 0; i < 8; i++) {
            Thread t = new Thread(() -> quietly(sync));
            followers.add(t);
            t.start();
        }
        for (Thread t : followers) { // all eight have joined the round that waits for the first fsync
            while (t.getState() != Thread.State.WAITING) Thread.onSpinWait();
        }
        assertThat(calls.get()).isEqualTo(1);
        release.countDown();
        first.join(10_000);
        for (Thread t : followers) t.join(10_000);
        assertThat(calls.get()).as("one fsync for the first caller, one shared by the eight others").isEqualTo(2);
        assertThat(sync.fsyncs()).isEqualTo(2);
    }

    @Test
    void aFailedFsyncFailsItsRoundOnlyAndTheNextRoundRunsAFreshOne() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        DirectorySync sync = new DirectorySync("spool/active", () -> {
            if (calls.incrementAndGet() == 1) throw new IOException("EIO");
        });
        assertThatThrownBy(sync::sync).isInstanceOf(IOException.class)
                .hasMessageContaining("spool/active").hasRootCauseMessage("EIO");
        sync.sync(); // a new round, a new fsync
        assertThat(calls.get()).isEqualTo(2);
    }

    @Test
    void syncSinceIsFreeOnlyWhenAnFsyncThatBeganAfterTheTicketSucceeded() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger failNext = new AtomicInteger();
        DirectorySync sync = new DirectorySync("spool/incoming", () -> {
            calls.incrementAndGet();
            if (failNext.getAndSet(0) == 1) throw new IOException("EIO");
        });
        long before = sync.ticket();
        sync.syncSince(before, 0); // nobody synced since: it runs one
        assertThat(calls.get()).isEqualTo(1);
        long t = sync.ticket();
        sync.sync(); // someone else's fsync, begun after the ticket
        sync.syncSince(t, 0);
        assertThat(calls.get()).isEqualTo(2);
        long afterFailure = sync.ticket();
        failNext.set(1);
        assertThatThrownBy(sync::sync).isInstanceOf(IOException.class);
        sync.syncSince(afterFailure, 0); // the failed round does not count: a fresh fsync
        assertThat(calls.get()).isEqualTo(4);
        sync.syncSince(before, 0); // an old ticket is long satisfied
        assertThat(calls.get()).isEqualTo(4);
    }

    @Test
    void concurrentMovesAllLandAndShareDirectoryFsyncs() throws Exception {
        Spool spool = Spool.open(tmp.resolve("spool"));
        int n = 64;
        List<QueueId> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            QueueId id = new QueueId(String.format("4A%08X", i));
            Files.write(spool.file(QueueName.INCOMING, id), new byte[] {1});
            ids.add(id);
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Path>> moved = new ArrayList<>();
            for (QueueId id : ids) moved.add(pool.submit(() -> spool.move(id, QueueName.INCOMING, QueueName.ACTIVE)));
            for (Future<Path> f : moved) assertThat(f.get(60, TimeUnit.SECONDS)).exists();
        } finally {
            pool.shutdownNow();
        }
        assertThat(spool.ids(QueueName.INCOMING)).isEmpty();
        assertThat(spool.ids(QueueName.ACTIVE)).containsExactlyElementsOf(ids);
        assertThat(spool.directorySyncs(QueueName.ACTIVE)).isBetween(1L, (long) n);
        assertThat(spool.directorySyncs(QueueName.INCOMING)).isBetween(1L, (long) n);
    }

    private static void quietly(DirectorySync sync) {
        try {
            sync.sync();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) throw new AssertionError("timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
