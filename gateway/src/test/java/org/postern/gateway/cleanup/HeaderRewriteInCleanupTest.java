// HeaderRewriteInCleanupTest: header address rewriting inside MessageCleanup as the message streams in
// arbitrary chunks -- only address headers of the primary header section change, the rest stays byte
// for byte; header_checks see the header first; a failing table refuses the message for now.
package org.postern.gateway.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.QueueWriter;
import org.postern.policies.checks.CheckLog;
import org.postern.policies.checks.ContentChecks;
import org.postern.policies.checks.MessageChecks;
import org.postern.policies.conf.Config;
import org.postern.policies.table.Tables;

class HeaderRewriteInCleanupTest {
    @TempDir
    Path dir;
    RewriteFixture fx;

    static final String RECEIVED = "Received: from c.test (c.test [192.0.2.7])\r\n\tby mx.example.test (Postern)"
            + " with ESMTP id 3F2A61C0A1B\r\n";
    static final MessageCleanup.Limits LIMITS = new MessageCleanup.Limits(10_000_000, 2048, 102_400, false);

    static final String MESSAGE = String.join("\r\n",
            "From: Joe <joe@old.test>",
            "To: ann@x.test,",
            "  joe@old.test (again)",
            "Subject: joe@old.test stays",
            "X-Other: joe@old.test",
            "Cc: undisclosed-recipients:;",
            "Reply-To: joe",
            "",
            "From: joe@old.test is body text",
            "To: joe",
            "") ;

    static final String REWRITTEN = String.join("\r\n",
            "From: Joe <joe@new.test>",
            "To: ann@x.test,",
            "  joe@new.test (again)",
            "Subject: joe@old.test stays",
            "X-Other: joe@old.test",
            "Cc: undisclosed-recipients:;",
            "Reply-To: joe@example.test",
            "",
            "From: joe@old.test is body text",
            "To: joe",
            "");

    /** A queue writer that keeps the content in memory. */
    static final class MemoryWriter implements QueueWriter {
        final Buffer content = Buffer.buffer();
        Envelope committed;
        boolean aborted;

        @Override
        public QueueId id() {
            return RewriteFixture.ID;
        }

        @Override
        public Future<Void> write(Buffer chunk) {
            content.appendBuffer(chunk);
            return Future.succeededFuture();
        }

        @Override
        public long pendingBytes() {
            return 0;
        }

        @Override
        public long size() {
            return content.length();
        }

        @Override
        public Future<Void> commit(Envelope env) {
            return commit(env, QueueName.INCOMING);
        }

        @Override
        public Future<Void> commit(Envelope env, QueueName target) {
            committed = env;
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> commitStagedRelease(Envelope env) {
            return commit(env, QueueName.HOLD);
        }

        @Override
        public Future<Void> abort() {
            aborted = true;
            return Future.succeededFuture();
        }

        String text() {
            return content.toString(StandardCharsets.ISO_8859_1);
        }
    }

    @BeforeEach
    void setUp() {
        fx = new RewriteFixture(dir);
        fx.file("canonical", "joe@old.test joe@new.test");
    }

    private AddressRewriting rewriting(String extra) throws Exception {
        return fx.load("canonical_maps = hash:canonical\n" + extra);
    }

    /** Feeds {@code message} in chunks of random sizes and finishes it. */
    private static MessageCleanup.Result run(MessageCleanup cleanup, byte[] message, Random random) {
        int i = 0;
        while (i < message.length) {
            int n = Math.min(message.length - i, 1 + random.nextInt(9));
            cleanup.accept(Buffer.buffer().appendBytes(message, i, n));
            i += n;
        }
        Future<MessageCleanup.Result> f = cleanup.finish(RewriteFixture.envelope("s@sender.test", "r@relay.test"));
        assertThat(f.succeeded()).isTrue();
        return f.result();
    }

    @Test
    void onlyTheAddressHeadersChangeWhateverTheChunks() throws Exception {
        AddressRewriting rw = rewriting("");
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            MemoryWriter w = new MemoryWriter();
            MessageCleanup.Result r = run(new MessageCleanup(w, LIMITS, RECEIVED, null, rw),
                    MESSAGE.getBytes(StandardCharsets.ISO_8859_1), random);
            assertThat(r.refusal()).isNull();
            assertThat(w.text()).isEqualTo(RECEIVED + REWRITTEN);
        }
    }

