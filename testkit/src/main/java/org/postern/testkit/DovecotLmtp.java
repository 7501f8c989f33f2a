// DovecotLmtp: Debian's Dovecot LMTP server (dovecot-core + dovecot-lmtpd) started in the foreground
// with its own dovecot.conf in a temp dir, delivering to Maildirs the test reads. The LMTP backend of
// integration tests; stands where transport_maps / relayhost point with lmtp:inet:... or lmtp:unix:...
package org.postern.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * <pre>{@code
 * try (DovecotLmtp lmtp = DovecotLmtp.builder().users("alice", "bob@example.test").quota("carol", 1024, false).start()) {
 *     transport.deliver(message, Destination.lmtp(lmtp.host(), lmtp.port()));   // or Destination.lmtp(lmtp.socket())
 *     lmtp.awaitMessages("alice", 1, Duration.ofSeconds(10));
 * }}</pre>
 * Users are full addresses: LMTP {@code RCPT TO:<alice@example.test>} names user "alice@example.test"
 * (auth_username_format = %Lu, so the local part and domain are matched without regard to case). A
 * name without '@' given to any method here means that name at {@link Builder#domain} (default
 * example.test). Unknown users are refused at RCPT with 550 5.1.1. Dovecot stores messages with LF
 * line ends and prepends Return-Path, Received and (for a one-recipient transaction) Delivered-To.
 * As root, Dovecot's services run as dovecot/dovenull and mail is written as postfix (or nobody);
 * otherwise everything runs as the current user.
 */
public final class DovecotLmtp implements AutoCloseable {
    /** Greeting name (Dovecot's hostname setting), checked so a foreign server on the port is not mistaken. */
    public static final String HOSTNAME = "dovecot-lmtp.test";
    private static final int MAX_SOCKET_PATH = 100;
    private static final String LMTP_EXECUTABLE = "/usr/lib/dovecot/lmtp";

    private final Path dir;
    private final int port;
    private final String domain;
    private final DovecotConfig.MailOwner owner;
    private final Map<String, Long> users; // address -> quota in bytes, or null
    private final Set<String> tempfail;
    private final String conf;
    private final RunningProgram program;

    private DovecotLmtp(Path exe, Builder b, Path dir, int port, DovecotConfig.MailOwner owner) {
        this.dir = dir;
        this.port = port;
        this.domain = b.domain;
        this.owner = owner;
        this.users = new LinkedHashMap<>(b.users);
        this.tempfail = Set.copyOf(b.tempfail);
        this.conf = DovecotConfig.render(dir, port, owner, b.verbose);
        try {
            Files.createDirectories(dir.resolve("base"));
            Files.createDirectories(dir.resolve("state"));
            for (String u : users.keySet()) {
                Path home = home(u);
                Files.createDirectories(home);
                owner.chown(home);
            }
            writePasswd();
            Files.writeString(dir.resolve("dovecot.conf"), conf, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dir, e);
        }
        this.program = RunningProgram.start(List.of(exe.toString(), "-F", "-c", dir.resolve("dovecot.conf").toString()),
                Map.of(), true, 8192, 8192, null);
    }

    public static Builder builder() {
        return new Builder();
    }

    public String host() { return "127.0.0.1"; }
    public int port() { return port; }
    /** The LMTP UNIX-domain socket (mode 0666). */
    public Path socket() { return dir.resolve("base").resolve("lmtp"); }
    public long pid() { return program.pid(); }
    /** The temp dir holding dovecot.conf, passwd, base/, state/, home/ and dovecot.log. */
    public Path directory() { return dir; }
    public Path logFile() { return dir.resolve("dovecot.log"); }

    /** {@code user} as Dovecot knows it: lower case, with {@code @domain} added when it has no '@'. */
    public String address(String user) {
        String u = user.toLowerCase(Locale.ROOT);
        return u.indexOf('@') >= 0 ? u : u + "@" + domain;
    }

    public Path home(String user) {
        return dir.resolve("home").resolve(address(user));
    }

    /** mail_location = maildir:~/Maildir (it exists after the user's first delivery). */
    public Path maildir(String user) {
        String a = address(user);
        if (!users.containsKey(a)) throw new IllegalArgumentException("not a user of this Dovecot: " + a + " (users: " + users.keySet() + ")");
        return home(a).resolve("Maildir");
    }

