// DirectorySync: shares one directory fsync among concurrent callers of one queue directory (moves
// between queues, removals by qmgr and vscan), the way GroupCommitter batches incoming/ commits.
// Owned by Spool, one per queue directory; no main.cf parameter.
package org.postern.gateway.queue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.TimeUnit;

/**
 * Group fsync of one directory. A caller that has changed an entry (rename, delete) calls
 * {@link #sync()}: it joins the round that has not started yet, or starts one. A round's fsync starts
 * only after every member joined, so when {@code sync()} returns normally an fsync that began after
 * the caller's change has completed. While one fsync runs, the callers arriving meanwhile gather in
 * the next round, and one of them runs a single fsync for all. Blocking: worker threads only.
 */
final class DirectorySync {
    /** The fsync itself (injected so tests can observe the order of events). */
    @FunctionalInterface
    interface Fsync {
        void run() throws IOException;
    }

    /** One fsync and the callers it serves. Fields guarded by the owner's lock. */
    private static final class Round {
        boolean started;
        boolean done;
        long number; // 1, 2, ... in the order the rounds' fsyncs start
        Throwable failure;
    }

    private final String name;
    private final Fsync fsync;
    private final Object lock = new Object();
    private Round next; // the round not yet started that new callers join; null when none
    private boolean running; // an fsync is in progress
    private long fsyncs; // completed or failed fsyncs, for tests and statistics
    private long rounds; // rounds whose fsync has started
    private long durable; // the number of the latest round whose fsync succeeded

    DirectorySync(String name, Fsync fsync) {
        this.name = name;
        this.fsync = fsync;
    }

    /**
     * Returns once an fsync of the directory that started after this call began has completed.
     * Throws when that fsync failed (each caller of the round gets its own IOException).
     */
    void sync() throws IOException {
        Round mine;
        synchronized (lock) {
            if (next == null) next = new Round();
            mine = next;
            try {
                while (running && !mine.started) lock.wait();
                if (!mine.started) { // no fsync in progress and nobody leads this round yet: lead it
                    mine.started = true;
                    mine.number = ++rounds;
                    next = null;
                    running = true;
                } else {
                    while (!mine.done) lock.wait();
                    outcome(mine);
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException(name + ": interrupted waiting for the directory fsync");
            }
        }
        Throwable failure = null;
        try {
            fsync.run();
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
        } finally {
            synchronized (lock) {
                mine.failure = failure;
                mine.done = true;
                if (failure == null) durable = mine.number;
                running = false;
                fsyncs++;
                lock.notifyAll();
            }
        }
        outcome(mine);
    }

    /**
     * A mark for a change just made to the directory: {@link #syncSince} with it returns at once when an
     * fsync that started after this call has completed meanwhile (another caller's).
     */
    long ticket() {
        synchronized (lock) {
            return rounds;
        }
    }

    /**
     * Like {@link #sync()}, but free when another caller's fsync makes the change behind {@code ticket}
     * durable: rounds start in number order, so a round numbered above the ticket began after it. Waits up to
     * {@code waitMillis} for such a round (0: none) before running one itself -- group commit with a commit
     * delay, for changes nobody is waiting on.
     */
    void syncSince(long ticket, long waitMillis) throws IOException {
        synchronized (lock) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
            try {
                for (long left = waitMillis; durable <= ticket && left > 0;
                     left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) {
                    lock.wait(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException(name + ": interrupted waiting for the directory fsync");
            }
            if (durable > ticket) return;
        }
        sync();
    }

    /** fsyncs run so far (successful or not). */
    long fsyncs() {
        synchronized (lock) {
            return fsyncs;
        }
    }

    private void outcome(Round r) throws IOException {
        if (r.failure == null) return;
        throw new IOException(name + ": directory fsync failed: " + r.failure, r.failure);
    }
}
