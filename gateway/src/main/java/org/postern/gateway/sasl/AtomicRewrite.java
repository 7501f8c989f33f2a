// AtomicRewrite: replaces the SASL password file (main.cf smtpd_sasl_password_file) in one step --
// temporary file in the same directory, fsync, rename over the old file, fsync the directory -- so a
// crash or a concurrent smtpd reload sees either the old or the new file, never half of one.
package org.postern.gateway.sasl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** One blocking operation: write bytes to a file atomically, keeping or setting its mode. */
final class AtomicRewrite {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private AtomicRewrite() {}

    /**
     * Writes {@code content} to {@code target} atomically. A new file gets mode 0600; an existing one
     * keeps its mode, and its owner and group when this process may set them (running as root).
     */
    static void write(Path target, byte[] content) throws IOException {
        // a symlinked file is rewritten where it points, the link stays
        Path absolute = Files.isSymbolicLink(target) ? target.toRealPath() : target.toAbsolutePath();
        Path dir = absolute.getParent();
        PosixFileAttributes existing = null;
        try {
            existing = Files.readAttributes(absolute, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            // new file: 0600
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to keep
        }
        Path tmp = Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        try {
            if (existing != null) keepOwnership(tmp, existing);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        } finally {
            if (tmp != null) Files.deleteIfExists(tmp);
        }
    }

    private static void keepOwnership(Path tmp, PosixFileAttributes existing) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
        view.setPermissions(existing.permissions());
        PosixFileAttributes now = view.readAttributes();
        try {
            if (!now.group().equals(existing.group())) view.setGroup(existing.group());
            if (!now.owner().equals(existing.owner())) view.setOwner(existing.owner());
        } catch (FileSystemException e) {
            // not root: the rewritten file belongs to whoever ran `postern passwd`; mode is kept
        }
    }
}
