// DirectorySync: shares one directory fsync among concurrent callers of one queue directory (moves
// between queues, removals by qmgr and vscan), the way GroupCommitter batches incoming/ commits.
// Owned by Spool, one per queue directory; no main.cf parameter.
package org.postern.gateway.queue;

import java.io.IOException;
import java.io.InterruptedIOException;

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
        Throwable failure;
    }

    private final String name;
    private final Fsync fsync;
    private final Object lock = new Object();
    private Round next; // the round not yet started that new callers join; null when none
    private boolean running; // an fsync is in progress
    private long fsyncs; // completed or failed fsyncs, for tests and statistics

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
                running = false;
                fsyncs++;
                lock.notifyAll();
            }
        }
        outcome(mine);
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
