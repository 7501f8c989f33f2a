// ClamdFilterTest: ClamdFilter against FakeClamd (TCP and UNIX-domain socket) -- framing of the
// zINSTREAM stream, reply mapping, early close on size limit, garbage, refused connections, the
// vscan_clamd_timeout, backpressure. Unit test (surefire); no real clamd.
package org.postern.filters.clamav;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postern.filters.clamav.ScanMessages.await;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.postern.filters.FilterResult;
import org.postern.filters.FilterResult.Kind;
import org.postern.filters.ScanMessage;
import org.postern.testkit.FreePort;

class ClamdFilterTest extends FakeClamdTestBase {
    private ClamdFilter filter(Duration timeout) {
        return filter(timeout, Duration.ZERO);
    }

    private ClamdFilter filter() {
        return filter(Duration.ofSeconds(20));
    }

    private FilterResult scan(ClamdFilter f, ScanMessage m) {
        return await(f.inspect(m));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void cleanWhenClamdSaysOk_andTheStreamIsFramedExactly() throws Exception {
        FakeClamd fake = fake(FakeClamd.replying("stream: OK"));
        byte[] content = bytes("Subject: hello\r\n\r\nJust text.\r\n");
        ScanMessage m = ScanMessages.write(dir, bytes("QUEUE-FILE-ENVELOPE-RECORDS\n"), content);

        FilterResult r = scan(filter(), m);

        assertThat(r.kind()).isEqualTo(Kind.CLEAN);
        assertThat(r.filter()).isEqualTo("clamav");
        assertThat(r.detail()).isEmpty();
        FakeClamd.Session s = fake.sessions.get(0);
        assertThat(s.command()).isEqualTo("zINSTREAM\0");
        assertThat(s.payload()).isEqualTo(content); // from the offset, not beyond size
        assertThat(s.chunkSizes).containsExactly(content.length);
        assertThat(s.terminated).isTrue();
    }

    @Test
    void contentTheStageAlreadyReadIsSentFromMemoryFramedExactly() throws Exception {
        FakeClamd fake = fake(FakeClamd.replying("stream: OK"));
        byte[] content = new byte[150_000]; // over one chunk: framed as the file path frames it
        ThreadLocalRandom.current().nextBytes(content);
        ScanMessage m = ScanMessages.inMemory(ScanMessages.write(dir, bytes("QUEUE-FILE-ENVELOPE-RECORDS\n"), content));
        java.nio.file.Files.delete(m.file()); // proves the file is not read again

        FilterResult r = scan(filter(), m);

        assertThat(r.kind()).as("%s", r).isEqualTo(Kind.CLEAN);
        FakeClamd.Session s = fake.sessions.get(0);
        assertThat(s.command()).isEqualTo("zINSTREAM\0");
        assertThat(s.payload()).isEqualTo(content);
        assertThat(s.chunkSizes).containsExactly(65536, 65536, 150_000 - 2 * 65536);
        assertThat(s.terminated).isTrue();
    }

    @Test
    void contentInMemoryOverClamdsLimitIsUnscannable() throws Exception {
        fake(FakeClamd.limit(100_000, "INSTREAM size limit exceeded. ERROR"));
        ScanMessage m = ScanMessages.inMemory(ScanMessages.filler(dir, 131_072));
        FilterResult r = scan(filter(), m);
        assertThat(r.kind()).as("%s", r).isEqualTo(Kind.UNSCANNABLE);
        assertThat(r.detail()).isEqualTo("INSTREAM size limit exceeded. ERROR");
    }

    @Test
    void largeMessageGoesInChunksOfAtMost64KiB() throws Exception {
        FakeClamd fake = fake(FakeClamd.replying("stream: OK"));
        byte[] content = new byte[300_000];
        ThreadLocalRandom.current().nextBytes(content);
        FilterResult r = scan(filter(), ScanMessages.write(dir, bytes("xyz"), content));

        assertThat(r.kind()).isEqualTo(Kind.CLEAN);
        FakeClamd.Session s = fake.sessions.get(0);
        assertThat(s.chunkSizes).hasSizeGreaterThanOrEqualTo(5).allSatisfy(n -> assertThat(n).isBetween(1, 65536));
        assertThat(s.chunkSizes.stream().mapToLong(Integer::longValue).sum()).isEqualTo(content.length);
        assertThat(s.payload()).isEqualTo(content);
    }

    @Test
    void emptyMessageSendsOnlyTheTerminator() throws Exception {
        FakeClamd fake = fake(FakeClamd.replying("stream: OK"));
        FilterResult r = scan(filter(), ScanMessages.write(dir, new byte[0]));
        assertThat(r.kind()).isEqualTo(Kind.CLEAN);
        assertThat(fake.sessions.get(0).chunkSizes).isEmpty();
        assertThat(fake.sessions.get(0).terminated).isTrue();
    }

    @Test
    void foundIsInfectedWithTheSignatureName() throws Exception {
        fake(FakeClamd.replying("stream: Eicar-Test-Signature.UNOFFICIAL FOUND"));
        FilterResult r = scan(filter(), ScanMessages.write(dir, bytes("x")));
        assertThat(r.kind()).isEqualTo(Kind.INFECTED);
        assertThat(r.detail()).isEqualTo("Eicar-Test-Signature.UNOFFICIAL");
    }

    @Test
    void replySplitAcrossPacketsIsJoined() throws Exception {
        fake(FakeClamd.atEnd(s -> {
            s.socket.write(Buffer.buffer("stream: Win.Test.Ei"));
            VERTX.get().setTimer(50, t -> s.answer("car FOUND"));
        }));
        FilterResult r = scan(filter(), ScanMessages.write(dir, bytes("x")));
        assertThat(r.kind()).isEqualTo(Kind.INFECTED);
        assertThat(r.detail()).isEqualTo("Win.Test.Eicar");
    }

    @Test
    void limitsHeuristicIsUnscannable() throws Exception {
        fake(FakeClamd.replying("stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND"));
        FilterResult r = scan(filter(), ScanMessages.write(dir, bytes("x")));
        assertThat(r.kind()).isEqualTo(Kind.UNSCANNABLE);
        assertThat(r.detail()).isEqualTo("stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND");
    }

    @Test
    void sizeLimitEarlyCloseIsUnscannableWithClamdsReply() throws Exception {
        // clamd stops reading at StreamMaxLength, answers and closes while the client is still sending
        FakeClamd fake = fake(FakeClamd.limit(100_000, "INSTREAM size limit exceeded. ERROR"));
        ScanMessage big = ScanMessages.filler(dir, 8_000_000);
        ClamdFilter f = filter();
        for (int i = 0; i < Integer.getInteger("clamd.loops", 5); i++) {
            FilterResult r = scan(f, big);
            assertThat(r.kind()).as("attempt %d: %s", i, r).isEqualTo(Kind.UNSCANNABLE);
            assertThat(r.detail()).isEqualTo("INSTREAM size limit exceeded. ERROR");
        }
        assertThat(fake.sessions).hasSize(Integer.getInteger("clamd.loops", 5)).allSatisfy(s -> assertThat(s.terminated).isFalse());
    }

    @Test
    void sizeLimitReplyIsReadEvenWhenOurWritesAreStuck() throws Exception {
        fake(FakeClamd.limitAfterStall(VERTX.get(), 100_000, 100, "INSTREAM size limit exceeded. ERROR"));
        ScanMessage big = ScanMessages.filler(dir, 8_000_000);
        ClamdFilter f = filter();
        for (int i = 0; i < Integer.getInteger("clamd.loops", 3); i++) {
            FilterResult r = scan(f, big);
            assertThat(r.kind()).as("attempt %d: %s", i, r).isEqualTo(Kind.UNSCANNABLE);
        }
    }

    @Test
    void otherErrorsAreTempfail() throws Exception {
        fake(FakeClamd.replying("stream: Can't allocate memory ERROR"));
        FilterResult r = scan(filter(), ScanMessages.write(dir, bytes("x")));
        assertThat(r.kind()).isEqualTo(Kind.TEMPFAIL);
        assertThat(r.detail()).isEqualTo("clamd error: stream: Can't allocate memory ERROR");
    }

    @Test
    void okBeforeTheWholeMessageWasSentIsNeverClean() throws Exception {
        fake(FakeClamd.atChunk((s, len) -> s.answer("stream: OK")));
        FilterResult r = scan(filter(), ScanMessages.filler(dir, 2_000_000));
        assertThat(r.kind()).isEqualTo(Kind.TEMPFAIL);
        assertThat(r.detail()).contains("before the end of the message");
    }

    @Test
    void garbageReplyIsTempfail() throws Exception {
        fake(FakeClamd.replying("HTTP/1.1 400 Bad Request\r\n\u0001"));
        FilterResult r = scan(filter(), ScanMessages.write(dir, bytes("x")));
        assertThat(r.kind()).isEqualTo(Kind.TEMPFAIL);
        assertThat(r.detail()).isEqualTo("unexpected clamd reply: HTTP/1.1 400 Bad Request\\x0d\\x0a\\x01");
    }

    @Test
    void endlessReplyWithoutNulIsTempfail() throws Exception {
        fake(FakeClamd.raw(Buffer.buffer("A".repeat(10_000)), false));
        FilterResult r = scan(filter(), ScanMessages.write(dir, bytes("x")));
        assertThat(r.kind()).isEqualTo(Kind.TEMPFAIL);
        assertThat(r.detail()).contains("without ending its reply");
    }

    @Test
    void okWithoutNulThenCloseIsNotClean() throws Exception {
        fake(FakeClamd.atEnd(s -> s.socket.write(Buffer.buffer("stream: OK")).onComplete(v -> s.socket.close())));
        FilterResult r = scan(filter(), ScanMessages.write(dir, bytes("x")));
        assertThat(r.kind()).isEqualTo(Kind.TEMPFAIL);
        assertThat(r.detail()).contains("closed the connection in the middle of its reply: stream: OK");
    }

    @Test
    void closeWithoutReplyIsTempfail() throws Exception {
        fake(FakeClamd.atEnd(s -> s.socket.close()));
        FilterResult r = scan(filter(), ScanMessages.write(dir, bytes("x")));
        assertThat(r.kind()).isEqualTo(Kind.TEMPFAIL);
        assertThat(r.detail()).contains("closed the connection without a reply while waiting for the reply");
    }

    @Test
    void connectionRefusedIsTempfailAtOnce() throws Exception {
        fakePort = FreePort.next(); // nothing listens there
        long t0 = System.nanoTime();
        FilterResult r = scan(filter(Duration.ofSeconds(30)), ScanMessages.write(dir, bytes("x")));
        assertThat(r.kind()).isEqualTo(Kind.TEMPFAIL);
        assertThat(r.detail()).startsWith("cannot connect to clamd at inet:127.0.0.1:" + fakePort + ": ")
                .containsIgnoringCase("refused");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void silentClamdTimesOut() throws Exception {
        fake(FakeClamd.silent());
        long t0 = System.nanoTime();
        FilterResult r = scan(filter(Duration.ofSeconds(1)), ScanMessages.write(dir, bytes("x")));
        assertThat(r.kind()).isEqualTo(Kind.TEMPFAIL);
        // the phase is normally "waiting for the reply, 1 of 1"; a loaded machine may still be sending
        assertThat(r.detail()).matches("clamd at inet:127\\.0\\.0\\.1:" + fakePort
                + " did not answer within 1s \\((waiting for the reply|sending), [01] of 1 bytes sent\\)");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(950), Duration.ofSeconds(10));
    }

    @Test
    void stalledClamdTimesOutWithoutTheMessageQueuedInMemory() throws Exception {
        fake(FakeClamd.stalled());
        long size = 30_000_000;
        FilterResult r = scan(filter(Duration.ofSeconds(1)), ScanMessages.filler(dir, size));
        assertThat(r.kind()).isEqualTo(Kind.TEMPFAIL);
        // on a loaded machine the second may run out while still connecting; either way nothing piles up
        assertThat(r.detail()).containsPattern("did not answer within 1s \\((connecting|sending), ");
        long sent = Long.parseLong(r.detail().replaceAll(".*(?:connecting|sending), (\\d+) of.*", "$1"));
        // backpressure: only what the socket buffers and the write queue hold was read from the file
        assertThat(sent).isLessThan(size / 3);
    }

    @Test
    void elapsedComesFromTheInjectedClock() throws Exception {
        fake(FakeClamd.atEnd(s -> {
            clock.advance(Duration.ofMillis(1500));
            s.answer("stream: OK");
        }));
        FilterResult r = scan(filter(), ScanMessages.write(dir, bytes("x")));
        assertThat(r.kind()).isEqualTo(Kind.CLEAN);
        assertThat(r.elapsed()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void missingMessageFileIsTempfail() throws Exception {
        fake(FakeClamd.replying("stream: OK"));
        ScanMessage m = new ScanMessage(ScanMessages.ENVELOPE, dir.resolve("gone"), 0, 10);
        FilterResult r = scan(filter(), m);
        assertThat(r.kind()).isEqualTo(Kind.TEMPFAIL);
        assertThat(r.detail()).startsWith("cannot read " + dir.resolve("gone"));
    }

    @Test
    void truncatedMessageFileIsTempfailNotAScanOfPartOfIt() throws Exception {
        FakeClamd fake = fake(FakeClamd.replying("stream: OK"));
        ScanMessage whole = ScanMessages.write(dir, bytes("Subject: x\r\n\r\nbody\r\n"));
        ScanMessage m = new ScanMessage(whole.envelope(), whole.file(), 0, java.nio.file.Files.size(whole.file()) + 100);
        FilterResult r = scan(filter(), m);
        assertThat(r.kind()).isEqualTo(Kind.TEMPFAIL);
        assertThat(r.detail()).isEqualTo(whole.file() + " ended after " + (m.size() - 100) + " of " + m.size() + " bytes");
        // the fake registers its session on its own event loop: wait for it rather than race it
        org.postern.testkit.Await.until("clamd saw the session", java.time.Duration.ofSeconds(5), () -> !fake.sessions.isEmpty());
        assertThat(fake.sessions.get(0).terminated).as("no zero-length terminator: part of a message is never scanned")
                .isFalse();
    }

    @Test
    void concurrentScansEachGetTheirOwnAnswer() throws Exception {
        fake(FakeClamd.atEnd(s -> s.answer(new String(s.payload(), StandardCharsets.ISO_8859_1).contains("BAD")
                ? "stream: Bad.Thing FOUND" : "stream: OK")));
        ClamdFilter f = filter();
        List<Future<FilterResult>> results = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            results.add(f.inspect(ScanMessages.write(dir, bytes(i % 2 == 0 ? "ok " + i : "BAD " + i))));
        }
        for (int i = 0; i < 20; i++) {
            assertThat(await(results.get(i)).kind()).isEqualTo(i % 2 == 0 ? Kind.CLEAN : Kind.INFECTED);
        }
    }

    @Test
    void unixDomainSocketWorksWithTheNioTransport() throws Exception {
        Path sock = dir.resolve("clamd.sock");
        FakeClamd fake = FakeClamd.start(VERTX.get(), SocketAddress.domainSocketAddress(sock.toString()),
                FakeClamd.replying("stream: OK"));
        closeAfter(fake);
        ClamdFilter f = new ClamdFilter(VERTX.get(), ClamdAddress.unix(sock), Duration.ofSeconds(20), clock);
        closeAfter(() -> await(f.close()));
        byte[] content = bytes("Subject: via unix socket\r\n\r\nbody\r\n");

        FilterResult r = scan(f, ScanMessages.write(dir, content));

        assertThat(VERTX.get().isNativeTransportEnabled()).isFalse();
        assertThat(r.kind()).as(r.detail()).isEqualTo(Kind.CLEAN);
        assertThat(fake.sessions.get(0).payload()).isEqualTo(content);
    }

    @Test
    void sizeLimitReplyIsReadOverAUnixSocketToo() throws Exception {
        Path sock = dir.resolve("limit.sock");
        closeAfter(FakeClamd.start(VERTX.get(), SocketAddress.domainSocketAddress(sock.toString()),
                FakeClamd.limitAfterStall(VERTX.get(), 100_000, 100, "INSTREAM size limit exceeded. ERROR")));
        ClamdFilter f = new ClamdFilter(VERTX.get(), ClamdAddress.unix(sock), Duration.ofSeconds(20), clock);
        closeAfter(() -> await(f.close()));
        ScanMessage big = ScanMessages.filler(dir, 8_000_000);
        for (int i = 0; i < Integer.getInteger("clamd.loops", 3); i++) {
            FilterResult r = scan(f, big);
            assertThat(r.kind()).as("attempt %d: %s", i, r).isEqualTo(Kind.UNSCANNABLE);
        }
    }

    @Test
    void missingUnixSocketIsTempfail() throws Exception {
        ClamdFilter f = new ClamdFilter(VERTX.get(), ClamdAddress.unix(dir.resolve("nope.sock")), Duration.ofSeconds(20), clock);
        closeAfter(() -> await(f.close()));
        FilterResult r = scan(f, ScanMessages.write(dir, bytes("x")));
        assertThat(r.kind()).isEqualTo(Kind.TEMPFAIL);
        assertThat(r.detail()).startsWith("cannot connect to clamd at unix:" + dir.resolve("nope.sock") + ": ");
    }
}
