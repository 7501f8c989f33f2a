// RspamdIT: RspamdFilter against Debian's real rspamd 3.4 (testkit Rspamd, no network lookups): GTUBE is
// rejected, a plain mail gets "no action", the envelope headers reach rspamd (its task log and
// envelope-dependent symbols), milter header edits, the same over rspamd's UNIX socket, an outage gives
// TEMPFAIL and a restart heals it.
package org.postern.filters.rspamd;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.ClientInfo;
import org.postern.core.Envelope;
import org.postern.filters.FilterResult;
import org.postern.filters.FilterResult.Kind;
import org.postern.filters.HeaderEdit;
import org.postern.filters.SpamReport;
import org.postern.testkit.Rspamd;

class RspamdIT {
    /** "Well under a second": Debian's rspamd 3.4 takes 10-100 ms here without network lookups. */
    private static final Duration SCAN_LIMIT = Duration.ofMillis(1000);

    private static Vertx vertx;
    private static Rspamd rspamd;
    private static RspamdFilter filter;
    @TempDir
    Path dir;

    @BeforeAll
    static void start(@TempDir Path tmp) throws Exception {
        long t0 = System.nanoTime();
        rspamd = Rspamd.builder()
                .local("milter_headers.conf", "use = [\"x-rspamd-queue-id\", \"x-spamd-result\"];\n")
                .start();
        System.out.println("RspamdIT: rspamd ready in " + Duration.ofNanos(System.nanoTime() - t0).toMillis() + " ms");
        vertx = Vertx.vertx();
        filter = new RspamdFilter(vertx, URI.create(rspamd.url()), Duration.ofSeconds(10), "", Clock.systemUTC());
        // this JVM's first request loads and initialises WebClient and Netty (about a second on a busy
        // machine); rspamd itself was warmed up by the testkit. Not counted against SCAN_LIMIT.
        t0 = System.nanoTime();
        FilterResult first = FakeRspamdTestBase.await(filter.inspect(TestMessages.write(tmp, TestMessages.envelope(),
                TestMessages.clean("alice@example.org", "bob@example.net", "warm-up@example.org"))));
        System.out.println("RspamdIT: first scan of this JVM " + first.kind() + " in "
                + Duration.ofNanos(System.nanoTime() - t0).toMillis() + " ms");
        assertThat(first.kind()).isEqualTo(Kind.SCORED);
    }

    @AfterAll
    static void stop() {
        try {
            if (rspamd != null) rspamd.close();
        } finally {
            if (filter != null) FakeRspamdTestBase.await(filter.close());
            if (vertx != null) FakeRspamdTestBase.await(vertx.close());
        }
    }

    private FilterResult scan(Envelope env, String content) throws Exception {
        long t0 = System.nanoTime();
        FilterResult r = FakeRspamdTestBase.await(filter.inspect(TestMessages.write(dir, env, content)));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        System.out.println("RspamdIT: " + env.queueId() + " " + r.kind() + " in " + took.toMillis() + " ms"
                + (r.spam() == null ? ": " + r.detail() : ": " + r.spam().action() + " " + r.spam().score()));
        assertThat(took).as("scan time; rspamd: " + rspamd.describe()).isLessThan(SCAN_LIMIT);
        assertThat(r.elapsed()).isLessThan(SCAN_LIMIT);
        return r;
    }

    private static List<String> names(FilterResult r) {
        return r.spam().symbols().stream().map(SpamReport.Symbol::name).toList();
    }

    /** rspamd's task log line for {@code queueId}. */
    private static String scanLogLine(String queueId) {
        return rspamd.scanLog().stream().filter(l -> l.contains("qid: <" + queueId + ">")).findFirst()
                .orElseThrow(() -> new AssertionError("no scan of " + queueId + " in " + rspamd.describe()));
    }

