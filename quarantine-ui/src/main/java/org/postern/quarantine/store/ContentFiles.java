// ContentFiles: the quarantined messages' content, one file per message in quarantine_directory, named by
// its quarantine id. Copies from a ContentSource (queue file) streaming, fsyncs file and directory before
// the index row is written; finds files without a row (orphans) for open() and purge() to remove.
package org.postern.quarantine.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.postern.core.ContentSource;

/** Blocking: call on a worker thread only. Files are owner-only (0600, directory 0700): they hold malware. */
final class ContentFiles {
    static final int BUFFER_SIZE = 64 * 1024;
    private static final String TEMP_SUFFIX = ".tmp";

    /** A file in the directory that may be an orphan: {@code temp} for a copy never completed. */
    record Candidate(String id, Path path, boolean temp, Instant modified) {}

    private final Path directory;
    private final boolean posix;

    ContentFiles(Path directory) {
        this.directory = Objects.requireNonNull(directory, "directory").toAbsolutePath();
        this.posix = this.directory.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    Path directory() {
        return directory;
    }

    void createDirectory() throws IOException {
        if (Files.isDirectory(directory)) return;
        Files.createDirectories(directory.getParent());
        try {
            if (posix) {
                Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectory(directory);
            }
        } catch (FileAlreadyExistsException raced) {
            if (!Files.isDirectory(directory)) throw raced;
        }
    }

    Path path(String id) {
        return directory.resolve(id);
    }

    /**
     * Copies the content into {@code id.tmp} in bounded chunks, fsyncs it, renames it to {@code id} and
     * fsyncs the directory: on return the file is durable under its final name. Returns the bytes copied.
     * On failure nothing is left behind.
     */
    long store(String id, ContentSource content) throws IOException {
        Path temp = directory.resolve(id + TEMP_SUFFIX);
        long size = 0;
        try (InputStream in = content.open();
             FileChannel out = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                     fileAttributes())) {
            byte[] buffer = new byte[BUFFER_SIZE];
            ByteBuffer wrapped = ByteBuffer.wrap(buffer);
            int n;
            while ((n = in.read(buffer, 0, buffer.length)) != -1) {
                wrapped.clear().limit(n);
                while (wrapped.hasRemaining()) out.write(wrapped);
                size += n;
            }
            out.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        try {
            Files.move(temp, path(id), StandardCopyOption.ATOMIC_MOVE);
            syncDirectory();
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            Files.deleteIfExists(path(id));
            throw e;
        }
        return size;
    }

    /** Removes a message's file; false when there was none. A crash before the next directory fsync may bring it back as an orphan. */
    boolean remove(String id) throws IOException {
        return Files.deleteIfExists(path(id));
    }

    /** Removes a file {@link #candidates()} found; false when it was already gone (another process purged it). */
    boolean remove(Candidate c) throws IOException {
        return Files.deleteIfExists(c.path());
    }

    /** Regular files named like a quarantine id (or a temporary copy of one); anything else is left alone. */
    List<Candidate> candidates() throws IOException {
        List<Candidate> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                boolean temp = name.endsWith(TEMP_SUFFIX);
                String id = temp ? name.substring(0, name.length() - TEMP_SUFFIX.length()) : name;
                if (!QuarantineId.isValid(id)) continue;
                BasicFileAttributes attrs;
                try {
                    attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (java.nio.file.NoSuchFileException gone) {
                    continue;
                }
                if (attrs.isRegularFile()) found.add(new Candidate(id, p, temp, attrs.lastModifiedTime().toInstant()));
            }
        }
        return found;
    }

    private void syncDirectory() throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    private FileAttribute<?>[] fileAttributes() {
        return posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
    }
}
