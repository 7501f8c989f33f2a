// Postfix: a throwaway real Postfix (Debian's 3.7) for integration tests -- `postfix -c DIR start` with its
// own spool under /tmp, loopback only, the listeners and main.cf lines a test gives on top of the internal
// services every instance needs, and its maillog read back. Needs root (its daemons run as user postfix).
package org.postern.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code Postfix.builder().mainCf("relayhost = [127.0.0.1]:2525").masterCf("127.0.0.1:2600 inet n - n - - smtpd").start()}.
 * The base main.cf sets the spool, data directory and maillog_file under one temporary directory,
 * {@code inet_interfaces = 127.0.0.1}, {@code mynetworks = 127.0.0.0/8} and no local recipient or alias
 * checks; lines given later override it. The base master.cf runs cleanup, qmgr (unless {@link
 * Builder#withoutQueueManager}), trivial-rewrite, bounce, smtp/relay, error, showq, scache, anvil, proxymap and
 * postlogd.
 */
public final class Postfix implements AutoCloseable {
    private final Path base;
    private final Path conf;

    private Postfix(Path base) {
        this.base = base;
        this.conf = base.resolve("conf");
    }

    /** True when this process may start Postfix (root, and Debian's Postfix installed). */
    public static boolean available() {
        return "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/sbin/postfix"))
                && Files.isExecutable(Path.of("/usr/lib/postfix/sbin/master"));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The temporary directory holding conf/, spool/, data/ and maillog. */
    public Path base() {
        return base;
    }

    /** The configuration directory (main.cf, master.cf, tables). */
    public Path conf() {
        return conf;
    }

    /** What Postfix logged so far. */
    public String maillog() throws IOException {
        Path log = base.resolve("maillog");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** Maillog lines containing {@code text}. */
    public List<String> maillogLines(String text) throws IOException {
        return maillog().lines().filter(l -> l.contains(text)).toList();
    }

    /** Queue files in incoming/, active/, deferred/ and hold/ (empty: everything was delivered or bounced). */
    public List<String> queued() throws IOException {
        List<String> out = new ArrayList<>();
        for (String q : List.of("incoming", "active", "deferred", "hold")) {
            Path d = base.resolve("spool").resolve(q);
            if (!Files.isDirectory(d)) continue;
            try (Stream<Path> s = Files.walk(d)) {
                s.filter(Files::isRegularFile).forEach(p -> out.add(q + "/" + p.getFileName()));
            }
        }
        return out;
    }

    private static CommandResult run(String... cmd) {
        return ExternalCommand.of(cmd).timeout(Duration.ofSeconds(30)).run();
    }

    @Override
    public void close() throws IOException {
        if (Files.exists(conf.resolve("main.cf"))) {
            run("postfix", "-c", conf.toString(), "stop");
            Await.until("the throwaway Postfix stops", Duration.ofSeconds(20),
                    () -> !run("postfix", "-c", conf.toString(), "status").succeeded());
        }
        try (Stream<Path> s = Files.walk(base)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        }
    }

    public static final class Builder {
        private final List<String> mainCf = new ArrayList<>();
        private final List<String> masterCf = new ArrayList<>();
        private boolean qmgr = true;

        private Builder() {}

        /** main.cf lines, after (so overriding) the base ones. */
        public Builder mainCf(String... lines) {
            mainCf.addAll(List.of(lines));
            return this;
        }

        /** master.cf lines (listeners, transports, their -o options), after the internal services. */
        public Builder masterCf(String... lines) {
            masterCf.addAll(List.of(lines));
            return this;
        }

        /** No queue manager: accepted mail stays in incoming/ (to read what cleanup wrote with postcat). */
        public Builder withoutQueueManager() {
            qmgr = false;
            return this;
        }

        public Postfix start() throws IOException {
            // Postfix's daemons run as user postfix: the directories must be traversable for it (not 0700)
            Path base = Files.createTempDirectory(Path.of("/tmp"), "postern-postfix-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            Postfix p = new Postfix(base);
            Files.createDirectories(p.conf);
            Files.createDirectories(base.resolve("spool"));
            Path data = Files.createDirectories(base.resolve("data"));
            run("chown", "postfix", data.toString()).requireSuccess();
            List<String> main = new ArrayList<>(List.of(
                    "compatibility_level = 3.6",
                    "myhostname = postfix.postern.test",
                    "queue_directory = " + base.resolve("spool"),
                    "data_directory = " + data,
                    "maillog_file = " + base.resolve("maillog"),
                    "maillog_file_prefixes = " + base,
                    "inet_interfaces = 127.0.0.1",
                    "inet_protocols = ipv4",
                    "mynetworks = 127.0.0.0/8",
                    "mydestination =",
                    "alias_maps =",
                    "alias_database =",
                    "local_recipient_maps =",
                    "smtp_dns_support_level = disabled",
                    "shlib_directory = /usr/lib/postfix",
                    "daemon_directory = /usr/lib/postfix/sbin",
                    "meta_directory = /etc/postfix"));
            main.addAll(mainCf);
            Files.writeString(p.conf.resolve("main.cf"), String.join("\n", main) + "\n");
            List<String> master = new ArrayList<>(List.of(
                    "cleanup unix n - n - 0 cleanup",
                    "rewrite unix - - n - - trivial-rewrite",
                    "bounce unix - - n - 0 bounce",
                    "defer unix - - n - 0 bounce",
                    "trace unix - - n - 0 bounce",
                    "verify unix - - n - 1 verify",
                    "smtp unix - - n - - smtp",
                    "relay unix - - n - - smtp",
                    "error unix - - n - - error",
                    "retry unix - - n - - error",
                    "discard unix - - n - - discard",
                    "showq unix n - n - - showq",
                    "scache unix - - n - 1 scache",
                    "anvil unix - - n - 1 anvil",
                    "proxymap unix - - n - - proxymap",
                    "postlog unix-dgram n - n - 1 postlogd"));
            if (qmgr) master.add("qmgr unix n - n 300 1 qmgr");
            master.addAll(masterCf);
            Files.writeString(p.conf.resolve("master.cf"), String.join("\n", master) + "\n");
            CommandResult started = run("postfix", "-c", p.conf.toString(), "start");
            if (!started.succeeded()) {
                String log = p.maillog();
                p.close();
                throw new IOException("postfix did not start: " + started.describe() + "\n" + log);
            }
            return p;
        }
    }
}
