// TestMessages: envelopes and message files for the rspamd tests -- content written behind a prefix
// and before a trailer (as in a queue file), so only the ScanMessage's byte range may reach rspamd.
// Test support only.
package org.postern.filters.rspamd;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.postern.core.ClientInfo;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.postern.filters.ScanMessage;

final class TestMessages {
    static final byte[] PREFIX = "QUEUE-FILE-RECORDS-BEFORE-THE-CONTENT\n".getBytes(StandardCharsets.US_ASCII);
    static final byte[] TRAILER = "TRAILER-NOT-PART-OF-THE-MESSAGE".getBytes(StandardCharsets.US_ASCII);

    static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    private TestMessages() {}

    static ClientInfo client(String name, String address, String helo, String saslUser) {
        return new ClientInfo(name, address, 40000, helo, saslUser == null ? "ESMTP" : "ESMTPA", null, null,
                saslUser == null ? null : "PLAIN", saslUser);
    }

    static Envelope envelope(String queueId, ClientInfo client, String sender, String... recipients) {
        return new Envelope(new QueueId(queueId), Instant.parse("2026-11-21T12:00:00Z"), client, sender,
                Arrays.stream(recipients).map(Recipient::of).toList(), -1, Envelope.BodyType.EIGHT_BIT_MIME, false,
                null, null);
    }

    static Envelope envelope() {
        return envelope("3F2A61C0A1B", client("mail.example.org", "192.0.2.7", "mail.example.org", null),
                "alice@example.org", "bob@example.net");
    }

    /** {@code content} in a new file between {@link #PREFIX} and {@link #TRAILER}. */
    static ScanMessage write(Path dir, Envelope envelope, byte[] content) throws IOException {
        Path f = Files.createTempFile(dir, "msg", ".q");
        try (OutputStream out = Files.newOutputStream(f)) {
            out.write(PREFIX);
            out.write(content);
            out.write(TRAILER);
        }
        return new ScanMessage(envelope, f, PREFIX.length, content.length);
    }

    static ScanMessage write(Path dir, Envelope envelope, String content) throws IOException {
        return write(dir, envelope, content.getBytes(StandardCharsets.UTF_8));
    }

    /** A plain, harmless mail with CRLF line ends. */
    static String clean(String from, String to, String messageId) {
        return String.join("\r\n", List.of(
                "From: Alice <" + from + ">",
                "To: Bob <" + to + ">",
                "Subject: Lunch on Friday",
                "Message-ID: <" + messageId + ">",
                "Date: Sat, 21 Nov 2026 10:00:00 +0000",
                "MIME-Version: 1.0",
                "Content-Type: text/plain; charset=UTF-8",
                "",
                "Hi Bob,",
                "",
                "shall we meet for lunch on Friday at noon at the usual place?",
                "I will bring the notes from the meeting.",
                "",
                "Alice",
                ""));
    }

    /** A mail whose body is the GTUBE test string. */
    static String gtube(String from, String to, String messageId) {
        return String.join("\r\n", List.of(
                "From: " + from,
                "To: " + to,
                "Subject: test",
                "Message-ID: <" + messageId + ">",
                "Date: Sat, 21 Nov 2026 10:00:00 +0000",
                "",
                GTUBE,
                ""));
    }
}
