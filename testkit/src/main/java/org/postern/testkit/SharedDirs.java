// SharedDirs: directories that a child program running as an unprivileged user (smtp-sink -u when
// the tests run as root, as in CI) can write, and their removal afterwards.
// Test support only; no main.cf parameters.
package org.postern.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;

final class SharedDirs {
    private SharedDirs() {}

    /** Effective uid 0? (/proc/self is owned by the process's effective uid.) */
    static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** The user root-started test daemons switch to: postfix when it exists (Debian's postfix package), else nobody. */
    static String unprivilegedUser() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                if (line.startsWith("postfix:")) return "postfix";
            }
        } catch (IOException ignored) {
            // fall through
        }
        return "nobody";
    }

    /** A new directory under java.io.tmpdir, writable by everyone when running as root. */
    static Path createSharedTempDir(String prefix) {
        try {
            Path dir = Files.createTempDirectory(prefix);
            if (isRoot()) Files.setPosixFilePermissions(dir, EnumSet.allOf(PosixFilePermission.class));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory", e);
        }
    }

    /**
     * Creates {@code dir} if needed; as root makes it world-writable and lets others traverse its
     * parents that lie below java.io.tmpdir (JUnit's @TempDir is mode 700). Fails clearly when a
     * parent elsewhere is closed to others.
     */
    static void prepareSharedDir(Path dir) {
        try {
            Files.createDirectories(dir);
            if (!isRoot()) return;
            Files.setPosixFilePermissions(dir, EnumSet.allOf(PosixFilePermission.class));
            Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
            for (Path p = dir.toAbsolutePath().normalize().getParent(); p != null; p = p.getParent()) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                if (perms.contains(PosixFilePermission.OTHERS_EXECUTE)) continue;
                if (!p.startsWith(tmp) || p.equals(tmp)) {
                    throw new IllegalStateException(p + " is not searchable by others (mode "
                            + java.nio.file.attribute.PosixFilePermissions.toString(perms) + "), so "
                            + unprivilegedUser() + " cannot reach " + dir + "; use a directory below " + tmp);
                }
                perms.add(PosixFilePermission.OTHERS_EXECUTE);
                Files.setPosixFilePermissions(p, perms);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dir, e);
        }
    }

    /** Deletes {@code dir} and everything in it; best effort. */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
