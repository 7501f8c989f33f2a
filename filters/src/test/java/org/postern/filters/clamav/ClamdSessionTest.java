// ClamdSessionTest: ClamdFilter's session cache against FakeClamd in IDSESSION mode -- many messages over
// one connection, request ids, a session clamd dropped while idle replaced once, no retry on a fresh
// connection, errors end a session, the idle time limit, timeouts, close. Unit test; no real clamd.
package org.postern.filters.clamav;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postern.filters.clamav.ScanMessages.await;

import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postern.filters.FilterResult;
import org.postern.filters.FilterResult.Kind;
import org.postern.filters.ScanMessage;
import org.postern.testkit.Await;

class ClamdSessionTest extends FakeClamdTestBase {
    private static final Duration CACHE = Duration.ofSeconds(10);

    private ClamdFilter filter(Duration timeout) {
        return filter(timeout, CACHE);
    }

    private ClamdFilter filter() {
        return filter(Duration.ofSeconds(20));
    }

    private ScanMessage small(String text) throws Exception {
        return ScanMessages.inMemory(ScanMessages.write(dir, ("Subject: t\r\n\r\n" + text + "\r\n").getBytes(StandardCharsets.US_ASCII)));
    }

    /** OK, or FOUND when the stream just ended contains "VIRUS". */
    private static FakeClamd.Script verdicts() {
        return FakeClamd.sessionReplying(s -> {
            List<Long> ends = s.streamEnds;
            long from = ends.size() > 1 ? ends.get(ends.size() - 2) : 0;
            String stream = new String(s.payload(), (int) from, (int) (s.payloadBytes - from), StandardCharsets.ISO_8859_1);
            return stream.contains("VIRUS") ? "stream: Test.Virus FOUND" : "stream: OK";
        });
    }

    /** Waits until the fake saw {@code s} closed (an assertion: fails after 5 s). */
    private static void awaitClosed(FakeClamd.Session s) {
        Await.until("clamd session " + s.socket.remoteAddress() + " closed", Duration.ofSeconds(5), () -> s.closed);
    }

    @Test
    void messagesInMemoryShareOneConnection_andVerdictsKeepIt() throws Exception {
        FakeClamd fake = fake(verdicts());
        ClamdFilter f = filter();

        List<Kind> kinds = new ArrayList<>();
        for (String text : new String[] {"one", "two VIRUS", "three", "four", "five VIRUS"}) kinds.add(await(f.inspect(small(text))).kind());

        assertThat(kinds).containsExactly(Kind.CLEAN, Kind.INFECTED, Kind.CLEAN, Kind.CLEAN, Kind.INFECTED);
        assertThat(fake.sessions).hasSize(1);
        FakeClamd.Session s = fake.sessions.get(0);
        assertThat(s.command()).isEqualTo("zIDSESSION\0" + "zINSTREAM\0".repeat(5));
        assertThat(s.requests).isEqualTo(5);
        assertThat(s.streamEnds).hasSize(5);
        assertThat(f.sessionsOpened()).isEqualTo(1);
        assertThat(await(f.inspect(small("again"))).detail()).isEmpty();
    }

