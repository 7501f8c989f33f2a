// SmtpSink: Postfix's smtp-sink(1) started on 127.0.0.1 as the "next hop" / backend of integration
// tests; counts received messages (-c) and can dump each one to a directory (-d) to read it back.
// Test support only; stands where relayhost / transport_maps point in a test's main.cf.
package org.postern.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code try (SmtpSink sink = SmtpSink.builder().dumpMessages().start()) { ... sink.awaitMessages(1, ofSeconds(10)); }}
 * smtp-sink answers 250 to every transaction, advertises PIPELINING, 8BITMIME, AUTH PLAIN LOGIN
 * (accepting any credentials), DSN; it does not offer STARTTLS. As root it runs as user postfix
 * (or nobody) via -u, so a dump directory must be reachable by that user (see {@link Builder#dumpTo}).
 */
public final class SmtpSink implements AutoCloseable {
    private static final Pattern MESG = Pattern.compile("mesg=(\\d+)");
    private static final String DUMP_PREFIX = "m.";

    private final RunningProgram program;
    private final int port;
    private final String hostname;
    private final Path dumpDir;
    private final boolean ownsDumpDir;
    private final Object lock = new Object();
    private int messages;
    private final StringBuilder pending = new StringBuilder();

    private SmtpSink(Builder b, int port, Path dumpDir, boolean ownsDumpDir) {
        this.port = port;
        this.hostname = b.hostname;
        this.dumpDir = dumpDir;
        this.ownsDumpDir = ownsDumpDir;
        List<String> cmd = new ArrayList<>();
        cmd.add(Assumptions.requireCommand("smtp-sink").toString());
        if (SharedDirs.isRoot()) cmd.addAll(List.of("-u", SharedDirs.unprivilegedUser()));
        cmd.addAll(List.of("-c", "-h", b.hostname, "-t", Long.toString(b.commandTimeout.toSeconds())));
        if (dumpDir != null) cmd.addAll(List.of("-d", dumpDir + "/" + DUMP_PREFIX));
        cmd.addAll(b.extraArgs);
        cmd.add("127.0.0.1:" + port);
        cmd.add(Integer.toString(b.backlog));
        this.program = RunningProgram.start(cmd, Map.of(), false, 4096, 16384, this::onStdout);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A sink on a free port, no dump. */
    public static SmtpSink start() {
        return builder().start();
    }

    public String host() { return "127.0.0.1"; }
    public int port() { return port; }
    public long pid() { return program.pid(); }
    /** Where messages are dumped, or null when dumping is off. */
    public Path dumpDirectory() { return dumpDir; }

    /** Transactions that ended with "." so far (smtp-sink's mesg= counter). */
    public int messageCount() {
        synchronized (lock) {
            return messages;
        }
    }

    /**
     * Waits until at least {@code n} messages arrived (and, when dumping, {@code n} dump files exist).
     * Throws an AssertionError with smtp-sink's output when {@code timeout} runs out or it died.
     */
    public void awaitMessages(int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (messages < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !program.isAlive()) throw timeoutError(n, timeout);
                try {
                    lock.wait(Math.max(1, Math.min(left / 1_000_000, 200)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting for messages", e);
                }
            }
        }
        if (dumpDir == null) return;
        Await.until(n + " messages dumped by smtp-sink on port " + port,
                Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), () -> dumpFiles().size() >= n);
    }

    private AssertionError timeoutError(int n, Duration timeout) {
        return new AssertionError("smtp-sink on 127.0.0.1:" + port + " got " + messageCount() + " of " + n
                + " expected message(s) within " + timeout.toMillis() + " ms: " + program.describe());
    }

    /** The dumped messages, oldest first. Requires {@link Builder#dumpMessages()} or {@link Builder#dumpTo}. */
    public List<SinkMessage> messages() {
        if (dumpDir == null) throw new IllegalStateException("smtp-sink was started without a dump directory");
        List<SinkMessage> out = new ArrayList<>();
        for (Path f : dumpFiles()) out.add(SinkMessage.parse(f));
        return out;
    }

    private List<Path> dumpFiles() {
        try (Stream<Path> s = Files.list(dumpDir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(DUMP_PREFIX))
                    .sorted(Comparator.comparing(SmtpSink::mtime).thenComparing(Path::toString))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dumpDir, e);
        }
    }

    private static long mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    /** smtp-sink -c writes "sess=N quit=N mesg=N\r" whenever a counter changes. */
    private void onStdout(byte[] buf, int n) {
        String chunk = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
        synchronized (lock) {
            pending.append(chunk);
            int end;
            while ((end = indexOfLineEnd(pending)) >= 0) {
                Matcher m = MESG.matcher(pending.substring(0, end));
                if (m.find()) messages = Math.max(messages, Integer.parseInt(m.group(1)));
                pending.delete(0, end + 1);
            }
            if (pending.length() > 4096) pending.setLength(0);
            lock.notifyAll();
        }
    }

    private static int indexOfLineEnd(CharSequence s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) == '\r' || s.charAt(i) == '\n') return i;
        return -1;
    }

    /** smtp-sink's command line, state and output tail. */
    public String describe() {
        return program.describe();
    }

    @Override
    public void close() {
        program.close();
        if (ownsDumpDir) SharedDirs.deleteTree(dumpDir);
    }

    /** Options; {@link #start()} launches and waits until the sink greets on its port. */
    public static final class Builder {
        private int port;
        private Path dumpDir;
        private boolean dumpOwn;
        private String hostname = "smtp-sink.test";
        private int backlog = 256;
        private Duration commandTimeout = Duration.ofSeconds(100);
        private Duration startTimeout = Duration.ofSeconds(10);
        private final List<String> extraArgs = new ArrayList<>();

        private Builder() {}

        /** A fixed port (default: a free one, chosen again if the bind fails). */
        public Builder port(int port) { this.port = port; return this; }

        /** Dump into a fresh directory the sink creates and deletes on close. */
        public Builder dumpMessages() { this.dumpOwn = true; this.dumpDir = null; return this; }

        /**
         * Dump into {@code dir} (created if missing, kept on close). As root the directory is made
         * world-writable and o+x is added to its parents below java.io.tmpdir (e.g. a JUnit @TempDir),
         * since smtp-sink writes as an unprivileged user.
         */
        public Builder dumpTo(Path dir) { this.dumpDir = dir; this.dumpOwn = false; return this; }

        /** Name in the greeting and EHLO reply (-h); default smtp-sink.test. */
        public Builder hostname(String hostname) { this.hostname = hostname; return this; }
        public Builder backlog(int backlog) { this.backlog = backlog; return this; }
        /** smtp-sink -t: time limit per command/response (default 100 s). */
        public Builder commandTimeout(Duration t) { this.commandTimeout = t; return this; }
        public Builder startTimeout(Duration t) { this.startTimeout = t; return this; }

        /** More smtp-sink options, e.g. {@code "-r", "RCPT"} (soft-reject RCPT) or {@code "-f", "DATA"}. */
        public Builder args(String... args) { extraArgs.addAll(List.of(args)); return this; }

        public SmtpSink start() {
            Assumptions.requireCommand("smtp-sink");
            Path dir = dumpOwn ? SharedDirs.createSharedTempDir("smtp-sink-") : dumpDir;
            if (dir != null && !dumpOwn) SharedDirs.prepareSharedDir(dir);
            int attempts = port == 0 ? 3 : 1;
            AssertionError last = null;
            for (int i = 0; i < attempts; i++) {
                int p = port == 0 ? FreePort.next() : port;
                SmtpSink sink = new SmtpSink(this, p, dir, dumpOwn);
                try {
                    sink.awaitGreeting(startTimeout);
                    return sink;
                } catch (AssertionError e) {
                    sink.program.close();
                    last = e;
                    if (!sink.program.stderr().text().contains("Address already in use")) break;
                }
            }
            if (dumpOwn) SharedDirs.deleteTree(dir);
            throw last;
        }
    }

    /** Connects until smtp-sink greets with its own hostname (so a foreign server on the port is not mistaken). */
    private void awaitGreeting(Duration timeout) {
        Await.until("smtp-sink to greet as " + hostname + " on 127.0.0.1:" + port, timeout, () -> {
            if (!program.isAlive()) {
                program.drain();
                throw new AssertionError("smtp-sink exited during start-up: " + program.describe());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                s.setSoTimeout(2000);
                String greeting = readLine(s.getInputStream());
                if (!greeting.startsWith("220 ") || !greeting.contains(hostname)) {
                    throw new IOException("unexpected greeting: " + greeting);
                }
                s.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                return true;
            }
        });
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n' && sb.length() < 1000) sb.append((char) c);
        return sb.toString().strip();
    }
}
