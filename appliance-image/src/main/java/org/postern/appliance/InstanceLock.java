// InstanceLock: an exclusive lock on $data_directory/master.lock, held by `postern run` for the
// whole life of the instance (as Postfix's master locks master.pid), so two instances can never
// share one data directory even when two `postern start` race. Governed by data_directory.
package org.postern.appliance;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/** A held lock; the operating system releases it if the process dies. */
final class InstanceLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private InstanceLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock, or empty when another process holds it. Blocking. */
    static Optional<InstanceLock> tryAcquire(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this very JVM: just as taken
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock != null) return Optional.of(new InstanceLock(channel, lock));
        channel.close();
        return Optional.empty();
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
