// DovecotLmtpIT: the lmtp delivery agent (SmtpTransport) and the queue manager against a REAL Dovecot
// LMTP server delivering to Maildirs -- per-recipient RCPT and end-of-data replies honoured, nothing sent
// twice, TCP and UNIX socket. Needs Debian's dovecot-core and dovecot-lmtpd (testkit DovecotLmtp).
package org.postern.gateway.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.postern.gateway.qmgr.BounceSink;
import org.postern.gateway.qmgr.Qmgr;
import org.postern.gateway.qmgr.QmgrSettings;
import org.postern.gateway.qmgr.StaticRouter;
import org.postern.gateway.queue.IncomingQueue;
import org.postern.gateway.queue.QueueFile;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.QueueWriter;
import org.postern.gateway.queue.RecipientStatus;
import org.postern.gateway.queue.Spool;
import org.postern.gateway.smtp.RecipientResult.Status;
import org.postern.testkit.DovecotLmtp;
import org.postern.testkit.Mails;

class DovecotLmtpIT extends ClientTestBase {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String SENDER = "a@sender.test";
    /** Over the 1 KiB quota of carol and dave: Dovecot refuses it for them at end of data. */
    private static final String LARGE = "From: a@sender.test\r\nSubject: larger than 1 KiB\r\n\r\n"
            + ("0123456789".repeat(7) + "\r\n").repeat(50);

    private static DovecotLmtp.Builder dovecot() {
        return DovecotLmtp.builder().users("alice", "bob").quota("carol", 1024, false).quota("dave", 1024, true);
    }

