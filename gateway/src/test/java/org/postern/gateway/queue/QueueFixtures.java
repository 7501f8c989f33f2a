// QueueFixtures: envelopes (plain and hostile) and a Future await shared by the queue tests.
package org.postern.gateway.queue;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.postern.core.ClientInfo;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.core.Recipient;

final class QueueFixtures {
    static final Instant ARRIVAL = Instant.parse("2026-11-21T23:26:00.123456789Z");
    static final ClientInfo CLIENT = new ClientInfo("mx.example.com", "192.0.2.7", 52345, "mx.example.com",
            "ESMTP", null, null, null, null);

    private QueueFixtures() {}

    static Envelope envelope(QueueId id, String sender, String... recipients) {
        return new Envelope(id, ARRIVAL, CLIENT, sender, java.util.Arrays.stream(recipients).map(Recipient::of).toList(),
                -1, Envelope.BodyType.SEVEN_BIT, false, null, null);
    }

    /** Every field set, with values that would break a line- or delimiter-based format. */
    static Envelope hostile(QueueId id) {
        String evilRecord = "x\u0000\u0000\u0000\u0001R\r\nX\u0000\u0000\u0000\u0000";
        ClientInfo client = new ClientInfo("unknown\r\nR evil@x", "2001:db8::1", 65535, "helo\u0000\n.\r\n" + evilRecord,
                "ESMTPSA", "TLSv1.3", "TLS_AES_256_GCM_SHA384", "PLAIN", "üser\u0000name@例え.jp");
        List<Recipient> rcpts = List.of(
                new Recipient("δοκιμή@παράδειγμα.δοκιμή", Set.of(Recipient.Notify.SUCCESS, Recipient.Notify.FAILURE,
                        Recipient.Notify.DELAY), "utf-8;δοκιμή@παράδειγμα.δοκιμή"),
                new Recipient("\"john\r\ndoe\"@example.net", Set.of(Recipient.Notify.NEVER), "rfc822;a@b" + evilRecord),
                new Recipient("plain@example.org", Set.of(), null),
                new Recipient("😀@example.org", Set.of(Recipient.Notify.DELAY), ""));
        return new Envelope(id, ARRIVAL, client, "sender\r\n\u0000@exämple.com" + evilRecord, rcpts,
                Long.MAX_VALUE, Envelope.BodyType.BINARY_MIME, true, Envelope.Ret.HDRS, "ENV\u0000ID\r\n+2B" + evilRecord);
    }

    static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    /** The failure of a future that must fail. */
    static Throwable failure(Future<?> f) throws Exception {
        try {
            await(f);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("future succeeded");
    }
}
