// RspamdFilterTest: RspamdFilter against FakeRspamd -- the envelope headers and the streamed body of the
// checkv2 request, the reply mapped to SCORED with milter header edits, and TEMPFAIL for HTTP errors,
// garbage, refused connections and vscan_rspamd_timeout. Unit test (surefire); no real rspamd.
package org.postern.filters.rspamd;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.postern.core.ClientInfo;
import org.postern.core.Envelope;
import org.postern.filters.FilterResult;
import org.postern.filters.FilterResult.Kind;
import org.postern.filters.HeaderEdit;
import org.postern.filters.ScanMessage;
import org.postern.filters.SpamReport;
import org.postern.testkit.FreePort;

class RspamdFilterTest extends FakeRspamdTestBase {
    @Test
    void sendsTheEnvelopeAsRspamdHeadersAndOnlyTheMessageBytes() throws Exception {
        FakeRspamd fake = fake().reply(200, REPLY);
        ClientInfo client = new ClientInfo("mail.example.org", "192.0.2.7", 40000, "helo.example.org", "ESMTPSA",
                "TLSv1.3", "TLS_AES_256_GCM_SHA384", "PLAIN", "alice");
        Envelope env = TestMessages.envelope("3F2A61C0A1B", client, "alice@example.org", "bob@example.net",
                "carol@example.net");
        String content = TestMessages.clean("alice@example.org", "bob@example.net", "m1@example.org");
        ScanMessage msg = TestMessages.write(dir, env, content);

        FilterResult r = await(filter(fake.url(), Duration.ofSeconds(10), "s3cret").inspect(msg));

        assertThat(r.kind()).isEqualTo(Kind.SCORED);
        FakeRspamd.Seen seen = fake.next();
        assertThat(seen.method()).isEqualTo("POST");
        assertThat(seen.uri()).isEqualTo("/checkv2");
        assertThat(seen.headers().getAll("IP")).containsExactly("192.0.2.7");
        assertThat(seen.headers().getAll("Helo")).containsExactly("helo.example.org");
        assertThat(seen.headers().getAll("Hostname")).containsExactly("mail.example.org");
        assertThat(seen.headers().getAll("From")).containsExactly("alice@example.org");
        assertThat(seen.headers().getAll("Rcpt")).containsExactly("bob@example.net", "carol@example.net");
        assertThat(seen.headers().getAll("Queue-Id")).containsExactly("3F2A61C0A1B");
        assertThat(seen.headers().getAll("User")).containsExactly("alice");
        assertThat(seen.headers().getAll("Password")).containsExactly("s3cret");
        assertThat(seen.headers().getAll("TLS-Cipher")).containsExactly("TLS_AES_256_GCM_SHA384");
        assertThat(seen.headers().getAll("TLS-Version")).containsExactly("TLSv1.3");
        assertThat(seen.headers().get("Content-Length")).isEqualTo(Long.toString(msg.size()));
        assertThat(seen.headers().get("Transfer-Encoding")).isNull();
        assertThat(seen.headers().contains("Settings-ID")).isFalse();
        assertThat(new String(seen.smallBody(), StandardCharsets.UTF_8)).isEqualTo(content);
    }

    @Test
    void sendsContentTheStageAlreadyReadAsTheSameBody() throws Exception {
        FakeRspamd fake = fake().reply(200, REPLY);
        Envelope env = TestMessages.envelope("3F2A61C0A1B", TestMessages.envelope().client(), "alice@example.org",
                "bob@example.net");
        String content = TestMessages.clean("alice@example.org", "bob@example.net", "m2@example.org");
        ScanMessage onDisk = TestMessages.write(dir, env, content);
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        ScanMessage msg = new ScanMessage(env, onDisk.file(), onDisk.offset(), onDisk.size(), Buffer.buffer(bytes));
        java.nio.file.Files.delete(onDisk.file()); // proves the file is not read again

        FilterResult r = await(filter(fake.url(), Duration.ofSeconds(10), "").inspect(msg));

        assertThat(r.kind()).as("%s", r).isEqualTo(Kind.SCORED);
        FakeRspamd.Seen seen = fake.next();
        assertThat(seen.headers().getAll("Queue-Id")).containsExactly("3F2A61C0A1B");
        assertThat(seen.headers().get("Content-Length")).isEqualTo(Integer.toString(bytes.length));
        assertThat(seen.headers().get("Transfer-Encoding")).isNull();
        assertThat(new String(seen.smallBody(), StandardCharsets.UTF_8)).isEqualTo(content);
    }