    @Test
    void messagesStreamedFromTheirFileStillConnectEachTime() throws Exception {
        FakeClamd fake = fake(FakeClamd.replying("stream: OK"));
        ClamdFilter f = filter();
        ScanMessage onDisk = ScanMessages.write(dir, "Subject: t\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(await(f.inspect(onDisk)).kind()).isEqualTo(Kind.CLEAN);
        assertThat(await(f.inspect(onDisk)).kind()).isEqualTo(Kind.CLEAN);
        assertThat(fake.sessions).hasSize(2).allSatisfy(s -> assertThat(s.command()).isEqualTo("zINSTREAM\0"));
        assertThat(f.sessionsOpened()).isZero();
    }

    @Test
    void aSessionClamdDroppedWhileIdleIsReplacedOnce_notTempfail() throws Exception {
        // the first connection answers its first request, then closes on the second without a word
        FakeClamd fake = fake(FakeClamd.atEnd(s -> {
            if (s.requests == 1) s.reply("stream: OK");
            else s.socket.close();
        }));
        ClamdFilter f = filter();
        assertThat(await(f.inspect(small("first"))).kind()).isEqualTo(Kind.CLEAN);

        FilterResult second = await(f.inspect(small("second")));

        assertThat(second.kind()).as("%s", second).isEqualTo(Kind.CLEAN);
        assertThat(fake.sessions).hasSize(2);
        assertThat(fake.sessions.get(1).command()).isEqualTo("zIDSESSION\0zINSTREAM\0");
    }

    @Test
    void aNewConnectionThatClosesWithoutReplyIsTempfail_notRetried() throws Exception {
        FakeClamd fake = fake(FakeClamd.atEnd(s -> s.socket.close()));
        FilterResult r = await(filter().inspect(small("x")));
        assertThat(r.kind()).isEqualTo(Kind.TEMPFAIL);
        assertThat(r.detail()).isEqualTo("clamd at inet:127.0.0.1:" + fakePort + " closed the connection without a reply");
        assertThat(fake.sessions).hasSize(1);
    }

    @Test
    void aReplyThatBrokeOffIsTempfail_notRetried() throws Exception {
        fake(FakeClamd.atEnd(s -> {
            if (s.requests == 1) s.reply("stream: OK");
            else s.socket.write(io.vertx.core.buffer.Buffer.buffer("2: stre")).onComplete(v -> s.socket.close());
        }));
        ClamdFilter f = filter();
        assertThat(await(f.inspect(small("first"))).kind()).isEqualTo(Kind.CLEAN);
        FilterResult r = await(f.inspect(small("second")));
        assertThat(r.kind()).isEqualTo(Kind.TEMPFAIL);
        assertThat(r.detail()).contains("closed the connection in the middle of its reply: 2: stre");
    }

    @Test
    void aClamdWithoutSessionsIsTempfailNamingTheParameter() throws Exception {
        FakeClamd fake = fake(FakeClamd.atEnd(s -> s.socket.write(io.vertx.core.buffer.Buffer.buffer("stream: OK\0"))));
        FilterResult r = await(filter().inspect(small("x")));
        assertThat(r.kind()).isEqualTo(Kind.TEMPFAIL);
        assertThat(r.detail()).contains("answered 'stream: OK' without the session's request id 1")
                .contains("vscan_clamd_connection_cache_time_limit = 0");
        awaitClosed(fake.sessions.get(0));
    }

    @Test
    void aReplyToAnotherRequestIsTempfail() throws Exception {
        fake(FakeClamd.atEnd(s -> s.socket.write(io.vertx.core.buffer.Buffer.buffer("7: stream: OK\0"))));
        FilterResult r = await(filter().inspect(small("x")));
        assertThat(r.kind()).isEqualTo(Kind.TEMPFAIL);
        assertThat(r.detail()).contains("answered '7: stream: OK' without the session's request id 1");
    }

    @Test
    void anErrorReplyEndsTheSession_theNextMessageConnectsAnew() throws Exception {
        java.util.concurrent.atomic.AtomicInteger streams = new java.util.concurrent.atomic.AtomicInteger();
        FakeClamd fake = fake(FakeClamd.sessionReplying(
                s -> streams.incrementAndGet() == 1 ? "INSTREAM size limit exceeded. ERROR" : "stream: OK"));
        ClamdFilter f = filter();
        FilterResult r = await(f.inspect(small("x")));
        assertThat(r.kind()).isEqualTo(Kind.UNSCANNABLE);
        assertThat(r.detail()).isEqualTo("INSTREAM size limit exceeded. ERROR"); // without the request id
        assertThat(await(f.inspect(small("y"))).kind()).isEqualTo(Kind.CLEAN);
        assertThat(fake.sessions).hasSize(2);
        awaitClosed(fake.sessions.get(0));
    }

    @Test
    void aSessionIdleBeyondTheTimeLimitIsClosed_notReused() throws Exception {
        FakeClamd fake = fake(verdicts());
        ClamdFilter f = filter();
        assertThat(await(f.inspect(small("x"))).kind()).isEqualTo(Kind.CLEAN);
        clock.advance(CACHE.minusMillis(1));
        assertThat(await(f.inspect(small("y"))).kind()).isEqualTo(Kind.CLEAN);
        assertThat(fake.sessions).hasSize(1);

        clock.advance(CACHE);
        assertThat(await(f.inspect(small("z"))).kind()).isEqualTo(Kind.CLEAN);

        assertThat(fake.sessions).hasSize(2);
        awaitClosed(fake.sessions.get(0));
    }

    @Test
    void theSweepClosesIdleSessionsWithoutTraffic() throws Exception {
        FakeClamd fake = fake(verdicts());
        ClamdFilter f = new ClamdFilter(VERTX.get(), ClamdAddress.inet("127.0.0.1", fakePort), Duration.ofSeconds(20), Duration.ofSeconds(1), clock);
        closeAfter(() -> await(f.close()));
        assertThat(await(f.inspect(small("x"))).kind()).isEqualTo(Kind.CLEAN);
        clock.advance(Duration.ofSeconds(2));
        awaitClosed(fake.sessions.get(0)); // the periodic sweep runs every second
    }

    @Test
    void aSilentSessionTimesOutAndIsClosed() throws Exception {
        FakeClamd fake = fake(FakeClamd.silent());
        FilterResult r = await(filter(Duration.ofMillis(300)).inspect(small("x")));
        assertThat(r.kind()).isEqualTo(Kind.TEMPFAIL);
        assertThat(r.detail()).startsWith("clamd at inet:127.0.0.1:" + fakePort + " did not answer within 300ms");
        awaitClosed(fake.sessions.get(0));
    }

    @Test
    void concurrentScansOpenAtMostOneConnectionEach_thenReuseThem() throws Exception {
        FakeClamd fake = fake(verdicts());
        ClamdFilter f = filter();
        for (int round = 0; round < 3; round++) {
            List<Future<FilterResult>> all = new ArrayList<>();
            for (int i = 0; i < 8; i++) all.add(f.inspect(small("m" + i + (i == 3 ? " VIRUS" : ""))));
            for (int i = 0; i < 8; i++) assertThat(await(all.get(i)).kind()).isEqualTo(i == 3 ? Kind.INFECTED : Kind.CLEAN);
        }
        assertThat(fake.sessions.size()).isBetween(1, 8);
        assertThat(f.sessionsOpened()).isEqualTo(fake.sessions.size());
    }

    @Test
    void closeEndsTheIdleSessions() throws Exception {
        FakeClamd fake = fake(verdicts());
        ClamdFilter f = new ClamdFilter(VERTX.get(), ClamdAddress.inet("127.0.0.1", fakePort), Duration.ofSeconds(20), CACHE, clock);
        assertThat(await(f.inspect(small("x"))).kind()).isEqualTo(Kind.CLEAN);
        await(f.close());
        awaitClosed(fake.sessions.get(0));
    }
}
