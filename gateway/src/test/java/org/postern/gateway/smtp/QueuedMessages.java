// QueuedMessages: test messages for the SMTP client, written as REAL queue files by IncomingQueue
// (the path smtpd takes) and read back with QueueFile, so a test delivers exactly what the queue holds.
// The content source records whether it was ever opened or read on an event loop (invariant 4).
package org.postern.gateway.smtp;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.postern.core.ClientInfo;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.postern.gateway.queue.IncomingQueue;
import org.postern.gateway.queue.QueueFile;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.QueueWriter;
import org.postern.gateway.queue.Spool;

final class QueuedMessages {
    static final ClientInfo CLIENT = new ClientInfo("client.example.test", "192.0.2.7", 52345, "client.example.test",
            "ESMTP", null, null, null, null);

    /** Set when any content was opened or read on an event-loop thread. */
    static final AtomicBoolean READ_ON_EVENT_LOOP = new AtomicBoolean();

    private QueuedMessages() {}

    /** Content producer: called with a buffer to fill, returns the bytes produced or -1 at the end. */
    interface Producer {
        int fill(byte[] buf) throws IOException;
    }

    static Envelope envelope(QueueId id, String sender, String... rcpts) {
        return new Envelope(id, Instant.parse("2026-11-21T10:00:00Z"), CLIENT, sender,
                Arrays.stream(rcpts).map(Recipient::of).toList(), -1, Envelope.BodyType.SEVEN_BIT, false, null, null);
    }

    /** A message with {@code content}, queued in {@code spoolDir} with the envelope {@code env(id)}. */
    static QueuedMessage queue(Vertx vertx, Path spoolDir, byte[] content, Function<QueueId, Envelope> env) throws Exception {
        int[] pos = {0};
        return queue(vertx, spoolDir, buf -> {
            if (pos[0] >= content.length) return -1;
            int n = Math.min(buf.length, content.length - pos[0]);
            System.arraycopy(content, pos[0], buf, 0, n);
            pos[0] += n;
            return n;
        }, env);
    }

    /** As above, for content made on the fly (a 50 MB message is never held in memory). */
    static QueuedMessage queue(Vertx vertx, Path spoolDir, Producer content, Function<QueueId, Envelope> env) throws Exception {
        Spool spool = Spool.open(spoolDir);
        IncomingQueue queue = new IncomingQueue(vertx, spool, Clock.systemUTC());
        try {
            QueueWriter w = await(queue.create(queue.newQueueId()));
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = content.fill(buf)) >= 0) await(w.write(Buffer.buffer().appendBytes(buf, 0, n)));
            await(w.commit(env.apply(w.id())));
            QueueFile file = QueueFile.read(spool.file(QueueName.INCOMING, w.id()));
            return watched(QueuedMessage.of(file));
        } finally {
            await(queue.close());
        }
    }

    /** The same message with a content source that notes event-loop use, and counts bytes read. */
    static QueuedMessage watched(QueuedMessage m) {
        return new QueuedMessage(m.envelope(), m.recipients(), m.contentLength(), () -> {
            check();
            return new FilterInputStream(m.content().open()) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    check();
                    return super.read(b, off, len);
                }
            };
        });
    }

    /** A copy attempting only {@code recipients}. */
    static QueuedMessage only(QueuedMessage m, List<Integer> recipients) {
        return new QueuedMessage(m.envelope(), recipients, m.contentLength(), m.content());
    }

    static byte[] readAll(QueuedMessage m) throws IOException {
        try (InputStream in = m.content().open()) {
            return in.readAllBytes();
        }
    }

    private static void check() {
        if (Context.isOnEventLoopThread()) READ_ON_EVENT_LOOP.set(true);
    }

    static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    }
}