    @Test
    void unknownClientNameNullSenderAndNoAuthLeaveTheirHeadersOut() throws Exception {
        FakeRspamd fake = fake().reply(200, REPLY);
        Envelope env = TestMessages.envelope("3F2A61C0A1C",
                TestMessages.client("unknown", "2001:db8::25", null, null), "", "bob@example.net");
        await(filter(fake).inspect(TestMessages.write(dir, env, "Subject: x\r\n\r\nbody\r\n")));

        FakeRspamd.Seen seen = fake.next();
        assertThat(seen.headers().getAll("IP")).containsExactly("2001:db8::25");
        assertThat(seen.headers().getAll("From")).containsExactly("<>");
        for (String absent : List.of("Hostname", "Helo", "User", "Password", "TLS-Cipher", "TLS-Version")) {
            assertThat(seen.headers().contains(absent)).as(absent).isFalse();
        }
    }

    @Test
    void utf8AddressesReachRspamdAsUtf8Bytes() throws Exception {
        FakeRspamd fake = fake().reply(200, REPLY);
        Envelope env = TestMessages.envelope("3F2A61C0A1D",
                TestMessages.client("mail.example.org", "192.0.2.7", "mail.example.org", null),
                "jörg@bücher.example", "ñandú@example.net");
        await(filter(fake).inspect(TestMessages.write(dir, env, "Subject: x\r\n\r\nbody\r\n")));

        FakeRspamd.Seen seen = fake.next();
        // the server decodes header bytes as ISO-8859-1: re-encode to see the bytes that came
        String from = seen.headers().get("From");
        assertThat(new String(from.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8))
                .isEqualTo("jörg@bücher.example");
        String rcpt = seen.headers().get("Rcpt");
        assertThat(new String(rcpt.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8))
                .isEqualTo("ñandú@example.net");
    }

    @Test
    void streamsABigMessageByteForByte() throws Exception {
        FakeRspamd fake = fake().reply(200, REPLY);
        long size = 12L * 1024 * 1024 + 7;
        Path f = dir.resolve("big.q");
        MessageDigest sha = FakeRspamd.sha256();
        Random random = new Random(42);
        byte[] chunk = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(f)) {
            out.write(TestMessages.PREFIX);
            for (long left = size; left > 0; ) {
                random.nextBytes(chunk);
                int n = (int) Math.min(chunk.length, left);
                out.write(chunk, 0, n);
                sha.update(chunk, 0, n);
                left -= n;
            }
            out.write(TestMessages.TRAILER);
        }
        ScanMessage msg = new ScanMessage(TestMessages.envelope(), f, TestMessages.PREFIX.length, size);

        FilterResult r = await(filter(fake).inspect(msg));

