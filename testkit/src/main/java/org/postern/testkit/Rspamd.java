// Rspamd: Debian's rspamd started in the foreground for integration tests -- its stock rules from
// /etc/rspamd, but its own config tree, normal worker on 127.0.0.1:<free port> and DIR/run/normal.sock, log file, and every
// module that would query DNS or the network switched off. Test support only; vscan_rspamd_url points at it.
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * <pre>{@code
 * try (Rspamd rspamd = Rspamd.builder().start()) {
 *     config = config.withOverrides(Map.of("vscan_rspamd_url", rspamd.url()));
 *     ...
 *     rspamd.stop();      // outage: connections are refused
 *     rspamd.restart();   // same port and config, ready again
 * }}</pre>
 * The config tree (see {@link #directory()}) holds {@code rspamd.conf}, which includes Debian's
 * {@code $CONFDIR/common.conf} (all stock rules, scores and actions: reject at 15, add header at 6,
 * greylist at 4), {@code override.d/} with this class's switches, and {@code local.d/} for a test's
 * additions ({@link Builder#local}). Only the normal worker runs: no controller, proxy or fuzzy worker,
 * no redis (Bayes, neural, ratelimit, greylist, reputation stay off). Switched off because they ask
 * DNS or fetch over HTTP: the C modules dkim and fuzzy_check ({@code options.filters}), rbl (with
 * the surbl and emails rules rspamd converts into it), asn, spf, dmarc, arc, dkim_signing,
 * once_received (PTR lookup), phishing, multimap, mime_types, mid, whitelist, and hfilter's HELO,
 * MAIL FROM, URL and Message-ID host checks (its hostname and recipient checks stay). The resolver
 * is a closed loopback UDP port with a 100 ms timeout, so a lookup that still happens fails at once.
 * GTUBE still gives action reject (a pre-result: score = required = 15).
 *
 * <p>The first start on a machine compiles hyperscan databases (10 to 40 s on a busy machine); they are cached in a
 * directory shared by every instance ({@link Builder#cacheDirectory}), so later starts take about a
 * second. As root, rspamd runs as {@code _rspamd} (-u/-g), else as the calling user.
 */
public final class Rspamd implements AutoCloseable {
    /** The Queue-Id of the scan every (re)start makes; it shows up in {@link #scanLog()}. */
    public static final String WARM_UP_QUEUE_ID = "testkit-warm-up";

    /**
     * Every running instance. rspamd's workers outlive a main process that is killed (RunningProgram's
     * JVM-exit reaper sends KILL to the main process only), so a test that forgets close() would leave
     * them behind: this hook kills the workers too.
     */
    private static final Set<Rspamd> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Rspamd::killAll), "testkit-rspamd-reaper"));
    }

    private final Path dir;
    private final int port;
    private final List<String> command;
    private final Duration startTimeout;
    private volatile RunningProgram program;
    /** The main process's children (workers, hs_helper) as seen once rspamd was ready. */
    private volatile List<ProcessHandle> children = List.of();

    private Rspamd(Path dir, int port, List<String> command, Duration startTimeout) {
        this.dir = dir;
        this.port = port;
        this.command = List.copyOf(command);
        this.startTimeout = startTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String host() { return "127.0.0.1"; }
    public int port() { return port; }
    /** "http://127.0.0.1:PORT", the value for vscan_rspamd_url. */
    public String url() { return "http://" + host() + ":" + port; }
    /** "unix:DIR/run/normal.sock": the same worker over its UNIX socket, also a value for vscan_rspamd_url. */
    public String socketUrl() { return "unix:" + RspamdConfigTree.socket(dir); }
    /** The config tree (rspamd.conf, local.d/, override.d/, db/, run/, log/). */
    public Path directory() { return dir; }
    public Path logFile() { return dir.resolve("log/rspamd.log"); }

    /** rspamd's log so far ("" before the first line). */
    public String log() {
        try {
            return Files.exists(logFile()) ? Files.readString(logFile(), StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + logFile(), e);
        }
    }

    /**
     * One line per message rspamd scanned, oldest first, as its task log writes it: "id: &lt;mid&gt;,
     * qid: &lt;queue id&gt;, ip: ..., user: ..., from: &lt;...&gt;, (default: F (no action): [score/required]
     * [SYMBOLS]), len: ..., time: ..., dns req: N, ..., rcpts: &lt;...&gt;".
     */
    public List<String> scanLog() {
        List<String> out = new ArrayList<>();
        for (String line : log().split("\n")) {
            int at = line.indexOf("rspamd_task_write_log: ");
            if (at >= 0) out.add(line.substring(at + "rspamd_task_write_log: ".length()));
        }
        return out;
    }

    public synchronized boolean isRunning() {
        return program != null && program.isAlive();
    }

    /** The main process's pid; IllegalStateException while stopped. */
    public synchronized long pid() {
        if (program == null) throw new IllegalStateException("rspamd is stopped");
        return program.pid();
    }

    /** Stops rspamd (TERM, then KILL) and waits until its port refuses connections. Idempotent. */
    public synchronized void stop() {
        if (program == null) return;
        program.close();
        program = null;
        children.forEach(ProcessHandle::destroyForcibly); // normally gone with the main process already
        children = List.of();
        LIVE.remove(this);
        Await.until("rspamd's port 127.0.0.1:" + port + " to close", Duration.ofSeconds(10), () -> !accepts(port));
    }

    /** Stops rspamd if it runs, then starts it again on the same port with the same config; waits for /ping. */
    public synchronized void restart() {
        stop();
        AssertionError last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int logStart = log().length();
            program = RunningProgram.start(command, Map.of(), true, 8192, 16384, null);
            try {
                awaitPong();
                awaitRegexpDatabase(logStart);
                warmUp();
                children = program.process().descendants().toList();
                LIVE.add(this);
                return;
            } catch (AssertionError e) {
                last = e;
                program.close();
                program = null;
                String log = log();
                if (!log.substring(Math.min(logStart, log.length())).contains("Address already in use")) break;
                Await.until("127.0.0.1:" + port + " to be free", Duration.ofSeconds(5), () -> !accepts(port));
            }
        }
        throw last;
    }

    /** Command, state, output and the log's tail: for failure messages. */
    public synchronized String describe() {
        String log = log();
        String tail = log.length() > 4000 ? log.substring(log.length() - 4000) : log;
        return (program == null ? String.join(" ", command) + "\n  state: stopped" : program.describe())
                + "\n  " + logFile() + " (tail):\n" + tail;
    }

    /** Stops rspamd and deletes its config tree (the shared hyperscan cache stays). */
    @Override
    public void close() {
        try {
            stop();
        } finally {
            SharedDirs.deleteTree(dir);
        }
    }

    /** At JVM exit: KILL the main process and the workers known; delete the config tree. */
    private void killAll() {
        RunningProgram p = program;
        if (p != null) {
            p.process().descendants().forEach(ProcessHandle::destroyForcibly);
            p.process().destroyForcibly();
        }
        children.forEach(ProcessHandle::destroyForcibly);
        SharedDirs.deleteTree(dir);
    }

    /** GET /ping until "pong" (rspamd's normal worker answers it once it accepts scans). */
    private void awaitPong() {
        Await.until("rspamd to answer GET /ping on 127.0.0.1:" + port, startTimeout, () -> {
            if (!program.isAlive()) {
                program.drain();
                throw new AssertionError("rspamd exited during start-up: " + describe());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                s.setSoTimeout(2000);
                s.getOutputStream().write("GET /ping HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String reply = readAll(s.getInputStream());
                return reply.startsWith("HTTP/1.") && reply.contains(" 200 ") && reply.contains("pong")
                        && Files.exists(RspamdConfigTree.socket(dir));
            }
        });
    }

    /**
     * With hyperscan (x86 with SSSE3), rspamd answers before its regexp database is complete: a cold
     * cache is compiled by the hs_helper process while the worker falls back to PCRE, which makes the
     * first scans slow. Waits (bounded by the start timeout, then carries on) until rspamd logs the
     * full database loaded; without hyperscan there is nothing to wait for.
     */
    private void awaitRegexpDatabase(int logStart) {
        try {
            Await.until("rspamd's full regexp database", startTimeout, () -> {
                if (!program.isAlive()) return true; // start() reports a dead rspamd itself
                String log = log();
                String since = log.length() >= logStart ? log.substring(logStart) : log;
                return !since.contains("loaded hyperscan engine") || since.contains("full hyperscan database");
            });
        } catch (AssertionError slow) {
            // still compiling: carry on with PCRE, only slower (documented above)
        }
    }

    /**
     * Scans one small message (Queue-Id {@value #WARM_UP_QUEUE_ID}): the worker's first task pays for
     * lazy start-up work (about half a second), which would otherwise land on a test's first scan.
     */
    private void warmUp() {
        byte[] msg = ("From: warm-up@testkit.invalid\r\nTo: warm-up@testkit.invalid\r\nSubject: warm-up\r\n"
                + "Message-ID: <warm-up@testkit.invalid>\r\n\r\nwarm-up\r\n").getBytes(StandardCharsets.US_ASCII);
        String head = "POST /checkv2 HTTP/1.0\r\nQueue-Id: " + WARM_UP_QUEUE_ID + "\r\nIP: 127.0.0.1\r\n"
                + "Content-Length: " + msg.length + "\r\n\r\n";
        String reply;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, startTimeout.toMillis()));
            s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write(msg);
            reply = readAll(s.getInputStream());
        } catch (IOException e) {
            throw new AssertionError("rspamd on 127.0.0.1:" + port + " failed its warm-up scan: " + e + "\n"
                    + describe(), e);
        }
        if (!reply.contains(" 200 ") || !reply.contains("\"action\"")) {
            throw new AssertionError("rspamd on 127.0.0.1:" + port + " answered its warm-up scan with: "
                    + reply + "\n" + describe());
        }
    }

    private static String readAll(InputStream in) throws IOException {
        byte[] b = in.readNBytes(4096);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Options; {@link #start()} writes the config tree, launches rspamd and waits for /ping. */
    public static final class Builder {
        private int port;
        private Duration startTimeout = Duration.ofSeconds(90);
        private Path cacheDir;
        private final Map<String, String> local = new LinkedHashMap<>();
        private final Map<String, String> override = new LinkedHashMap<>();

        private Builder() {}

        /** A fixed port (default: a free one). */
        public Builder port(int port) { this.port = port; return this; }

        /** Limit for start-up (default 90 s: a cold hyperscan cache on a busy machine). */
        public Builder startTimeout(Duration t) { this.startTimeout = t; return this; }

        /**
         * Where compiled hyperscan databases are kept between runs (rspamd's hs_cache_dir). Default: a
         * directory below java.io.tmpdir shared by every Rspamd of this user (rspamd writes it atomically).
         */
        public Builder cacheDirectory(Path dir) { this.cacheDir = dir; return this; }

        /**
         * Adds {@code local.d/<file>}, merged into the stock config at priority 1, e.g.
         * {@code local("actions.conf", "add_header = 3;")} or {@code local("milter_headers.conf",
         * "use = [\"x-spamd-result\"];")}. It cannot re-enable what this class switches off: see {@link #override}.
         */
        public Builder local(String file, String content) { local.put(checkName(file), content); return this; }

        /** Writes {@code override.d/<file>} (priority 10), replacing this class's file of that name, if any. */
        public Builder override(String file, String content) { override.put(checkName(file), content); return this; }

        private static String checkName(String file) {
            if (!file.matches("[A-Za-z0-9_.-]+")) throw new IllegalArgumentException("bad config file name: " + file);
            return file;
        }

        public Rspamd start() {
            Path exe = Assumptions.requireCommand("rspamd");
            AssertionError last = null;
            for (int attempt = 0; attempt < (port == 0 ? 3 : 1); attempt++) {
                int p = port == 0 ? FreePort.next() : port;
                Path dir = SharedDirs.createSharedTempDir("rspamd-");
                Rspamd r = new Rspamd(dir, p, RspamdConfigTree.command(exe, dir), startTimeout);
                try {
                    RspamdConfigTree.write(dir, p, RspamdConfigTree.cacheDir(cacheDir, dir), local, override);
                    r.restart();
                    return r;
                } catch (AssertionError e) {
                    last = e;
                    String log = r.log();
                    r.close();
                    if (!log.contains("Address already in use")) break;
                }
            }
            throw last;
        }
    }
}
