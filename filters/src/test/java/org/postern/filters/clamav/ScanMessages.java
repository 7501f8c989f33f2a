// ScanMessages: builds ScanMessage values for the clamav tests -- content written to a file (with an
// optional prefix, as in a queue file), a fixed envelope, and a blocking wait on a Filter's future.
// Test support only.
package org.postern.filters.clamav;

import io.vertx.core.Future;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.postern.core.ClientInfo;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.postern.filters.ScanMessage;

final class ScanMessages {
    static final Envelope ENVELOPE = new Envelope(new QueueId("3F2A61C0A1B"), Instant.parse("2026-11-21T12:00:00Z"),
            new ClientInfo("c.test", "192.0.2.7", 5000, "c.test", "ESMTP", null, null, null, null),
            "sender@example.test", List.of(Recipient.of("rcpt@example.test")), -1, Envelope.BodyType.EIGHT_BIT_MIME,
            false, null, null);

    private ScanMessages() {}

    /** {@code content} in a new file, behind {@code prefix} bytes that are not part of the message. */
    static ScanMessage write(Path dir, byte[] prefix, byte[] content) throws IOException {
        Path f = Files.createTempFile(dir, "msg", ".eml");
        try (OutputStream out = Files.newOutputStream(f)) {
            out.write(prefix);
            out.write(content);
            out.write("TRAILER-NOT-PART-OF-THE-MESSAGE".getBytes());
        }
        return new ScanMessage(ENVELOPE, f, prefix.length, content.length);
    }

    /** {@code m} with its content already read, as the vscan stage hands over a small message. */
    static ScanMessage inMemory(ScanMessage m) throws IOException {
        byte[] all = Files.readAllBytes(m.file());
        byte[] content = java.util.Arrays.copyOfRange(all, (int) m.offset(), (int) (m.offset() + m.size()));
        return new ScanMessage(m.envelope(), m.file(), m.offset(), m.size(), io.vertx.core.buffer.Buffer.buffer(content));
    }

    static ScanMessage write(Path dir, byte[] content) throws IOException {
        return write(dir, new byte[0], content);
    }

    /** A file of {@code size} bytes of printable filler, written without holding it in memory. */
    static ScanMessage filler(Path dir, long size) throws IOException {
        return filler(dir, new byte[0], size, new byte[0]);
    }

    /** {@code head}, {@code fillerBytes} of printable CRLF lines, {@code tail}: streamed to a file. */
    static ScanMessage filler(Path dir, byte[] head, long fillerBytes, byte[] tail) throws IOException {
        Path f = Files.createTempFile(dir, "big", ".eml");
        byte[] line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor 0123456789\r\n"
                .getBytes();
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(f), 1 << 16)) {
            out.write(head);
            long left = fillerBytes;
            while (left > 0) {
                int n = (int) Math.min(line.length, left);
                out.write(line, 0, n);
                left -= n;
            }
            out.write(tail);
        }
        return new ScanMessage(ENVELOPE, f, 0, head.length + fillerBytes + tail.length);
    }

    static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("future did not complete: " + e, e);
        }
    }
}
