// ThrowawayPostfix: a real Postfix (Debian's 3.7) started with `postfix -c DIR` on a loopback port,
// its own spool in /tmp and no queue manager, so accepted mail stays in incoming/ where postcat reads
// the envelope cleanup wrote. Test support for comparing Postern's cleanup with Postfix's. Needs root.
package org.postern.gateway.cleanup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.postern.testkit.Await;
import org.postern.testkit.CommandResult;
import org.postern.testkit.ExternalCommand;

final class ThrowawayPostfix implements AutoCloseable {
    /** What cleanup wrote for one message: sender and, per recipient record, original and final address. */
    record Queued(String sender, List<String> recipients, List<String> originals) {}

    final Path base;
    final Path conf;
    final int port;

    private ThrowawayPostfix(Path base, int port) {
        this.base = base;
        this.conf = base.resolve("conf");
        this.port = port;
    }

    /** True when this process may start Postfix (root, and Debian's Postfix installed). */
    static boolean available() {
        return "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/sbin/postfix"))
                && Files.isExecutable(Path.of("/usr/lib/postfix/sbin/master"));
    }

    /**
     * Starts Postfix with {@code mainCf} added to a base main.cf (loopback, this spool, maillog in the
     * base directory, no local recipient or alias checks) and {@code tables} (file name, content)
     * written next to main.cf; table names in {@code mainCf} may use $config_directory.
     */
    static ThrowawayPostfix start(int port, String mainCf, List<String[]> tables) throws IOException {
        // Postfix's daemons run as user postfix: the directories must be traversable for it (not 0700)
        Path base = Files.createTempDirectory(Path.of("/tmp"), "postern-postfix-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        ThrowawayPostfix p = new ThrowawayPostfix(base, port);
        Files.createDirectories(p.conf);
        Files.createDirectories(base.resolve("spool"));
        Path data = Files.createDirectories(base.resolve("data"));
        run("chown", "postfix", data.toString()).requireSuccess();
        for (String[] t : tables) Files.writeString(p.conf.resolve(t[0]), t[1]);
        Files.writeString(p.conf.resolve("main.cf"), String.join("\n",
                "compatibility_level = 3.6",
                "queue_directory = " + base.resolve("spool"),
                "data_directory = " + data,
                "maillog_file = " + base.resolve("maillog"),
                "maillog_file_prefixes = " + base,
                "inet_interfaces = 127.0.0.1",
                "inet_protocols = ipv4",
                "alias_maps =",
                "alias_database =",
                "local_recipient_maps =",
                "shlib_directory = /usr/lib/postfix",
                "daemon_directory = /usr/lib/postfix/sbin",
                "meta_directory = /etc/postfix",
                mainCf, ""));
        Files.writeString(p.conf.resolve("master.cf"), String.join("\n",
                "127.0.0.1:" + port + " inet n - n - - smtpd",
                "cleanup unix n - n - 0 cleanup",
                "rewrite unix - - n - - trivial-rewrite",
                "anvil unix - - n - 1 anvil",
                "proxymap unix - - n - - proxymap",
                "bounce unix - - n - 0 bounce",
                "defer unix - - n - 0 bounce",
                "trace unix - - n - 0 bounce",
                "postlog unix-dgram n - n - 1 postlogd",
                ""));
        CommandResult started = run("postfix", "-c", p.conf.toString(), "start");
        if (!started.succeeded()) {
            String log = Files.exists(base.resolve("maillog")) ? Files.readString(base.resolve("maillog")) : "";
            p.close();
            throw new IOException("postfix did not start: " + started.describe() + "\n" + log);
        }
        return p;
    }

    /** The envelope records of queued message {@code id} (postcat -e). */
    Queued queued(String id) {
        String out = run("postcat", "-c", conf.toString(), "-e", "-q", id).requireSuccess().stdout();
        String sender = null;
        List<String> rcpts = new ArrayList<>();
        List<String> originals = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("sender: ")) sender = line.substring(8);
            else if (line.equals("sender:")) sender = "";
            else if (line.startsWith("original_recipient: ")) originals.add(line.substring(20));
            else if (line.startsWith("recipient: ")) rcpts.add(line.substring(11));
        }
        return new Queued(sender, List.copyOf(rcpts), List.copyOf(originals));
    }

    String maillog() throws IOException {
        Path log = base.resolve("maillog");
        return Files.exists(log) ? Files.readString(log) : "";
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
}