    @Test
    void gtubeIsRejected() throws Exception {
        FilterResult r = scan(TestMessages.envelope("GTUBE00001", TestMessages.client("mail.example.org",
                "192.0.2.7", "mail.example.org", null), "alice@example.org", "bob@example.net"),
                TestMessages.gtube("alice@example.org", "bob@example.net", "gtube1@example.org"));

        assertThat(r.kind()).isEqualTo(Kind.SCORED);
        SpamReport spam = r.spam();
        assertThat(spam.action()).isEqualTo("reject");
        assertThat(spam.score()).isGreaterThanOrEqualTo(spam.required());
        assertThat(spam.required()).isEqualTo(15.0); // Debian's actions.conf
        assertThat(names(r)).contains("GTUBE");
    }

    @Test
    void scansOverTheWorkersUnixSocket() throws Exception {
        RspamdFilter overSocket = new RspamdFilter(vertx, URI.create(rspamd.socketUrl()), Duration.ofSeconds(10), "",
                Clock.systemUTC());
        try {
            Envelope env = TestMessages.envelope("UNIXSOCK01", TestMessages.client("mail.example.org", "192.0.2.9",
                    "mail.example.org", null), "alice@example.org", "bob@example.net");
            FilterResult r = FakeRspamdTestBase.await(overSocket.inspect(TestMessages.write(dir, env,
                    TestMessages.gtube("alice@example.org", "bob@example.net", "unix1@example.org"))));

            assertThat(r.kind()).as("%s", r).isEqualTo(Kind.SCORED);
            assertThat(r.spam().action()).isEqualTo("reject");
            assertThat(names(r)).contains("GTUBE");
            assertThat(scanLogLine("UNIXSOCK01")).contains("ip: 192.0.2.9");
        } finally {
            FakeRspamdTestBase.await(overSocket.close());
        }
    }

    @Test
    void aPlainMailGetsNoActionAndItsSymbols() throws Exception {
        FilterResult r = scan(TestMessages.envelope(), TestMessages.clean("alice@example.org", "bob@example.net",
                "clean1@example.org"));

        assertThat(r.kind()).isEqualTo(Kind.SCORED);
        SpamReport spam = r.spam();
        assertThat(spam.action()).isEqualTo("no action");
        assertThat(spam.score()).isLessThan(4.0); // below Debian's lowest action (greylist)
        assertThat(spam.required()).isEqualTo(15.0);
        assertThat(names(r)).isNotEmpty().contains("FROM_HAS_DN", "MID_RHS_MATCH_FROM");
        assertThat(spam.symbols()).isSortedAccordingTo((a, b) -> Double.compare(b.score(), a.score()));
    }

    @Test
    void theEnvelopeReachesRspamd() throws Exception {
        // hfilter skips authenticated clients, so the Hostname checks run without a SASL user
        FilterResult withName = scan(TestMessages.envelope("ENVKNOWN01", TestMessages.client("mail.example.org",
                "192.0.2.7", "mail.example.org", null), "alice@example.org", "bob@example.net", "carol@example.net"),
                TestMessages.clean("alice@example.org", "bob@example.net", "env1@example.org"));
        assertThat(names(withName)).contains("FROM_EQ_ENVFROM").doesNotContain("HFILTER_HOSTNAME_UNKNOWN");
        assertThat(scanLogLine("ENVKNOWN01")).contains("ip: 192.0.2.7", "from: <alice@example.org>",
                "rcpts: <bob@example.net,carol@example.net>", "dns req: 0").doesNotContain("user:");

        ClientInfo unknown = TestMessages.client("unknown", "198.51.100.9", "[198.51.100.9]", null);
        FilterResult noName = scan(TestMessages.envelope("ENVUNKNOWN1", unknown, "", "bob@example.net"),
                TestMessages.clean("alice@example.org", "bob@example.net", "env2@example.org"));
        assertThat(names(noName)).contains("HFILTER_HOSTNAME_UNKNOWN").doesNotContain("FROM_EQ_ENVFROM");
        assertThat(scanLogLine("ENVUNKNOWN1")).contains("ip: 198.51.100.9", "rcpts: <bob@example.net>", "dns req: 0")
                .doesNotContain("from: <alice");

        ClientInfo authed = TestMessages.client("unknown", "198.51.100.10", "laptop", "alice");
        FilterResult auth = scan(TestMessages.envelope("ENVAUTHED01", authed, "alice@example.org", "bob@example.net"),
                TestMessages.clean("alice@example.org", "bob@example.net", "env3@example.org"));
        assertThat(names(auth)).doesNotContain("HFILTER_HOSTNAME_UNKNOWN"); // skipped: authenticated
        assertThat(scanLogLine("ENVAUTHED01")).contains("ip: 198.51.100.10", "user: alice",
                "from: <alice@example.org>", "dns req: 0");
    }

