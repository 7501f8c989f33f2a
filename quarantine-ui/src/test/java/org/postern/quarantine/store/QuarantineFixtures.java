// QuarantineFixtures: envelopes, items, contents and a Future await shared by the quarantine store tests.
package org.postern.quarantine.store;

import io.vertx.core.Future;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.postern.core.ClientInfo;
import org.postern.core.ContentSource;
import org.postern.core.Envelope;
import org.postern.core.Origin;
import org.postern.core.QuarantineStore;
import org.postern.core.QueueId;
import org.postern.core.Recipient;

final class QuarantineFixtures {
    static final Duration LIFETIME = Duration.ofDays(30);
    static final Instant ARRIVAL = Instant.parse("2026-11-21T11:59:58.123456789Z");
    static final ClientInfo CLIENT = new ClientInfo("mx.example.com", "2001:db8::7", 52345, "mx.example.com",
            "ESMTPSA", "TLSv1.3", "TLS_AES_256_GCM_SHA384", "PLAIN", "alice");
    static final Origin RULE = new Origin("/etc/postern/main.cf", 42);

    private static final java.util.concurrent.atomic.AtomicLong COPIES = new java.util.concurrent.atomic.AtomicLong();

    private QuarantineFixtures() {}

    /** A fresh queue id for a release's copy, as `postern quarantine release` takes one (its process's id space). */
    static QueueId copy() {
        return new QueueId(String.format(java.util.Locale.ROOT, "0A3F2B6%04XP4242", COPIES.incrementAndGet()));
    }

    /** Every envelope field set; the first recipient has NOTIFY and ORCPT. */
    static Envelope envelope(String... recipients) {
        List<Recipient> rcpts = Arrays.stream(recipients).map(Recipient::of).toList();
        if (!rcpts.isEmpty()) {
            rcpts = new java.util.ArrayList<>(rcpts);
            rcpts.set(0, new Recipient(recipients[0], Set.of(Recipient.Notify.FAILURE, Recipient.Notify.DELAY),
                    "rfc822;" + recipients[0]));
        }
        return new Envelope(new QueueId("3F2A61C0A1B"), ARRIVAL, CLIENT, "sender@exämple.com", rcpts, 12345,
                Envelope.BodyType.EIGHT_BIT_MIME, true, Envelope.Ret.HDRS, "ENV+ID-1", "smtp:[10.0.0.1]");
    }

    static QuarantineStore.Item infected(String... recipients) {
        return new QuarantineStore.Item(envelope(recipients), List.of(recipients), "Invoice ✓", 0, "infected",
                "Eicar-Signature", null, List.of(), "clamav=Eicar-Signature", RULE);
    }

    static QuarantineStore.Item spam(double score, String... recipients) {
        return new QuarantineStore.Item(envelope(recipients), List.of(recipients), "Cheap pills", 0, "spam", null,
                score, List.of("BAYES_SPAM", "MISSING_DATE"), "rspamd=reject", Origin.builtin("vscan"));
    }

    static ContentSource bytes(byte[] content) {
        return () -> new ByteArrayInputStream(content);
    }

    /** A message with bytes a text-minded copy would change: bare CR and LF, NUL, 8-bit, no final newline. */
    static byte[] awkwardMessage() {
        byte[] head = "Subject: test\r\nX-Bare: a\rb\nc\r\n\r\nbody\u0000".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] all = Arrays.copyOf(head, head.length + 256);
        for (int i = 0; i < 256; i++) all[head.length + i] = (byte) i;
        return all;
    }

    static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    /** The failure of a future that must fail. */
    static Throwable failure(Future<?> f) throws Exception {
        try {
            await(f);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("future succeeded");
    }

    static QuarantineRefusal.Kind refusal(Future<?> f) throws Exception {
        Throwable t = failure(f);
        if (t instanceof QuarantineRefusal r) return r.kind();
        throw new AssertionError("not a refusal", t);
    }
}
