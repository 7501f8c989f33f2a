// Clamd: Debian's real clamd (clamav-daemon) started in the foreground for integration tests, with a
// tiny signature DB the kit writes (EICAR and Postern-Test-Signature), on a UNIX socket in its own temp
// dir and on 127.0.0.1:<free port>; stop()/start() for outage tests. Stands where vscan_clamd_address points.
package org.postern.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * <pre>{@code
 * try (Clamd clamd = Clamd.builder().streamMaxLength(1 << 20).start()) {
 *     config: vscan_clamd_address = clamd.tcpAddress()  (or clamd.unixAddress())
 *     clamd.stop(); ... clamd.start(); // same socket path and port
 * }}</pre>
 * Signatures ({@code .ndb} body signatures, so they match anywhere: inline, inside base64 MIME parts
 * with ScanMail, inside zip files with ScanArchive): {@link #EICAR_SIGNATURE} for the 68-byte EICAR
 * test string ({@link #eicar()}) and {@link #TEST_SIGNATURE} for {@link #TEST_MARKER}. clamd reports
 * names from a local DB with ".UNOFFICIAL" appended: {@link #EICAR_FOUND}, {@link #TEST_SIGNATURE_FOUND}.
 * clamd.conf has no User line, so clamd keeps the uid it is started with and reads the kit's own temp dir.
 * Starts in about a second (two signatures, no freshclam, no network).
 */
public final class Clamd implements AutoCloseable {
    public static final String EICAR_SIGNATURE = "Postern-EICAR-Test-Signature";
    public static final String TEST_SIGNATURE = "Postern-Test-Signature";
    /** What clamd answers for them: "stream: NAME FOUND" with NAME as below. */
    public static final String EICAR_FOUND = EICAR_SIGNATURE + ".UNOFFICIAL";
    public static final String TEST_SIGNATURE_FOUND = TEST_SIGNATURE + ".UNOFFICIAL";
    /** Text that {@link #TEST_SIGNATURE} matches wherever clamd sees it. */
    public static final String TEST_MARKER = "POSTERN-TEST-SIGNATURE-MARKER-5c1e0b7d";

    // EICAR in two halves, so no source or class file of the kit holds the whole test string (a
    // developer's own antivirus would quarantine it).
    private static final String EICAR_HEAD = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR";
    private static final String EICAR_TAIL = "-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

    private final Path dir;
    private final Path socket;
    private final Path conf;
    private final Path log;
    private final int port;
    private final Duration startTimeout;
    private RunningProgram program;

    private Clamd(Path dir, int port, Map<String, String> options, Duration startTimeout) {
        this.dir = dir;
        this.socket = dir.resolve("clamd.sock");
        this.conf = dir.resolve("clamd.conf");
        this.log = dir.resolve("clamd.log");
        this.port = port;
        this.startTimeout = startTimeout;
        StringBuilder sb = new StringBuilder("# written by org.postern.testkit.Clamd\n");
        Map<String, String> all = new LinkedHashMap<>();
        all.put("Foreground", "yes");
        all.put("LocalSocket", socket.toString());
        all.put("LocalSocketMode", "660");
        all.put("FixStaleSocket", "yes");
        all.put("TCPSocket", Integer.toString(port));
        all.put("TCPAddr", "127.0.0.1");
        all.put("DatabaseDirectory", dir.resolve("db").toString());
        all.put("TemporaryDirectory", dir.resolve("tmp").toString());
        all.put("PidFile", dir.resolve("clamd.pid").toString());
        all.put("LogFile", log.toString());
        all.put("LogTime", "yes");
        all.put("ScanMail", "yes");
        all.put("ScanArchive", "yes");
        all.put("DisableCache", "yes"); // a test may scan the same bytes twice and expect a real scan
        all.put("SelfCheck", "0");
        all.put("MaxThreads", "4");
        all.putAll(options);
        all.forEach((k, v) -> sb.append(k).append(' ').append(v).append('\n'));
        try {
            Files.createDirectories(dir.resolve("db"));
            Files.createDirectories(dir.resolve("tmp"));
            Files.writeString(dir.resolve("db").resolve("postern-test.ndb"), signatures(), StandardCharsets.US_ASCII);
            Files.writeString(conf, sb.toString(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write clamd files in " + dir, e);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The 68-byte EICAR anti-virus test string. */
    public static byte[] eicar() {
        return (EICAR_HEAD + EICAR_TAIL).getBytes(StandardCharsets.US_ASCII);
    }

    /** NAME:TARGET:OFFSET:HEXSIG lines; target 0 (any file), offset * (anywhere). */
    private static String signatures() {
        HexFormat hex = HexFormat.of();
        return EICAR_SIGNATURE + ":0:*:" + hex.formatHex(eicar()) + "\n"
                + TEST_SIGNATURE + ":0:*:" + hex.formatHex(TEST_MARKER.getBytes(StandardCharsets.US_ASCII)) + "\n";
    }

    public String host() { return "127.0.0.1"; }
    public int port() { return port; }
    /** The UNIX-domain socket (exists while clamd runs). */
    public Path socket() { return socket; }
    /** "inet:127.0.0.1:PORT", a vscan_clamd_address value. */
    public String tcpAddress() { return "inet:127.0.0.1:" + port; }
    /** "unix:/tmp/clamd-.../clamd.sock", a vscan_clamd_address value. */
    public String unixAddress() { return "unix:" + socket; }
    /** The temporary directory holding clamd.conf, db/, tmp/, clamd.log and the socket. */
    public Path directory() { return dir; }

    public synchronized boolean isRunning() {
        return program != null && program.isAlive();
    }

    public synchronized long pid() {
        if (program == null) throw new IllegalStateException("clamd is stopped");
        return program.pid();
    }

    /** Stops clamd (TERM, then KILL after 5 s); the directory, socket path and port stay for {@link #start()}. */
    public synchronized void stop() {
        if (program == null) return;
        program.close();
        program = null;
    }

    /**
     * Starts clamd again after {@link #stop()}, on the same socket path and port, and waits until it
     * answers PING on both. No-op when it runs.
     */
    public synchronized void start() {
        if (isRunning()) return;
        if (program != null) program.close();
        List<String> cmd = List.of(executable().toString(), "--config-file=" + conf);
        program = RunningProgram.start(cmd, Map.of(), true, 8192, 16384, null);
        awaitReady();
    }

    /** Sends zPING on the TCP port and on the socket; true when both answer PONG. */
    public boolean ping() {
        try {
            return pingTcp() && pingUnix();
        } catch (IOException e) {
            return false;
        }
    }

    private void awaitReady() {
        Await.until("clamd to answer PING on " + tcpAddress() + " and " + unixAddress(), startTimeout, () -> {
            if (!program.isAlive()) {
                program.drain();
                throw new AssertionError("clamd exited during start-up: " + describe());
            }
            return pingTcp() && pingUnix();
        });
    }

    private boolean pingTcp() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(2000);
            return "PONG".equals(exchange(s.getOutputStream(), s.getInputStream(), "zPING\0"));
        }
    }

    /** JDK 17 has no read timeout for UNIX-domain channels: read non-blocking under a selector, 2 s at most. */
    private boolean pingUnix() throws IOException {
        if (!Files.exists(socket)) return false;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX); Selector sel = Selector.open()) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap("zPING\0".getBytes(StandardCharsets.US_ASCII)));
            ch.configureBlocking(false);
            ch.register(sel, SelectionKey.OP_READ);
            ByteBuffer buf = ByteBuffer.allocate(64);
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (System.nanoTime() < deadline) {
                sel.select(200);
                sel.selectedKeys().clear();
                if (ch.read(buf) < 0) break;
                for (int i = 0; i < buf.position(); i++) {
                    if (buf.get(i) == 0) return "PONG".equals(new String(buf.array(), 0, i, StandardCharsets.US_ASCII));
                }
                if (!buf.hasRemaining()) break;
            }
            return false;
        }
    }

    /** Writes {@code command}, reads the reply up to its NUL. */
    private static String exchange(OutputStream out, InputStream in, String command) throws IOException {
        out.write(command.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) > 0 && sb.length() < 1000) sb.append((char) c);
        return sb.toString().strip();
    }

    /** clamd's log file (start-up lines, one line per detection or size-limit warning). */
    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + log, e);
        }
    }

    /** Command line, state, output and the tail of the log, for failure messages. */
    public synchronized String describe() {
        String l = log();
        return (program == null ? "clamd (stopped)" : program.describe()) + "\n  clamd.log (tail): "
                + (l.length() > 3000 ? "[...]" + l.substring(l.length() - 3000) : l);
    }

    @Override
    public void close() {
        try {
            stop();
        } finally {
            SharedDirs.deleteTree(dir);
        }
    }

    private static Path executable() {
        Optional<Path> exe = Assumptions.findCommand("clamd");
        if (exe.isPresent()) return exe.get();
        String msg = "'clamd' is not installed (searched PATH and /usr/local/sbin:/usr/sbin:/sbin); install the "
                + "Debian package 'clamav-daemon' (scripts/test does it when run as root)";
        if (Assumptions.inCi()) org.junit.jupiter.api.Assertions.fail("CI=true and " + msg);
        return org.junit.jupiter.api.Assumptions.abort(msg);
    }

    /** Options; {@link #start()} writes the DB and clamd.conf, launches clamd and waits for PONG. */
    public static final class Builder {
        private final Map<String, String> options = new LinkedHashMap<>();
        private Duration startTimeout = Duration.ofSeconds(30);

        private Builder() {}

        /** clamd's StreamMaxLength in bytes (clamd's default: 25 MB); beyond it INSTREAM answers "size limit exceeded". */
        public Builder streamMaxLength(long bytes) {
            if (bytes < 1) throw new IllegalArgumentException("StreamMaxLength " + bytes);
            options.put("StreamMaxLength", Long.toString(bytes));
            return this;
        }

        /** Any other clamd.conf(5) line, e.g. {@code option("AlertExceedsMax", "yes")}; replaces a kit default. */
        public Builder option(String name, String value) {
            if (!name.matches("[A-Za-z]+") || value.contains("\n")) throw new IllegalArgumentException(name + " " + value);
            options.put(name, value);
            return this;
        }

        public Builder startTimeout(Duration t) {
            this.startTimeout = t;
            return this;
        }

        public Clamd start() {
            executable();
            AssertionError last = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                Path dir = tempDir();
                Clamd c = new Clamd(dir, FreePort.next(), options, startTimeout);
                try {
                    c.start();
                    return c;
                } catch (AssertionError e) {
                    last = e;
                    String output = c.describe();
                    c.close();
                    // another process took the free port between FreePort and clamd's bind: try another
                    if (!output.contains("Address already in use")) break;
                }
            }
            throw last;
        }
    }

    /** Private to this JVM's user: clamd runs under the same uid (no User line), so it needs nothing wider. */
    private static Path tempDir() {
        try {
            // a UNIX socket path holds at most 107 bytes: fall back to /tmp when java.io.tmpdir is deep
            Path base = Path.of(System.getProperty("java.io.tmpdir"));
            return base.toAbsolutePath().toString().length() > 60
                    ? Files.createTempDirectory(Path.of("/tmp"), "clamd-") : Files.createTempDirectory("clamd-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory", e);
        }
    }

    @Override
    public String toString() {
        return "Clamd[" + tcpAddress() + ", " + unixAddress() + "]";
    }
}