        assertThat(r.kind()).isEqualTo(Kind.SCORED);
        FakeRspamd.Seen seen = fake.next();
        assertThat(seen.bodySize()).isEqualTo(size);
        assertThat(seen.bodySha256()).isEqualTo(HexFormat.of().formatHex(sha.digest()));
    }

    @Test
    void mapsTheReplyToAScoredResultWithMilterHeaderEdits() throws Exception {
        FakeRspamd fake = fake().reply(200, REPLY);
        RspamdFilter filter = filter(fake);
        ScanMessage msg = TestMessages.write(dir, TestMessages.envelope(), "Subject: x\r\n\r\nbody\r\n");

        FilterResult r = await(filter.inspect(msg));

        assertThat(r.filter()).isEqualTo("rspamd");
        assertThat(r.kind()).isEqualTo(Kind.SCORED);
        assertThat(r.detail()).isEmpty();
        SpamReport spam = r.spam();
        assertThat(spam.score()).isEqualTo(6.2);
        assertThat(spam.required()).isEqualTo(15.0);
        assertThat(spam.action()).isEqualTo("add header");
        assertThat(spam.symbols()).containsExactly(
                new SpamReport.Symbol("R_B", 5.7, List.of("x", "y")),
                new SpamReport.Symbol("R_A", 0.5, List.of()));
        assertThat(spam.subject()).isNull();
        assertThat(r.headerEdits()).containsExactly(
                new HeaderEdit(HeaderEdit.Op.REMOVE, "X-Spam", "", 0),
                new HeaderEdit(HeaderEdit.Op.ADD, "X-Spam-Status", "Yes, score=6.2", 0));
    }

    @Test
    void elapsedComesFromTheInjectedClock() throws Exception {
        FakeRspamd fake = fake().reply(200, REPLY);
        RspamdFilter filter = filter(fake);
        clock.advance(Duration.ofSeconds(3)); // before the scan: not counted
        FilterResult r = await(filter.inspect(TestMessages.write(dir, TestMessages.envelope(), "S: x\r\n\r\nb\r\n")));
        assertThat(r.elapsed()).isEqualTo(Duration.ZERO);
    }

    @Test
    void httpErrorsAreTempfailWithTheStatus() throws Exception {
        FakeRspamd fake = fake().reply(500, "{\"error\":\"internal error\"}");
        FilterResult r = await(filter(fake).inspect(TestMessages.write(dir, TestMessages.envelope(), "S: x\r\n\r\nb\r\n")));
        assertThat(r.kind()).isEqualTo(Kind.TEMPFAIL);
        assertThat(r.spam()).isNull();
        assertThat(r.detail()).contains("rspamd", fake.url(), "HTTP 500", "internal error");

        fake.reply(404, "");
        r = await(filter(fake).inspect(TestMessages.write(dir, TestMessages.envelope(), "S: x\r\n\r\nb\r\n")));
        assertThat(r.kind()).isEqualTo(Kind.TEMPFAIL);
        assertThat(r.detail()).contains("HTTP 404");
    }

    @Test
    void garbageRepliesAreTempfailNeverAScore() throws Exception {
        FakeRspamd fake = fake();
        RspamdFilter filter = filter(fake);
        Map<String, String> replies = Map.of(
                "", "not a JSON object",
                "pong", "not a JSON object",
                "[1,2]", "not a JSON object",
                "{\"score\":1.0,\"required_score\":15}", "no action",
                "{\"action\":\"no action\",\"required_score\":15}", "no score",
                "{\"score\":\"high\",\"action\":\"reject\"}", "score",
                "{\"score\":1,\"action\":\"\"}", "no action",
                "{\"score\":1,\"action\":\"no action\",\"symbols\":[1]}", "symbols",
                "{\"score\":1,\"action\":\"no action\",\"symbols\":{\"A\":{\"score\":\"x\"}}}", "symbols.A.score",
                "{\"score\":1,\"action\":\"no action\",\"milter\":\"x\"}", "milter");
        for (Map.Entry<String, String> e : replies.entrySet()) {
            fake.reply(200, e.getKey());
            FilterResult r = await(filter.inspect(TestMessages.write(dir, TestMessages.envelope(), "S: x\r\n\r\nb\r\n")));
            assertThat(r.kind()).as(e.getKey()).isEqualTo(Kind.TEMPFAIL);
            assertThat(r.detail()).as(e.getKey()).contains("bad reply", e.getValue());
        }
    }

    @Test
    void refusedConnectionIsTempfail() throws Exception {
        int port = FreePort.next(); // nothing listens there
        RspamdFilter filter = filter("http://127.0.0.1:" + port, Duration.ofSeconds(10), "");
        long t0 = System.nanoTime();
        FilterResult r = await(filter.inspect(TestMessages.write(dir, TestMessages.envelope(), "S: x\r\n\r\nb\r\n")));
        assertThat(r.kind()).isEqualTo(Kind.TEMPFAIL);
        assertThat(r.detail()).contains("rspamd http://127.0.0.1:" + port).containsIgnoringCase("refused");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void noReplyWithinTheTimeoutIsTempfail() throws Exception {
        FakeRspamd fake = fake().script(new FakeRspamd.Silent());
        RspamdFilter filter = filter(fake.url(), Duration.ofMillis(300), "");
        long t0 = System.nanoTime();
        FilterResult r = await(filter.inspect(TestMessages.write(dir, TestMessages.envelope(), "S: x\r\n\r\nb\r\n")));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(r.kind()).isEqualTo(Kind.TEMPFAIL);
        assertThat(r.detail()).contains("no reply within 300ms");
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(250)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void theTimeoutCoversAnUploadTheServerStopsReading() throws Exception {
        FakeRspamd fake = fake().script(new FakeRspamd.PausedUpload());
        long size = 32L * 1024 * 1024; // far more than socket buffers hold
        Path f = dir.resolve("stuck.q");
        try (var raf = new java.io.RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(size);
        }
        RspamdFilter filter = filter(fake.url(), Duration.ofMillis(500), "");
        long t0 = System.nanoTime();
        FilterResult r = await(filter.inspect(new ScanMessage(TestMessages.envelope(), f, 0, size)));
        assertThat(r.kind()).isEqualTo(Kind.TEMPFAIL);
        assertThat(r.detail()).contains("no reply within 500ms");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        assertThat(fake.next().bodySize()).isEqualTo(-1); // the request arrived, its body was never read
    }

    @Test
    void aMissingMessageFileIsTempfail() throws Exception {
        FakeRspamd fake = fake().reply(200, REPLY);
        ScanMessage gone = new ScanMessage(TestMessages.envelope(), dir.resolve("vanished.q"), 0, 10);
        FilterResult r = await(filter(fake).inspect(gone));
        assertThat(r.kind()).isEqualTo(Kind.TEMPFAIL);
        assertThat(r.detail()).contains("cannot open", "vanished.q");
        assertThat(fake.requestCount()).isZero();
    }

    @Test
    void scansConcurrentlyWithOneFilter() throws Exception {
        FakeRspamd fake = fake().reply(200, REPLY);
        RspamdFilter filter = filter(fake);
        List<Future<FilterResult>> all = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            all.add(filter.inspect(TestMessages.write(dir, TestMessages.envelope(), "S: " + i + "\r\n\r\nb\r\n")));
        }
        for (Future<FilterResult> f : all) {
            FilterResult r = await(f);
            assertThat(r.kind()).as(r.detail()).isEqualTo(Kind.SCORED);
        }
    }
}