    @Test
    void milterHeadersOfARealRspamdBecomeHeaderEdits() throws Exception {
        FilterResult r = scan(TestMessages.envelope("MILTER0001", TestMessages.client("mail.example.org",
                "192.0.2.7", "mail.example.org", null), "alice@example.org", "bob@example.net"),
                TestMessages.clean("alice@example.org", "bob@example.net", "milter1@example.org"));

        assertThat(r.headerEdits()).contains(
                new HeaderEdit(HeaderEdit.Op.REMOVE, "X-Spam", "", 0),
                new HeaderEdit(HeaderEdit.Op.ADD, "X-Rspamd-Queue-Id", "MILTER0001", RspamdReply.APPEND));
        assertThat(r.headerEdits()).anySatisfy(e -> {
            assertThat(e.op()).isEqualTo(HeaderEdit.Op.ADD);
            assertThat(e.name()).isEqualTo("X-Spamd-Result");
            assertThat(e.value()).startsWith("default: False [");
        });
    }

    @Test
    void concurrentScansAllGetTheirScores() throws Exception {
        // rspamd ends every connection after its reply: a pooled connection must never be reused
        List<Future<FilterResult>> all = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < 24; i++) {
            Envelope env = TestMessages.envelope(String.format("CONC%06d", i), TestMessages.client("mail.example.org",
                    "192.0.2.7", "mail.example.org", null), "alice@example.org", "bob@example.net");
            String content = i % 2 == 0
                    ? TestMessages.gtube("alice@example.org", "bob@example.net", "conc" + i + "@example.org")
                    : TestMessages.clean("alice@example.org", "bob@example.net", "conc" + i + "@example.org");
            all.add(filter.inspect(TestMessages.write(dir, env, content)));
        }
        for (int i = 0; i < all.size(); i++) {
            FilterResult r = FakeRspamdTestBase.await(all.get(i));
            assertThat(r.kind()).as(r.detail()).isEqualTo(Kind.SCORED);
            assertThat(r.spam().action()).isEqualTo(i % 2 == 0 ? "reject" : "no action");
            assertThat(r.elapsed()).isLessThan(SCAN_LIMIT);
        }
        System.out.println("RspamdIT: 24 concurrent scans in " + Duration.ofNanos(System.nanoTime() - t0).toMillis()
                + " ms");
    }

    @Test
    void anOutageIsTempfailAndARestartHealsIt() throws Exception {
        Envelope env = TestMessages.envelope();
        String content = TestMessages.clean("alice@example.org", "bob@example.net", "outage1@example.org");
        try {
            rspamd.stop();
            FilterResult down = scan(env, content);
            assertThat(down.kind()).isEqualTo(Kind.TEMPFAIL);
            assertThat(down.spam()).isNull();
            assertThat(down.detail()).contains(rspamd.url()).containsIgnoringCase("refused");
        } finally {
            long t0 = System.nanoTime();
            rspamd.restart();
            System.out.println("RspamdIT: rspamd restarted in " + Duration.ofNanos(System.nanoTime() - t0).toMillis()
                    + " ms");
        }
        FilterResult up = scan(env, content);
        assertThat(up.kind()).isEqualTo(Kind.SCORED);
        assertThat(up.spam().action()).isEqualTo("no action");
    }
}
