// Assumptions: finds the external programs integration tests need (swaks, smtp-sink, python3, ...);
// skips the test when one is missing on a developer machine, FAILS it when CI=true (CI installs all).
// Test support only; no main.cf parameters. Package list: scripts/packages.txt.
package org.postern.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Use as {@code import static org.postern.testkit.Assumptions.requireCommand;}. */
public final class Assumptions {
    /** sbin directories are searched too: smtp-sink and postconf live there and a user's PATH may lack them. */
    private static final List<String> EXTRA_DIRS = List.of("/usr/local/sbin", "/usr/sbin", "/sbin");
    private static final Map<String, String> PACKAGE_OF = Map.ofEntries(
            Map.entry("smtp-sink", "postfix"), Map.entry("smtp-source", "postfix"), Map.entry("postconf", "postfix"),
            Map.entry("postmap", "postfix"), Map.entry("swaks", "swaks"), Map.entry("python3", "python3"),
            Map.entry("dnsmasq", "dnsmasq"), Map.entry("openssl", "openssl"), Map.entry("postfwd2", "postfwd"),
            Map.entry("policyd-spf", "postfix-policyd-spf-python"), Map.entry("clamd", "clamav-daemon"),
            Map.entry("rspamd", "rspamd"), Map.entry("dovecot", "dovecot-lmtpd"), Map.entry("doveadm", "dovecot-core"),
            Map.entry("lmtp", "dovecot-lmtpd"), Map.entry("pflogsumm", "pflogsumm"));

    private Assumptions() {}

    /** True when the environment variable CI is "true" (any case): missing programs fail tests then. */
    /** True when the tests run as root (effective uid 0): mounts, daemons that drop privileges. */
    public static boolean isRoot() {
        return SharedDirs.isRoot();
    }

    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** The executable named {@code name} on PATH or in an sbin directory, if any. */
    public static Optional<Path> findCommand(String name) {
        if (name.contains("/")) {
            Path p = Path.of(name);
            return Files.isRegularFile(p) && Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) dirs.addAll(List.of(path.split(":")));
        dirs.addAll(EXTRA_DIRS);
        for (String dir : dirs) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /**
     * The executable's path. When it is missing: skips the calling test (JUnit assumption), or fails
     * it when {@link #inCi()}.
     */
    public static Path requireCommand(String name) {
        return requireCommand(name, inCi());
    }

    static Path requireCommand(String name, boolean failWhenMissing) {
        Optional<Path> found = findCommand(name);
        if (found.isPresent()) return found.get();
        String pkg = packageOf(name);
        String msg = "'" + name + "' is not installed (searched PATH and " + String.join(":", EXTRA_DIRS)
                + "); install the Debian package '" + pkg + "' (scripts/test does it when run as root)";
        if (failWhenMissing) {
            org.junit.jupiter.api.Assertions.fail("CI=true and " + msg);
        }
        return org.junit.jupiter.api.Assumptions.abort(msg);
    }

    /** The Debian package that ships {@code name} (as in scripts/packages.txt). */
    static String packageOf(String name) {
        String base = name.substring(name.lastIndexOf('/') + 1);
        return PACKAGE_OF.getOrDefault(base, "the package providing " + base);
    }
}
