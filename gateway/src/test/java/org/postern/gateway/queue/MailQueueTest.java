// MailQueueTest: `postern mailq` prints the queue exactly as Postfix 3.7's postqueue -p does
// (golden text), lists only committed files, hides finished recipients and quotes like Postfix.
package org.postern.gateway.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.postern.gateway.queue.QueueFixtures.await;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.core.Recipient;

class MailQueueTest {
    @TempDir
    Path root;

    private static Envelope env(String id, String arrival, String sender, String... rcpts) {
        return new Envelope(new QueueId(id), Instant.parse(arrival), QueueFixtures.CLIENT, sender,
                Arrays.stream(rcpts).map(Recipient::of).toList(), -1, Envelope.BodyType.EIGHT_BIT_MIME, true, null, null);
    }

    /** Queues one message through the real writer and moves it to {@code q}. */
    private static void enqueue(IncomingQueue queue, Spool spool, QueueName q, long size, Envelope env) throws Exception {
        QueueWriter w = await(queue.create(env.queueId()));
        assertThat(w.id()).isEqualTo(env.queueId());
        byte[] chunk = new byte[1 << 20];
        for (long left = size; left > 0; left -= chunk.length) {
            await(w.write(Buffer.buffer(chunk).slice(0, (int) Math.min(left, chunk.length))));
        }
        await(w.commit(env));
        if (q != QueueName.INCOMING) Files.move(spool.file(QueueName.INCOMING, env.queueId()), spool.file(q, env.queueId()));
    }

    private record Queued(QueueName queue, long size, Envelope env) {}

    /** Opens the spool at {@link #root} and queues each message through the real writer. */
    private Spool spoolWith(Queued... messages) throws Exception {
        Spool spool = Spool.open(root);
        Vertx vertx = Vertx.vertx();
        try {
            IncomingQueue queue = new IncomingQueue(vertx, spool, Clock.systemUTC());
            for (Queued m : messages) enqueue(queue, spool, m.queue(), m.size(), m.env());
            await(queue.close());
        } finally {
            await(vertx.close());
        }
        return spool;
    }

