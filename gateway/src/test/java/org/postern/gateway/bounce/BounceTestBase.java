// BounceTestBase: what the bounce tests share -- a Vert.x, a real spool with an IncomingQueue, a clock
// moved by hand, original messages committed as real queue files, a Bouncer whose `queued` callback is
// recorded, and readers that take a committed notice apart with Apache mime4j.
package org.postern.gateway.bounce;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.stream.MimeConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.ClientInfo;
import org.postern.gateway.LogCapture;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.postern.gateway.queue.IncomingQueue;
import org.postern.gateway.queue.QueueFile;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.QueueWriter;
import org.postern.gateway.queue.Spool;
import org.postern.testkit.MutableClock;

abstract class BounceTestBase {
    static final ClientInfo CLIENT = new ClientInfo("c.test", "192.0.2.7", 5000, "c.test", "ESMTP", null, null, null, null);
    static final String HOST = "mx.postern.test";
    static final String ORIGIN = "postern.test";
    static final String PLAIN = "From: Alice <a@s.test>\r\nTo: r1@r.test\r\nSubject: quarterly report\r\n"
            + "Message-Id: <orig-1@s.test>\r\n\r\nHello,\r\nthe numbers are attached.\r\n";

    @TempDir
    Path dir;
    Vertx vertx;
    Spool spool;
    IncomingQueue incoming;
    final MutableClock clock = new MutableClock();
    final List<QueueId> queued = Collections.synchronizedList(new ArrayList<>());
    Bouncer bouncer;

    /** What postern.bounce logged during the test. */
    private LogCapture bounceLog;

    List<String> logLines() {
        return bounceLog.lines();
    }

    /** A header field's body, whitespace folded to single spaces; null when absent. */
    static String field(Entity e, String name) {
        var f = e.getHeader().getField(name);
        return f == null ? null : f.getBody().replaceAll("\\s+", " ").strip();
    }

    /** A Content-Type parameter. */
    static String param(Entity e, String name) {
        return e.getHeader().getField("Content-Type", org.apache.james.mime4j.dom.field.ContentTypeField.class)
                .getParameter(name);
    }

    @BeforeEach
    void setUp() throws Exception {
        bounceLog = LogCapture.of("postern.bounce");
        vertx = Vertx.vertx();
        spool = Spool.open(dir.resolve("spool"));
        incoming = new IncomingQueue(vertx, spool, clock);
        bouncer = bouncer(settings(Set.of("2bounce", "resource", "software"), 50_000));
    }

    @AfterEach
    void tearDown() throws Exception {
        bounceLog.close();
        await(bouncer.close());
        await(incoming.close());
        await(vertx.close());
    }

    static BounceSettings settings(Set<String> classes, long sizeLimit) {
        return new BounceSettings(HOST, ORIGIN, "Postern", "double-bounce", sizeLimit, classes, "postmaster",
                "postmaster", "postmaster", "postmaster", Duration.ofHours(4), Duration.ofDays(5));
    }

    Bouncer bouncer(BounceSettings s) {
        return new Bouncer(vertx, incoming, s, queued::add, clock);
    }

    /** Replaces the Bouncer (closing the old one). */
    void use(BounceSettings s) throws Exception {
        await(bouncer.close());
        bouncer = bouncer(s);
    }

    /** An original in active/, as qmgr holds it when it calls the BounceSink. */
    QueueFile original(String sender, List<Recipient> rcpts, Envelope.Ret ret, String envid, boolean smtputf8,
                       byte[] content) throws Exception {
        QueueWriter w = await(incoming.create(incoming.newQueueId()));
        for (int from = 0; from < content.length; from += 100_000) {
            int n = Math.min(100_000, content.length - from);
            await(w.write(Buffer.buffer(n).appendBytes(content, from, n)));
        }
        Envelope env = new Envelope(w.id(), clock.instant(), CLIENT, sender, rcpts, -1,
                Envelope.BodyType.EIGHT_BIT_MIME, smtputf8, ret, envid);
        await(w.commit(env, QueueName.ACTIVE));
        return QueueFile.read(spool.file(QueueName.ACTIVE, w.id()));
    }

    QueueFile original(String sender, String... rcpts) throws Exception {
        return original(sender, java.util.Arrays.stream(rcpts).map(Recipient::of).toList(), null, null, false,
                PLAIN.getBytes(StandardCharsets.US_ASCII));
    }

    /** The committed notice: its queue file (in active/) and raw content. */
    record Notice(QueueFile file, byte[] raw, Message message) {
        Envelope envelope() {
            return file.envelope();
        }

        String text() {
            return new String(raw, StandardCharsets.UTF_8);
        }

        Multipart multipart() {
            return (Multipart) message.getBody();
        }

        Entity part(int i) {
            return multipart().getBodyParts().get(i);
        }

        /** The decoded content of a single-body part, as UTF-8. */
        String partText(int i) throws IOException {
            try (InputStream in = ((SingleBody) part(i).getBody()).getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }

        /** The message/delivery-status blocks: the per-message fields, then one map per recipient. */
        List<Map<String, String>> dsn() throws IOException {
            return dsnBlocks(partText(1));
        }
    }

    Notice notice(QueueId id) throws Exception {
        QueueFile f = QueueFile.read(spool.file(QueueName.ACTIVE, id));
        byte[] raw;
        try (InputStream in = f.openContent()) {
            raw = in.readAllBytes();
        }
        DefaultMessageBuilder b = new DefaultMessageBuilder();
        b.setMimeEntityConfig(MimeConfig.custom().setMaxLineLen(-1).setMaxHeaderLen(-1).setMaxContentLen(-1)
                .setStrictParsing(true).build());
        Message m = b.parseMessage(new ByteArrayInputStream(raw));
        return new Notice(f, raw, m);
    }

    /** The only notice queued so far. */
    Notice onlyNotice() throws Exception {
        assertThat(queued).hasSize(1);
        return notice(queued.get(0));
    }

    /** Splits delivery-status text into blocks at empty lines and unfolds each block's fields. */
    static List<Map<String, String>> dsnBlocks(String text) {
        List<Map<String, String>> blocks = new ArrayList<>();
        Map<String, String> cur = new LinkedHashMap<>();
        String last = null;
        for (String line : text.split("\r\n", -1)) {
            if (line.isEmpty()) {
                if (!cur.isEmpty()) blocks.add(cur);
                cur = new LinkedHashMap<>();
                last = null;
            } else if ((line.startsWith(" ") || line.startsWith("\t")) && last != null) {
                cur.put(last, cur.get(last) + " " + line.strip());
            } else {
                int colon = line.indexOf(':');
                last = line.substring(0, colon);
                cur.put(last, line.substring(colon + 1).strip());
            }
        }
        if (!cur.isEmpty()) blocks.add(cur);
        return blocks;
    }

    /** CRLF line ends only, no line over 998 octets. */
    static void assertLinesAreSmtpSafe(byte[] raw) {
        int len = 0;
        for (int i = 0; i < raw.length; i++) {
            byte c = raw[i];
            if (c == '\r') {
                assertThat(i + 1 < raw.length && raw[i + 1] == '\n').as("bare CR at %d", i).isTrue();
            } else if (c == '\n') {
                assertThat(i > 0 && raw[i - 1] == '\r').as("bare LF at %d", i).isTrue();
                len = 0;
                continue;
            }
            if (c != '\r') len++;
            assertThat(len).as("line length at %d", i).isLessThanOrEqualTo(998);
        }
    }

    static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
}
