// ReleaseFixture: a real quarantine store and spool in a temporary directory for the release tests -- quarantines
// a message, runs releases (some left hanging, as if killed), runs the purge and counts the copies in the queue.
// Test support for QuarantineReleaseTest and StagedReleasesTest.
package org.postern.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.postern.core.ClientInfo;
import org.postern.core.Envelope;
import org.postern.core.Origin;
import org.postern.core.QuarantineStore;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.postern.gateway.queue.QueueFile;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.Spool;
import org.postern.quarantine.store.QuarantineRefusal;
import org.postern.quarantine.store.RecipientState;
import org.postern.quarantine.store.RecipientStatus;
import org.postern.quarantine.store.SqliteQuarantine;
import org.postern.testkit.MutableClock;

final class ReleaseFixture implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final byte[] CONTENT = "Subject: held\r\n\r\nEICAR would be here\r\n".getBytes(StandardCharsets.US_ASCII);

    final Path queueDirectory;
    final Vertx vertx = Vertx.vertx();
    final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
    final SqliteQuarantine store;
    /** Lets the releases a test left hanging (as if killed) go at the end. */
    final CountDownLatch teardown = new CountDownLatch(1);
    private final List<CompletableFuture<?>> hanging = new ArrayList<>();

    ReleaseFixture(Path root) throws Exception {
        queueDirectory = root.resolve("spool");
        Spool.open(queueDirectory); // the gateway's spool, as it starts
        store = await(SqliteQuarantine.open(vertx, queueDirectory.resolve("quarantine"), root.resolve("data/quarantine.db"),
                Duration.ofDays(30), clock));
    }

    @Override
    public void close() throws Exception {
        teardown.countDown();
        for (CompletableFuture<?> f : hanging) {
            try {
                f.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException ended) {
                // what a "killed" release does after the test is of no interest
            }
        }
        await(store.close());
        await(vertx.close());
    }

    /** The spool as another process (the release command, the gateway's purge) attaches it. */
    Spool spool() throws IOException {
        return Spool.attach(queueDirectory);
    }

    QuarantineRelease release(QuarantineRelease.Hooks hooks) throws IOException {
        return new QuarantineRelease(vertx, store, spool(), clock, hooks);
    }

    /** A release of every recipient, with {@code hooks}, in the background: one that a hook stops stands for a killed one. */
    CompletableFuture<QuarantineRelease.Outcome> hang(String id, QuarantineRelease.Hooks hooks) throws IOException {
        QuarantineRelease r = release(hooks);
        CompletableFuture<QuarantineRelease.Outcome> f = CompletableFuture.supplyAsync(() -> {
            try {
                return r.run(id, Optional.empty(), "admin", Duration.ofDays(1));
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        hanging.add(f);
        return f;
    }

    /** Stands for the process being killed at a hook: nothing after it runs while the test looks. */
    void die() throws IOException {
        awaitQuietly(teardown);
        throw new IOException("killed");
    }

    /** The gateway's hourly purge (or `postern quarantine purge`): the recovery of interrupted releases first. */
    int purge() throws Exception {
        return await(QuarantineSetup.purge(vertx, store, spool(), clock));
    }

    String quarantine(String... rcpts) throws Exception {
        List<Recipient> recipients = Arrays.stream(rcpts).map(Recipient::of).toList();
        Envelope env = new Envelope(new QueueId("3F2A61C0A1B"), Instant.parse("2026-11-21T11:59:00Z"),
                new ClientInfo("unknown", "192.0.2.7", 40000, "client.test", "ESMTP", null, null, null, null),
                "sender@client.test", recipients, -1, Envelope.BodyType.SEVEN_BIT, false, null, null, null);
        QuarantineStore.Item item = new QuarantineStore.Item(env, List.of(rcpts), "held", CONTENT.length, "infected",
                "Eicar-Signature", null, List.of(), "clamav=Eicar-Signature", Origin.builtin("vscan_infected_action"));
        return await(store.quarantine(item, () -> new ByteArrayInputStream(CONTENT)));
    }

    /** The released copies the gateway would deliver: committed files in incoming/, active/ or deferred/. */
    List<QueueId> copies() throws IOException {
        Spool spool = spool();
        List<QueueId> out = new ArrayList<>();
        for (QueueName q : List.of(QueueName.INCOMING, QueueName.ACTIVE, QueueName.DEFERRED)) {
            for (QueueId id : spool.ids(q)) {
                try (var in = QueueFile.read(spool.file(q, id)).openContent()) {
                    assertThat(in.readAllBytes()).isEqualTo(CONTENT);
                }
                out.add(id);
            }
        }
        return out;
    }

    List<QueueId> staged() throws IOException {
        return spool().ids(QueueName.HOLD);
    }

    List<RecipientState> states(String id) throws Exception {
        return await(store.find(id)).orElseThrow().recipients().stream().map(RecipientStatus::state).toList();
    }

    /** The refusal {@code call} ends with. */
    static QuarantineRefusal.Kind refusal(ThrowingCall call) {
        try {
            call.run();
        } catch (Exception e) {
            Throwable t = e instanceof ExecutionException ? e.getCause() : e;
            assertThat(t).isInstanceOf(QuarantineRefusal.class);
            return ((QuarantineRefusal) t).kind();
        }
        throw new AssertionError("not refused");
    }

    @FunctionalInterface
    interface ThrowingCall {
        void run() throws Exception;
    }

    static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