    /** The INBOX messages (files in Maildir new/ and cur/, complete: Dovecot writes in tmp/ and renames), oldest first. */
    public List<Path> messages(String user) {
        Path md = maildir(user);
        List<Path> out = new ArrayList<>();
        for (String sub : List.of("new", "cur")) {
            Path d = md.resolve(sub);
            if (!Files.isDirectory(d)) continue;
            try (Stream<Path> s = Files.list(d)) {
                s.filter(Files::isRegularFile).forEach(out::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + d, e);
            }
        }
        out.sort(Comparator.comparing((Path p) -> mtime(p)).thenComparing(p -> p.getFileName().toString()));
        return out;
    }

    /** Waits until {@code user}'s INBOX holds at least {@code n} messages; returns them. Fails with Dovecot's log. */
    public List<Path> awaitMessages(String user, int n, Duration timeout) {
        try {
            Await.until(n + " message(s) in " + maildir(user), timeout, () -> {
                if (!program.isAlive()) throw new AssertionError("dovecot exited");
                return messages(user).size() >= n;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + " (found " + messages(user).size() + "): " + describe(), e);
        }
        return messages(user);
    }

    /**
     * Sets {@code user}'s quota to {@code bytes} (its tempfail choice stays) and returns once Dovecot's
     * userdb answers with it: the passwd-file driver re-reads a changed file at most once a second, so
     * this polls {@code doveadm user} (about a second at worst). To lift a quota, raise it: with no rule
     * at all Dovecot would fall back to the limit stored in the Maildir's maildirsize file.
     */
    public synchronized void quota(String user, long bytes) {
        String a = address(user);
        if (!users.containsKey(a)) throw new IllegalArgumentException("not a user of this Dovecot: " + a);
        users.put(a, bytes);
        try {
            writePasswd();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + dir.resolve("passwd"), e);
        }
        String rule = DovecotConfig.quotaRule(bytes);
        Path doveadm = Assumptions.requireCommand("doveadm");
        Await.until("Dovecot's userdb to give " + a + " quota_rule " + rule, Duration.ofSeconds(10), () -> ExternalCommand
                .of(doveadm.toString(), "-c", dir.resolve("dovecot.conf").toString(), "user", "-f", "quota_rule", a)
                .timeout(Duration.ofSeconds(5)).run().requireSuccess().stdout().strip().equals(rule));
    }