    @Test
    void listingMatchesPostfixGoldenText() throws Exception {
        Spool spool = spoolWith(
                new Queued(QueueName.HOLD, 12_345_678, env("6D3E4F50617", "2026-12-31T23:59:59Z", "a@b", "c@d")),
                new Queued(QueueName.INCOMING, 512,
                        env("3F2A61C0A1B", "2026-11-21T23:26:00Z", "sender@example.com", "rcpt@example.net")),
                new Queued(QueueName.DEFERRED, 123_456, env("5C2D3E4F506", "2026-02-03T04:05:06.999Z",
                        "john doe@example.com", "x\u0001y@example.org", "gone@example.org", "δοκιμή@παράδειγμα.δοκιμή",
                        "a\"b@example.org")),
                new Queued(QueueName.ACTIVE, 1536,
                        env("4B1C2D3E4F5", "2026-11-01T08:05:09Z", "", "first@example.net", "second@example.net")));
        QueueFile.markRecipient(spool.file(QueueName.ACTIVE, new QueueId("4B1C2D3E4F5")), 0, RecipientStatus.DELIVERED);
        QueueFile.markRecipient(spool.file(QueueName.DEFERRED, new QueueId("5C2D3E4F506")), 1, RecipientStatus.BOUNCED);
        QueueFile.markRecipient(spool.file(QueueName.DEFERRED, new QueueId("5C2D3E4F506")), 2, RecipientStatus.DEFERRED);
        // none of these is a queued message
        Files.write(spool.dir(QueueName.INCOMING).resolve("7E4F5061728.tmp"), new byte[100]);
        Files.write(spool.dir(QueueName.DEFERRED).resolve("00000000001"), "garbage".getBytes(StandardCharsets.US_ASCII));
        Files.copy(spool.file(QueueName.HOLD, new QueueId("6D3E4F50617")), spool.file(QueueName.CORRUPT, new QueueId("0000000000C")));

        String golden;
        try (InputStream in = getClass().getResourceAsStream("postqueue-p.golden")) {
            golden = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(MailQueue.format(MailQueue.list(root), ZoneOffset.UTC)).isEqualTo(golden);
        assertThat(MailQueue.list(root)).extracting(QueueEntry::queue)
                .containsExactly(QueueName.INCOMING, QueueName.ACTIVE, QueueName.DEFERRED, QueueName.HOLD);
        assertThat(MailQueue.postqueueListing(root)).startsWith("-Queue ID-  --Size-- ----Arrival Time----");
    }

    @Test
    void formatIsByteForByteWhatRealPostfix37Printed() throws IOException {
        // postqueue-p.postfix-3.7.txt was printed by Debian's Postfix 3.7.11 (TZ=UTC) for these messages
        Instant t = Instant.parse("2026-11-21T23:40:32Z");
        String why = "connect to 127.0.0.1[127.0.0.1]:9: Connection refused";
        List<QueueEntry> entries = List.of(
                new QueueEntry(new QueueId("95E3D20C9DB"), QueueName.DEFERRED, t, 780, "", List.of(
                        new QueueEntry.PendingRecipient("first@example.net", why),
                        new QueueEntry.PendingRecipient("second@example.net", why))),
                new QueueEntry(new QueueId("9487020C9DD"), QueueName.DEFERRED, t, 792, "sender@example.com",
                        List.of(new QueueEntry.PendingRecipient("rcpt@example.net", why))),
                new QueueEntry(new QueueId("9768320C9DE"), QueueName.HOLD, t, 796, "john doe@example.com",
                        List.of(new QueueEntry.PendingRecipient("a..b@example.org", why))));
        String postfix;
        try (InputStream in = getClass().getResourceAsStream("postqueue-p.postfix-3.7.txt")) {
            postfix = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(MailQueue.format(entries, ZoneOffset.UTC)).isEqualTo(postfix);
    }

    /** vscan's note is the reason of every recipient of a message still in incoming/, and of nothing else. */
    @Test
    void scanNoteIsTheReasonOfMailWaitingInIncomingOnly() throws Exception {
        spoolWith(new Queued(QueueName.INCOMING, 10, env("3F2A61C0A1B", "2026-11-21T23:26:00Z", "s@example.com",
                        "a@example.net", "b@example.net")),
                new Queued(QueueName.ACTIVE, 10, env("4B1C2D3E4F5", "2026-11-21T23:26:00Z", "s@example.com", "c@example.net")));
        QueueId waiting = new QueueId("3F2A61C0A1B");
        DeferLog.writeScanNote(root, waiting, "content scan deferred: clamav: connection\trefused");
        DeferLog.writeScanNote(root, new QueueId("4B1C2D3E4F5"), "stale: the message is being delivered");

        List<QueueEntry> entries = MailQueue.list(root);
        assertThat(entries.get(0).recipients()).extracting(QueueEntry.PendingRecipient::reason)
                .containsExactly("content scan deferred: clamav: connection refused", "content scan deferred: clamav: connection refused");
        assertThat(entries.get(1).recipients()).extracting(QueueEntry.PendingRecipient::reason).containsOnlyNulls();
        assertThat(MailQueue.format(entries, ZoneOffset.UTC)).containsOnlyOnce("(content scan deferred: clamav: connection refused)");

        DeferLog.delete(root, waiting);
        assertThat(DeferLog.scanNote(root, waiting)).isNull();
        assertThat(MailQueue.list(root).get(0).recipients()).extracting(QueueEntry.PendingRecipient::reason).containsOnlyNulls();
    }

    /** A quarantine release's copy staged in hold/ is listed as held, saying what it waits for. */
    @Test
    void aStagedQuarantineReleaseIsListedAsHeldWithWhatItWaitsFor() throws Exception {
        spoolWith(new Queued(QueueName.HOLD, 10, env("3F2A61C0A1B", "2026-11-21T23:26:00Z", "s@example.com", "a@example.net")));
        Vertx vertx = Vertx.vertx();
        try {
            IncomingQueue queue = IncomingQueue.attached(vertx, Spool.attach(root), Clock.systemUTC());
            QueueWriter w = await(queue.create(queue.newQueueId()));
            await(w.write(Buffer.buffer("Subject: released\r\n\r\nbody\r\n")));
            await(w.commitStagedRelease(env(w.id().value(), "2026-11-21T23:27:00Z", "s@example.com", "b@example.net")));
            await(queue.close());
        } finally {
            await(vertx.close());
        }

        List<QueueEntry> entries = MailQueue.list(root);
        assertThat(entries).extracting(QueueEntry::queue).containsExactly(QueueName.HOLD, QueueName.HOLD);
        QueueEntry held = entries.stream().filter(e -> e.queueId().value().equals("3F2A61C0A1B")).findFirst().orElseThrow();
        QueueEntry staged = entries.stream().filter(e -> e != held).findFirst().orElseThrow();
        assertThat(held.recipients()).extracting(QueueEntry.PendingRecipient::reason).containsOnlyNulls();
        assertThat(staged.recipients()).extracting(QueueEntry.PendingRecipient::reason)
                .containsExactly(MailQueue.STAGED_RELEASE);
        assertThat(MailQueue.format(entries, ZoneOffset.UTC)).contains(staged.queueId() + "!")
                .contains("(quarantine release in progress; postern quarantine purge completes or undoes it)");
    }

    @Test
    void emptyQueue() throws IOException {
        Spool.open(root);
        assertThat(MailQueue.postqueueListing(root)).isEqualTo("Mail queue is empty\n");
        assertThat(MailQueue.list(root)).isEmpty();
    }

    @Test
    void missingQueueDirectoryIsAnError() {
        assertThatThrownBy(() -> MailQueue.list(root.resolve("nope"))).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void deferralReasonsArePrintedAsShowqCompatDoes() {
        QueueEntry e = new QueueEntry(new QueueId("3F2A61C0A1B"), QueueName.DEFERRED, Instant.parse("2026-11-21T23:26:00Z"),
                2047, "s@x", List.of(
                        new QueueEntry.PendingRecipient("a@x", "connect to x[192.0.2.1]:25: Connection refused"),
                        new QueueEntry.PendingRecipient("b@x", "connect to x[192.0.2.1]:25: Connection refused"),
                        new QueueEntry.PendingRecipient("c@x", null),
                        new QueueEntry.PendingRecipient("d@x", null)));
        String r = "connect to x[192.0.2.1]:25: Connection refused";
        String pad = " ".repeat(41);
        assertThat(MailQueue.format(List.of(e), ZoneOffset.UTC)).isEqualTo(
                "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
                        + "3F2A61C0A1B    2047 Sat Nov 21 23:26:00  s@x\n"
                        + " ".repeat(76 - r.length()) + "(" + r + ")\n"
                        + pad + "a@x\n" + pad + "b@x\n"
                        + " ".repeat(76 - 18) + "(reason unavailable)\n"
                        + pad + "c@x\n" + pad + "d@x\n"
                        + "\n-- 1 Kbytes in 1 Request.\n");
    }

    @Test
    void arrivalIsAsctimeInTheGivenZone() {
        assertThat(MailQueue.asctime(Instant.parse("2026-11-01T23:30:00Z"), ZoneId.of("Europe/Berlin")))
                .isEqualTo("Mon Nov  2 00:30:00 ");
    }

    @Test
    void localPartsAreQuotedLikePostfix() {
        assertThat(MailQueue.quoteLocalPart("user.name+tag@example.com")).isEqualTo("user.name+tag@example.com");
        assertThat(MailQueue.quoteLocalPart("john doe@example.com")).isEqualTo("\"john doe\"@example.com");
        assertThat(MailQueue.quoteLocalPart("a..b@x")).isEqualTo("\"a..b\"@x");
        assertThat(MailQueue.quoteLocalPart(".a@x")).isEqualTo("\".a\"@x");
        assertThat(MailQueue.quoteLocalPart("a.@x")).isEqualTo("\"a.\"@x");
        assertThat(MailQueue.quoteLocalPart("a\"b\\c@x")).isEqualTo("\"a\\\"b\\\\c\"@x");
        assertThat(MailQueue.quoteLocalPart("a@b@x")).isEqualTo("\"a@b\"@x");
        assertThat(MailQueue.quoteLocalPart("@x")).isEqualTo("\"\"@x");
        assertThat(MailQueue.quoteLocalPart("@relay:u v@x")).isEqualTo("@relay:\"u v\"@x");
        assertThat(MailQueue.quoteLocalPart("postmaster")).isEqualTo("postmaster");
        assertThat(MailQueue.quoteLocalPart("δοκιμή@x")).isEqualTo("δοκιμή@x"); // 8-bit clean
        assertThat(MailQueue.printable(MailQueue.quoteLocalPart("a\r\nb@x"))).isEqualTo("\"a\\??b\"@x");
        assertThat(MailQueue.printable("a\u009bb\u0000c")).isEqualTo("a?b?c");
    }
}
