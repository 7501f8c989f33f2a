// SpareFiles: queue files whose message is gone, kept in queue_directory/spare to be written over by the
// next new message instead of being unlinked -- every queue file then reuses an inode instead of allocating
// one (ext4 without a journal scans every inode freed in the last 30 s on each allocation). Used by the queue
// writers (smtpd, vscan, bounce) and by qmgr's removal; bounded in count and in the disk space kept idle.
package org.postern.gateway.queue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Thread-safe. A spare holds stale bytes of a delivered message (mode 0600 in a 0700 directory, as it was
 * in the queue: only keep() puts files there); whoever takes one writes over it and truncates it to its new length before it is committed.
 * Nothing in spare/ is mail: after a crash its files are only reused or removed. Several processes may share
 * the directory (`postern` commands): a spare two of them pick is taken by the first rename, the other moves on.
 */
final class SpareFiles {
    /** Spare files kept at most (a burst's worth of messages in flight); more are unlinked. */
    static final int MAX_FILES = 4096;
    /** A queue file up to this size is kept with its blocks (written over next); a larger one is emptied first. */
    static final long KEEP_BLOCKS = 16 * 1024;
    /** A queue file larger than this is unlinked rather than kept (emptying it costs about what unlinking does). */
    static final long MAX_SIZE = 1 << 20;

    private final Path dir;
    private final ConcurrentLinkedDeque<Path> free = new ConcurrentLinkedDeque<>();
    private final AtomicInteger count = new AtomicInteger();
    private final String prefix = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36) + "-";
    private final AtomicLong next = new AtomicLong();
    /** False in a process attached to a running gateway's spool: see {@link #attached}. */
    private final boolean reuse;

    private volatile boolean loaded;

    private SpareFiles(Path dir, boolean reuse) {
        this.dir = dir;
        this.reuse = reuse;
    }

    /**
     * The pool over {@code dir} (an existing directory). Nothing is read yet: the spares a previous run left
     * are listed on first use, so a `postern` command that opens the spool only to read it pays nothing.
     */
    static SpareFiles open(Path dir) {
        return new SpareFiles(dir, true);
    }

    /**
     * The pool of a process that only attaches to a running gateway's spool (`postern quarantine release`): it
     * never takes a spare -- one the gateway moved there moments ago may not be durably out of its queue yet,
     * which only the gateway knows -- and creates its files instead.
     */
    static SpareFiles attached(Path dir) {
        return new SpareFiles(dir, false);
    }

    /**
     * Takes in the spares already in the directory, up to the bound, and removes the rest (and any that still has
     * another name). Blocking; once.
     */
    private void load() throws IOException {
        if (loaded) return;
        synchronized (this) {
            if (loaded) return;
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path f : files) {
                    try {
                        // a spare with a second name is a crash's half-done move out of a queue (ext4 without a
                        // journal): the queue's name is the message; only the spare's goes
                        if (count.get() < MAX_FILES && Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                                && (Integer) Files.getAttribute(f, "unix:nlink", java.nio.file.LinkOption.NOFOLLOW_LINKS) == 1) {
                            free.add(f);
                            count.incrementAndGet();
                        } else {
                            Files.deleteIfExists(f);
                        }
                    } catch (NoSuchFileException e) {
                        // another process sharing the spool took it meanwhile
                    }
                }
            }
            loaded = true;
        }
    }

    /**
     * Moves a spare to {@code target} (a fresh temporary name) and answers true, or answers false when there is
     * none: the caller then creates the file. Never replaces an existing {@code target}: throws
     * FileAlreadyExistsException instead, as creating it would. Blocking.
     */
    boolean take(Path target) throws IOException {
        if (!reuse) return false;
        load();
        for (Path spare; (spare = free.pollFirst()) != null; ) {
            count.decrementAndGet();
            try {
                Files.move(spare, target);
                return true;
            } catch (NoSuchFileException e) {
                // another process took it, or it was removed by hand: the next one
            } catch (FileAlreadyExistsException e) {
                free.addFirst(spare);
                count.incrementAndGet();
                throw e;
            }
        }
        return false;
    }

    /**
     * Takes {@code file} (a queue file of {@code size} bytes whose message is finished) out of its queue: moved
     * to spare/ when there is room and it is small enough (answered: {@link #offer} it once the removal is
     * durable), else unlinked (null). Either way its directory entry is gone when this returns; the caller makes
     * that durable with {@link Spool#sync}. Blocking.
     */
    Path keep(Path file, long size) throws IOException {
        load();
        if (size <= MAX_SIZE && count.incrementAndGet() <= MAX_FILES) {
            Path spare = dir.resolve(prefix + next.incrementAndGet());
            try {
                if (size > KEEP_BLOCKS) { // at most 4096 x 16 KB of idle blocks in spare/
                    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
                            java.nio.file.StandardOpenOption.WRITE)) {
                        ch.truncate(0);
                    }
                }
                Files.move(file, spare);
                return spare;
            } catch (FileAlreadyExistsException e) {
                count.decrementAndGet(); // a name another process used: unlink instead
            } catch (IOException e) {
                count.decrementAndGet();
                throw e;
            }
        } else if (size <= MAX_SIZE) {
            count.decrementAndGet();
        }
        Files.delete(file);
        return null;
    }

    /**
     * Lets {@link #take} hand out a spare {@link #keep} answered (null: nothing). Only once the fsync of the
     * directory it left has completed: until then a crash could bring its old queue name back, naming whatever
     * a new message has written into the same inode meanwhile. (A process {@link #attached} to the spool, which
     * cannot know which spares are offered yet, takes none.)
     */
    void offer(Path spare) {
        if (spare != null) free.addLast(spare);
    }

    /** Spare files this instance knows of (after taking in those already there). Blocking. */
    int size() throws IOException {
        load();
        return count.get();
    }
}
