// GatewayHarness: starts a real Gateway in-process on loopback with a main.cf/master.cf written by
// the test into a temporary config directory, and gives access to its spool. For smtpd tests.
package org.postern.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.postern.core.QuarantineStore;
import org.postern.gateway.queue.QueueFile;
import org.postern.policies.conf.Config;
import org.postern.testkit.FreePort;
import org.postern.testkit.RawSmtpClient;

public final class GatewayHarness implements AutoCloseable {
    public final Path dir;
    public final int port;
    public final Vertx vertx;
    public final Gateway gateway;

    private GatewayHarness(Path dir, int port, Vertx vertx, Gateway gateway) {
        this.dir = dir;
        this.port = port;
        this.vertx = vertx;
        this.gateway = gateway;
    }

    /** Base main.cf for tests: local spool, fast error handling, example.test relayed. */
    public static String baseMainCf(Path dir) {
        return String.join("\n",
                "myhostname = mx.postern.test",
                "queue_directory = " + dir.resolve("spool"),
                "data_directory = " + dir.resolve("data"),
                "mynetworks = 127.0.0.1/32",
                "relay_domains = example.test",
                "mydestination = $myhostname, localhost",
                "smtpd_pregreet_wait = 0",
                "smtpd_error_sleep_time = 0",
                "smtpd_peername_lookup = no",
                "");
    }

    public static GatewayHarness start(Path dir, String extraMainCf, String... masterCfOptions) throws Exception {
        return start(dir, false, extraMainCf, masterCfOptions);
    }

    /** As {@link #start}, with master.cf's qmgr line: accepted mail is scanned and delivered (relayhost, transport_maps). */
    public static GatewayHarness startWithBackend(Path dir, String extraMainCf, String... masterCfOptions) throws Exception {
        return start(dir, true, extraMainCf, masterCfOptions);
    }

    /** As {@link #startWithBackend}, quarantining into {@code store} (made by {@code makeStore} on the gateway's Vert.x). */
    public static GatewayHarness startWithBackend(Path dir, java.util.function.Function<Vertx, QuarantineStore> makeStore,
                                                  String extraMainCf, String... masterCfOptions) throws Exception {
        return start(dir, true, makeStore, extraMainCf, masterCfOptions);
    }

    private static GatewayHarness start(Path dir, boolean backend, String extraMainCf, String... masterCfOptions)
            throws Exception {
        return start(dir, backend, v -> null, extraMainCf, masterCfOptions);
    }

    private static GatewayHarness start(Path dir, boolean backend, java.util.function.Function<Vertx, QuarantineStore> makeStore,
                                        String extraMainCf, String... masterCfOptions) throws Exception {
        int port = FreePort.next();
        Files.writeString(dir.resolve("main.cf"), baseMainCf(dir) + extraMainCf + "\n");
        StringBuilder master = new StringBuilder(backend ? "qmgr unix n - n 300 1 qmgr\n" : "");
        master.append("127.0.0.1:" + port + " inet n - n - - smtpd\n");
        for (String o : masterCfOptions) master.append("  -o ").append(o).append('\n');
        Files.writeString(dir.resolve("master.cf"), master.toString());
        BlockedThreadWatch.install().drain();
        Config config = Config.load(dir);
        // Invariant 4: a blocked event loop fails loudly in tests.
        Vertx vertx = Vertx.vertx(new VertxOptions().setMaxEventLoopExecuteTime(200)
                .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS).setBlockedThreadCheckInterval(100)
                .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS));
        QuarantineStore store = makeStore.apply(vertx);
        Gateway gw = Gateway.start(vertx, config, java.time.Clock.systemDefaultZone(), store)
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return new GatewayHarness(dir, port, vertx, gw);
    }

    /** A raw client on this gateway's port that has read the 220 greeting (fails otherwise). */
    public RawSmtpClient connectGreeted() throws IOException {
        RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", port, Duration.ofSeconds(10));
        RawSmtpClient.Reply greeting = c.readReply();
        if (greeting.code() != 220) throw new AssertionError("expected a 220 greeting, got " + greeting);
        return c;
    }

    public Path spool() {
        return dir.resolve("spool");
    }

    /** Committed messages in queue {@code q} (dot files excluded). */
    public List<String> queued(org.postern.gateway.queue.QueueName q) throws IOException {
        Path d = spool().resolve(q.dirName());
        if (!Files.isDirectory(d)) return List.of();
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    /** Every file under incoming/ (committed messages and any temporary file). */
    public List<Path> incomingFiles() throws IOException {
        try (Stream<Path> s = Files.list(spool().resolve("incoming"))) {
            return s.sorted().toList();
        }
    }

    public List<QueueFile> incomingMessages() throws IOException {
        List<QueueFile> out = new ArrayList<>();
        for (Path p : incomingFiles()) {
            if (!p.getFileName().toString().startsWith(".")) out.add(QueueFile.read(p));
        }
        return out;
    }

    public static String content(QueueFile q) throws IOException {
        try (var in = q.openContent()) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    public void stop(Duration grace) throws Exception {
        gateway.stop(grace).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        try {
            stop(Duration.ofSeconds(1));
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        List<String> blocked = BlockedThreadWatch.install().drain();
        if (!blocked.isEmpty()) throw new AssertionError("an event loop was blocked (invariant 4): " + blocked);
    }
}