    /** Writes passwd (passdb and userdb) atomically: a new file renamed over the old one. */
    private void writePasswd() throws IOException {
        StringBuilder passwd = new StringBuilder();
        users.forEach((u, quota) -> passwd.append(DovecotConfig.passwdLine(u, owner, home(u), quota, tempfail.contains(u))));
        Path tmp = dir.resolve("passwd.new");
        Files.writeString(tmp, passwd.toString(), StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve("passwd"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Waits until Dovecot's log holds {@code text}; returns the log. Dovecot's log process writes a line
     * some time after the delivery it reports (the mail can be in the Maildir before its line is logged).
     */
    public String awaitLog(String text, Duration timeout) {
        return awaitLog(text, 1, timeout);
    }

    /** Waits until Dovecot's log holds {@code text} at least {@code times} times; returns the log. */
    public String awaitLog(String text, int times, Duration timeout) {
        try {
            Await.until(times + " x \"" + text + "\" in " + logFile(), timeout,
                    () -> log().split(Pattern.quote(text), -1).length - 1 >= times);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + describe(), e);
        }
        return log();
    }

    /** Dovecot's log file (Info lines "saved mail to INBOX", quota and auth errors). */
    public String log() {
        try {
            return Files.exists(logFile()) ? Files.readString(logFile(), StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + logFile(), e);
        }
    }

    /** Command line, state, output, dovecot.conf and the tail of the log, for failure messages. */
    public String describe() {
        String l = log();
        return program.describe() + "\n  dovecot.conf:\n    " + conf.strip().replace("\n", "\n    ")
                + "\n  dovecot.log (tail):\n    " + (l.length() > 3000 ? "[...]" + l.substring(l.length() - 3000) : l)
                .strip().replace("\n", "\n    ");
    }

    /** TERMs the master (it stops its children), then deletes the temp dir. */
    @Override
    public void close() {
        try {
            program.close();
        } finally {
            SharedDirs.deleteTree(dir);
        }
    }

    /** Users and quotas; {@link #start()} launches Dovecot and waits for its LMTP greeting. */
    public static final class Builder {
        private String domain = "example.test";
        private final List<String> names = new ArrayList<>();
        private final Map<String, Long> quotas = new LinkedHashMap<>();
        private final List<String> tempfailNames = new ArrayList<>();
        private boolean verbose;
        private Duration startTimeout = Duration.ofSeconds(20);
        // resolved in start()
        private final Map<String, Long> users = new LinkedHashMap<>();
        private final List<String> tempfail = new ArrayList<>();

        private Builder() {}

        /** Domain added to user names without '@' (default example.test). */
        public Builder domain(String domain) { this.domain = domain.toLowerCase(Locale.ROOT); return this; }

        /** Known users: "alice" (= alice@domain) or "alice@example.test". Everyone else gets 550 5.1.1 at RCPT. */
        public Builder users(String... users) { names.addAll(List.of(users)); return this; }

        /**
         * {@code user} (added if not yet known) may store at most {@code bytes} (Dovecot quota plugin,
         * quota_rule = *:storage=&lt;bytes&gt;B). A delivery that exceeds it is refused for that recipient at
         * end of data: 552 5.2.2, or with {@code tempfail} (quota_full_tempfail = yes) 452 4.2.2.
         */
        public Builder quota(String user, long bytes, boolean tempfail) {
            quotas.put(user, bytes);
            if (tempfail) tempfailNames.add(user);
            return this;
        }

        /** auth_verbose, auth_debug and mail_debug into the log. */
        public Builder verbose() { this.verbose = true; return this; }

        public Builder startTimeout(Duration t) { this.startTimeout = t; return this; }

        public DovecotLmtp start() {
            Path exe = Assumptions.requireCommand("dovecot");
            Assumptions.requireCommand(LMTP_EXECUTABLE); // Debian's dovecot-lmtpd
            users.clear();
            tempfail.clear();
            for (String n : names) users.put(normalise(n), null);
            quotas.forEach((n, q) -> users.put(normalise(n), q));
            tempfailNames.forEach(n -> tempfail.add(normalise(n)));
            if (users.isEmpty()) throw new IllegalStateException("DovecotLmtp needs at least one user");
            DovecotConfig.MailOwner owner = DovecotConfig.MailOwner.forThisProcess();
            AssertionError last = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                Path dir = createDir(owner);
                DovecotLmtp d = new DovecotLmtp(exe, this, dir, FreePort.next(), owner);
                try {
                    d.awaitGreeting(startTimeout);
                    return d;
                } catch (AssertionError e) {
                    last = e;
                    String out = d.describe();
                    d.close();
                    if (!out.contains("Address already in use")) break;
                }
            }
            throw last;
        }

        private String normalise(String user) {
            String u = user.toLowerCase(Locale.ROOT);
            if (u.isEmpty() || u.contains(":") || u.contains("/") || u.chars().anyMatch(c -> c <= ' ')) {
                throw new IllegalArgumentException("bad user name for Dovecot: \"" + user + "\"");
            }
            return u.indexOf('@') >= 0 ? u : u + "@" + domain;
        }

        /** A temp dir others can traverse (mail is written as another uid when root); short enough for socket paths. */
        private static Path createDir(DovecotConfig.MailOwner owner) {
            try {
                Path dir = Files.createTempDirectory("dovecot-lmtp-").toAbsolutePath();
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
                Path sock = dir.resolve("base").resolve("lmtp");
                if (sock.toString().length() > MAX_SOCKET_PATH) {
                    SharedDirs.deleteTree(dir);
                    throw new IllegalStateException("the UNIX socket path " + sock + " is too long for AF_UNIX; "
                            + "point java.io.tmpdir at a shorter directory");
                }
                try {
                    Files.createDirectories(dir.resolve("home"));
                    Files.setPosixFilePermissions(dir.resolve("home"), PosixFilePermissions.fromString("rwxr-xr-x"));
                    owner.checkReachable(dir);
                } catch (IOException | RuntimeException e) {
                    SharedDirs.deleteTree(dir);
                    throw e;
                }
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a temporary directory", e);
            }
        }
    }

    /** Connects until Dovecot greets "220 dovecot-lmtp.test ..." on the TCP listener and the UNIX socket exists. */
    private void awaitGreeting(Duration timeout) {
        try {
            Await.until("Dovecot LMTP to greet as " + HOSTNAME + " on 127.0.0.1:" + port, timeout, () -> {
                if (!program.isAlive()) {
                    program.drain();
                    throw new AssertionError("dovecot exited during start-up");
                }
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                    s.setSoTimeout(2000);
                    String greeting = readLine(s.getInputStream());
                    if (!greeting.startsWith("220 " + HOSTNAME + " ")) throw new IOException("unexpected greeting: " + greeting);
                    s.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                return Files.exists(socket());
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + describe(), e);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n' && sb.length() < 1000) sb.append((char) c);
        return sb.toString().strip();
    }

    private static long mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }
}
