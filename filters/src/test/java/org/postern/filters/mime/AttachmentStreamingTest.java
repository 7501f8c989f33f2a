// AttachmentStreamingTest: the attachments filter as the vscan stage calls it -- inspect() from an
// event loop returns at once and the walk runs on a worker; a 50 MB attachment (vscan_archive_size_limit
// default) is streamed from the queue file; a file that cannot be read is a TEMPFAIL.
package org.postern.filters.mime;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.postern.filters.mime.ScanFixture.assertBanned;

import io.vertx.core.Future;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.postern.core.ClientInfo;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.postern.filters.FilterResult;
import org.postern.filters.FilterResult.Kind;
import org.postern.filters.ScanMessage;

class AttachmentStreamingTest {
    private static final Envelope ENVELOPE = new Envelope(new QueueId("4AB1C2D3E4"), Instant.parse("2026-11-21T12:00:00Z"),
            new ClientInfo("unknown", "127.0.0.1", 40000, "client.test", "ESMTP", null, null, null, null),
            "sender@sender.test", List.of(Recipient.of("user@example.test")), -1, Envelope.BodyType.SEVEN_BIT, false,
            null, null);

    /** inspect() called on an event loop: whether it returned before the scan ended, and the result. */
    private record Inspected(boolean returnedAtOnce, FilterResult result) {}

    private static Inspected inspectOnEventLoop(AttachmentFilter filter, ScanMessage m) throws Exception {
        CompletableFuture<Inspected> done = new CompletableFuture<>();
        ScanFixture.VERTX.getOrCreateContext().runOnContext(v -> {
            Future<FilterResult> f = filter.inspect(m);
            boolean atOnce = !f.isComplete();
            f.onComplete(ar -> {
                if (ar.succeeded()) done.complete(new Inspected(atOnce, ar.result()));
                else done.completeExceptionally(ar.cause());
            });
        });
        return done.get(180, TimeUnit.SECONDS);
    }

    @Test
    void fiftyMegabyteAttachmentIsStreamedOnAWorker() throws Exception {
        Path zip = ScanFixture.DIR.resolve("big.zip");
        try (ZipOutputStream z = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(zip), 1 << 16))) {
            z.setLevel(Deflater.NO_COMPRESSION); // random data: keep the build fast
            z.putNextEntry(new ZipEntry("data.bin"));
            Random random = new Random(7);
            byte[] chunk = new byte[1 << 16];
            for (long written = 0; written < 50L * 1000 * 1000; written += chunk.length) {
                random.nextBytes(chunk);
                z.write(chunk);
            }
            z.putNextEntry(new ZipEntry("late.exe"));
            z.write(MimeFixtures.exe());
        }
        Path mail = ScanFixture.DIR.resolve("big.eml");
        byte[] prefix = "queue file record header\n".getBytes(US_ASCII); // the content starts at an offset
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(mail), 1 << 16)) {
            out.write(prefix);
            out.write((MimeFixtures.HEAD + "Content-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n--b0\r\n"
                    + "Content-Type: text/plain\r\n\r\nthe big one\r\n--b0\r\n"
                    + "Content-Type: application/zip\r\nContent-Disposition: attachment; filename=\"big.zip\"\r\n"
                    + "Content-Transfer-Encoding: base64\r\n\r\n").getBytes(US_ASCII));
            try (OutputStream b64 = Base64.getMimeEncoder(76, "\r\n".getBytes(US_ASCII)).wrap(notClosing(out))) {
                Files.copy(zip, b64);
            }
            out.write("\r\n--b0--\r\n".getBytes(US_ASCII));
        }
        assertThat(Files.size(zip)).isGreaterThan(50_000_000L);
        ScanMessage m = new ScanMessage(ENVELOPE, mail, prefix.length, Files.size(mail) - prefix.length);
        Inspected i = inspectOnEventLoop(ScanFixture.filter(Map.of()), m);
        assertBanned(i.result(), "big.zip/late.exe: banned extension .exe (in archive)");
        assertThat(i.returnedAtOnce()).as("inspect() must not scan on the event loop").isTrue();
        assertThat(i.result().elapsed()).isPositive();
        Files.delete(zip);
        Files.delete(mail);
    }

    @Test
    void base64WithoutLineBreaksIsRead() throws Exception {
        byte[] payload = MimeFixtures.zip(MimeFixtures.entries("pad.bin", new byte[3_000_000], "x/run.wsf", "x"));
        String oneLine = Base64.getEncoder().encodeToString(payload);
        byte[] m = MimeFixtures.mixed("Content-Type: application/zip; name=\"p.zip\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n" + oneLine + "\r\n");
        assertBanned(ScanFixture.scan(m), "p.zip/x/run.wsf: banned extension .wsf (in archive)");
    }

    @Test
    void cleanMessageFromAFile() throws Exception {
        Path mail = ScanFixture.DIR.resolve("clean.eml");
        Files.write(mail, MimeFixtures.mixed(MimeFixtures.attachment("application/pdf", "a.pdf", MimeFixtures.pdf())));
        Inspected i = inspectOnEventLoop(ScanFixture.filter(Map.of()), new ScanMessage(ENVELOPE, mail, 0, Files.size(mail)));
        assertThat(i.result().kind()).isEqualTo(Kind.CLEAN);
        assertThat(i.result().filter()).isEqualTo("attachments");
    }

    @Test
    void unreadableQueueFileIsATempfail() throws Exception {
        ScanMessage m = new ScanMessage(ENVELOPE, ScanFixture.DIR.resolve("no-such-file"), 0, 100);
        Inspected i = inspectOnEventLoop(ScanFixture.filter(Map.of()), m);
        assertThat(i.result().kind()).isEqualTo(Kind.TEMPFAIL);
        assertThat(i.result().detail()).startsWith("cannot read ").contains("no-such-file");
    }

    private static OutputStream notClosing(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }
}