    @Test
    void twoKnownUsersGetByteIdenticalCopies() throws Exception {
        byte[] content = (new String(Mails.eightBitUtf8(), StandardCharsets.UTF_8)
                + new String(Mails.withLeadingDots(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        try (DovecotLmtp lmtp = dovecot().start()) {
            transport(settings().build());
            QueuedMessage m = queue(content, id -> new Envelope(id, Instant.EPOCH, QueuedMessages.CLIENT, SENDER,
                    List.of(Recipient.of("alice@example.test"), Recipient.of("Bob@Example.Test")), -1,
                    Envelope.BodyType.EIGHT_BIT_MIME, false, null, null));
            DeliveryReport r = deliver(m, Destination.lmtp(lmtp.host(), lmtp.port()));

            assertThat(r.results()).extracting(RecipientResult::status).containsExactly(Status.SENT, Status.SENT);
            assertThat(r.result(0).diagnostic()).matches("250 2\\.0\\.0 <alice@example\\.test> \\S+ Saved");
            assertThat(r.result(1).diagnostic()).matches("250 2\\.0\\.0 <Bob@Example\\.Test> \\S+ Saved");
            byte[] queued = lf(QueuedMessages.readAll(m));
            for (String user : List.of("alice", "bob")) {
                List<Path> got = lmtp.awaitMessages(user, 1, WAIT);
                assertThat(got).as(user + "'s INBOX").hasSize(1);
                assertThat(withoutDovecotTrace(got.get(0))).as(user + "'s copy").isEqualTo(queued);
            }
        }
    }

    @Test
    void unknownUserIsBouncedAtRcptAndTheKnownOneIsDelivered() throws Exception {
        try (DovecotLmtp lmtp = dovecot().start()) {
            transport(settings().build());
            DeliveryReport r = deliver(queue(MESSAGE, "ghost@example.test", "alice@example.test"),
                    Destination.lmtp(lmtp.host(), lmtp.port()));

            assertThat(r.results()).extracting(RecipientResult::status).containsExactly(Status.BOUNCED, Status.SENT);
            RecipientResult ghost = r.result(0);
            assertThat(ghost.dsn()).isEqualTo("5.1.1");
            assertThat(ghost.remote()).isTrue();
            assertThat(ghost.diagnostic()).isEqualTo("host 127.0.0.1[127.0.0.1] said: 550 5.1.1 <ghost@example.test> "
                    + "User doesn't exist: ghost@example.test (in reply to RCPT TO command)");
            assertThat(lmtp.awaitMessages("alice", 1, WAIT)).hasSize(1);
            assertThat(lmtp.awaitLog("saved mail to INBOX", WAIT)).contains("lmtp(alice@example.test)");
        }
    }

    @Test
    void deliveryOverTheUnixSocket() throws Exception {
        try (DovecotLmtp lmtp = dovecot().start()) {
            transport(settings().build());
            QueuedMessage m = queue(MESSAGE, "alice@example.test", "bob@example.test");
            DeliveryReport r = deliver(m, Destination.lmtp(lmtp.socket()));

            assertThat(r.results()).extracting(RecipientResult::status).containsExactly(Status.SENT, Status.SENT);
            for (String user : List.of("alice", "bob")) {
                assertThat(withoutDovecotTrace(lmtp.awaitMessages(user, 1, WAIT).get(0))).isEqualTo(lf(QueuedMessages.readAll(m)));
            }
            lmtp.awaitLog("Connect from local", WAIT);
        }
    }

    @Test
    void overQuotaAtEndOfDataFailsOnlyThatRecipientAsDovecotSays() throws Exception {
        try (DovecotLmtp lmtp = dovecot().start()) {
            transport(settings().build());
            DeliveryReport r = deliver(queue(LARGE, "carol@example.test", "alice@example.test", "dave@example.test"),
                    Destination.lmtp(lmtp.host(), lmtp.port()));

            assertThat(r.results()).extracting(RecipientResult::status)
                    .containsExactly(Status.BOUNCED, Status.SENT, Status.DEFERRED);
            assertThat(r.result(0).dsn()).isEqualTo("5.2.2");
            assertThat(r.result(0).diagnostic()).isEqualTo("host 127.0.0.1[127.0.0.1] said: 552 5.2.2 <carol@example.test> "
                    + "Quota exceeded (mailbox for user is full) (in reply to end of DATA command)");
            assertThat(r.result(2).dsn()).isEqualTo("4.2.2");
            assertThat(r.result(2).diagnostic()).isEqualTo("host 127.0.0.1[127.0.0.1] said: 452 4.2.2 <dave@example.test> "
                    + "Quota exceeded (mailbox for user is full) (in reply to end of DATA command)");
            assertThat(lmtp.awaitMessages("alice", 1, WAIT)).hasSize(1);
            assertThat(lmtp.messages("carol")).isEmpty();
            assertThat(lmtp.messages("dave")).isEmpty();
        }
    }

    /**
     * Through qmgr: the first run delivers alice, bounces ghost (5.1.1 at RCPT) and defers dave (452
     * at end of data), all recorded in the queue file; once dave's quota is raised the retry sends only
     * dave -- alice's INBOX still holds one copy.
     */
    @Test
    void qmgrRecordsEachRecipientsOutcomeAndNeverSendsTheDeliveredAgain() throws Exception {
        try (DovecotLmtp lmtp = dovecot().start()) {
            transport(settings().build());
            Spool spool = Spool.open(dir.resolve("qmgr-spool"));
            List<BounceSink.Bounced> bounced = new CopyOnWriteArrayList<>();
            BounceSink bounces = (file, rcpts) -> {
                bounced.addAll(rcpts);
                return Future.succeededFuture();
            };
            Qmgr qmgr = new Qmgr(vertx, spool, transport, StaticRouter.relayhost(Destination.lmtp(lmtp.host(), lmtp.port())),
                    bounces, QmgrSettings.defaults(), clock);
            QueueId id = queueActive(spool, LARGE, "alice@example.test", "ghost@example.test", "dave@example.test");

            QueuedMessages.await(qmgr.runActive());
            assertThat(statuses(spool, QueueName.DEFERRED, id))
                    .containsExactly(RecipientStatus.DELIVERED, RecipientStatus.BOUNCED, RecipientStatus.DEFERRED);
            assertThat(bounced).extracting(BounceSink.Bounced::address, BounceSink.Bounced::dsn)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("ghost@example.test", "5.1.1"));
            assertThat(lmtp.awaitMessages("alice", 1, WAIT)).hasSize(1);
            assertThat(lmtp.messages("dave")).isEmpty();

            lmtp.quota("dave", 1024 * 1024);
            clock.advance(QmgrSettings.defaults().maximalBackoff().plusSeconds(1));
            QueuedMessages.await(qmgr.runDeferred());
            assertThat(lmtp.awaitMessages("dave", 1, WAIT)).hasSize(1);
            assertThat(spool.ids(QueueName.DEFERRED)).isEmpty();
            assertThat(spool.ids(QueueName.ACTIVE)).isEmpty();
            assertThat(lmtp.messages("alice")).as("alice is not sent the message again").hasSize(1);
            assertThat(bounced).as("ghost is not bounced twice").hasSize(1);
            assertThat(lmtp.awaitLog("saved mail to INBOX", 2, WAIT)).as("alice's and dave's deliveries logged")
                    .containsOnlyOnce("lmtp(alice@example.test)");
            QueuedMessages.await(qmgr.stop());
        }
    }

    /** Commits {@code content} for {@code rcpts} straight into active/, where qmgr takes its work. */
    private QueueId queueActive(Spool spool, String content, String... rcpts) throws Exception {
        IncomingQueue incoming = new IncomingQueue(vertx, spool, clock);
        try {
            QueueWriter w = QueuedMessages.await(incoming.create(incoming.newQueueId()));
            QueuedMessages.await(w.write(Buffer.buffer(content)));
            QueuedMessages.await(w.commit(new Envelope(w.id(), clock.instant(), QueuedMessages.CLIENT, SENDER,
                    Arrays.stream(rcpts).map(Recipient::of).toList(), -1, Envelope.BodyType.SEVEN_BIT, false, null, null),
                    QueueName.ACTIVE));
            return w.id();
        } finally {
            QueuedMessages.await(incoming.close());
        }
    }

    private static List<RecipientStatus> statuses(Spool spool, QueueName q, QueueId id) throws IOException {
        return QueueFile.read(spool.file(q, id)).recipientStatuses();
    }

    private static byte[] lf(byte[] crlf) {
        return new String(crlf, StandardCharsets.UTF_8).replace("\r\n", "\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A Maildir file without the trace Dovecot prepends: Return-Path, Delivered-To (one-recipient
     * transactions only) and its own Received (checked to be Dovecot's LMTP one). The rest is what it got.
     */
    private static byte[] withoutDovecotTrace(Path file) throws IOException {
        String s = Files.readString(file, StandardCharsets.UTF_8);
        List<String> trace = new ArrayList<>();
        int pos = 0;
        while (pos < s.length()) {
            int end = s.indexOf('\n', pos) + 1;
            while (end > 0 && end < s.length() && (s.charAt(end) == '\t' || s.charAt(end) == ' ')) end = s.indexOf('\n', end) + 1;
            String field = s.substring(pos, end);
            boolean ours = field.startsWith("Return-Path: ") || field.startsWith("Delivered-To: ")
                    || field.startsWith("Received: ") && field.contains("by " + DovecotLmtp.HOSTNAME + " with LMTP");
            if (!ours || trace.stream().anyMatch(t -> t.regionMatches(0, field, 0, field.indexOf(':')))) break;
            trace.add(field);
            pos = end;
        }
        assertThat(trace).as("Dovecot's trace fields in " + file).anyMatch(f -> f.equals("Return-Path: <" + SENDER + ">\n"))
                .anyMatch(f -> f.startsWith("Received: "));
        return s.substring(pos).getBytes(StandardCharsets.UTF_8);
    }
}