    @Test
    void withoutHeaderRewritingTheContentIsUntouched() throws Exception {
        AddressRewriting remote = rewriting("").forClient(HeaderAddressRewriterTest.REMOTE);
        for (AddressRewriting rw : List.of(remote, AddressRewriting.NONE)) {
            MemoryWriter w = new MemoryWriter();
            run(new MessageCleanup(w, LIMITS, RECEIVED, null, rw), MESSAGE.getBytes(StandardCharsets.ISO_8859_1),
                    new Random(1));
            assertThat(w.text()).isEqualTo(RECEIVED + MESSAGE);
        }
    }

    @Test
    void headerChecksSeeTheHeaderBeforeItIsRewritten() throws Exception {
        fx.file("header_checks", "/^From: Joe <joe@old\\.test>$/ REPLACE From: Joe <joe@old.test> (checked)");
        AddressRewriting rw = rewriting("header_checks = regexp:header_checks\n");
        ContentChecks cc = ContentChecks.from(Config.load(dir), new Tables(dir));
        MessageChecks checks = cc.start(new CheckLogger(CheckLog.Context.of("3F2A61C0A1B", RewriteFixture.CLIENT,
                "s@sender.test", "r@relay.test")));
        MemoryWriter w = new MemoryWriter();
        MessageCleanup.Result r = run(new MessageCleanup(w, LIMITS, RECEIVED, checks, rw),
                MESSAGE.getBytes(StandardCharsets.ISO_8859_1), new Random(3));
        assertThat(r.refusal()).isNull();
        // the check matched the header as the client sent it; its replacement was rewritten
        assertThat(w.text()).isEqualTo(RECEIVED + REWRITTEN
                .replace("From: Joe <joe@new.test>", "From: Joe <joe@new.test> (checked)"));
    }

    @Test
    void aMessageThatEndsInsideItsHeadersIsStillRewritten() throws Exception {
        MemoryWriter w = new MemoryWriter();
        run(new MessageCleanup(w, LIMITS, RECEIVED, null, rewriting("")),
                "Subject: x\r\nTo: joe@old.test".getBytes(StandardCharsets.ISO_8859_1), new Random(5));
        assertThat(w.text()).isEqualTo(RECEIVED + "Subject: x\r\nTo: joe@new.test\r\n");
    }

    @Test
    void aFailingTableRefusesTheMessageForNow() throws Exception {
        MemoryWriter w = new MemoryWriter();
        MessageCleanup.Result r = run(new MessageCleanup(w, LIMITS, RECEIVED, null,
                rewriting("recipient_canonical_maps = fail:down\n")), MESSAGE.getBytes(StandardCharsets.ISO_8859_1),
                new Random(9));
        assertThat(r.refusal()).isEqualTo(RewriteFailure.WRITE_ERROR);
        assertThat(w.aborted).isTrue();
        assertThat(w.committed).isNull();
    }

    @Test
    void aHeaderLongerThanTheLimitGoesOutUnchanged() throws Exception {
        HeaderAddressRewriter hr = rewriting("").headers();
        List<String> warnings = new ArrayList<>();
        HeaderAddressStage stage = new HeaderAddressStage(hr, 40, warnings::add);
        Buffer out = Buffer.buffer();
        for (String l : new String[] {"To: joe@old.test,", " a@x.test,", " b@x.test,", " c@x.test", "Cc: joe@old.test",
                "", "To: joe@old.test"}) {
            byte[] b = l.getBytes(StandardCharsets.ISO_8859_1);
            stage.line(b, 0, b.length, out);
        }
        stage.end(out);
        assertThat(out.toString(StandardCharsets.ISO_8859_1)).isEqualTo(
                "To: joe@old.test,\r\n a@x.test,\r\n b@x.test,\r\n c@x.test\r\nCc: joe@new.test\r\n\r\nTo: joe@old.test\r\n");
        assertThat(stage.done()).isTrue();
        assertThat(warnings).isEmpty();
    }
}
