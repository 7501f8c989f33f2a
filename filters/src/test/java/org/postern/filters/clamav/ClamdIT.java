// ClamdIT: ClamdFilter against Debian's real clamd (testkit Clamd, tiny local signature DB) over TCP
// and the UNIX socket -- clean mail, EICAR inline / base64 attachment / zipped attachment, the custom
// signature, StreamMaxLength, a clamd outage and restart, a 20 MB message, many small messages over
// reused IDSESSION connections. Failsafe (mvn verify).
package org.postern.filters.clamav;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postern.filters.clamav.ScanMessages.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postern.filters.FilterResult;
import org.postern.filters.FilterResult.Kind;
import org.postern.filters.ScanMessage;
import org.postern.policies.conf.Config;
import org.postern.testkit.Clamd;

class ClamdIT {
    private static Vertx vertx;
    private static Clamd clamd;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        clamd = Clamd.builder().streamMaxLength(30L << 20).start();
    }

    @AfterAll
    static void stop() {
        if (clamd != null) clamd.close();
        if (vertx != null) await(vertx.close());
    }

    /** The filter as the vscan stage builds it, from main.cf parameters. */
    private static ClamdFilter filter(String address) throws Exception {
        Config config = Config.defaults(dir).withOverrides(Map.of(
                "vscan_clamd_address", address, "vscan_clamd_timeout", "30s"));
        return ClamdFilter.fromConfig(vertx, config).orElseThrow();
    }

    private static String address(Clamd c, String transport) {
        return transport.equals("unix") ? c.unixAddress() : c.tcpAddress();
    }

    /** Scans {@code message} streamed from its file and again from memory (as vscan hands small mail): same verdict. */
    private static FilterResult scan(String transport, byte[] message) throws Exception {
        ClamdFilter f = filter(address(clamd, transport));
        try {
            ScanMessage onDisk = ScanMessages.write(dir, message);
            FilterResult streamed = await(f.inspect(onDisk));
            FilterResult shared = await(f.inspect(ScanMessages.inMemory(onDisk)));
            assertThat(shared.kind()).as("from memory: %s", shared).isEqualTo(streamed.kind());
            assertThat(shared.detail()).isEqualTo(streamed.detail());
            return streamed;
        } finally {
            await(f.close());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void cleanMessage(String transport) throws Exception {
        FilterResult r = scan(transport, mail("Hello", "text/plain", null, "Nothing to see here.\r\n".getBytes()));
        assertThat(r.kind()).as("%s", r).isEqualTo(Kind.CLEAN);
        assertThat(r.detail()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void eicarInlineInTheBody(String transport) throws Exception {
        FilterResult r = scan(transport, mail("Inline", "text/plain", null, concat(Clamd.eicar(), "\r\n".getBytes())));
        assertThat(r.kind()).as("%s", r).isEqualTo(Kind.INFECTED);
        assertThat(r.detail()).isEqualTo(Clamd.EICAR_FOUND);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void eicarAsBase64Attachment(String transport) throws Exception {
        byte[] msg = multipart("eicar.com", "application/octet-stream", Clamd.eicar());
        assertThat(contains(msg, Clamd.eicar())).isFalse(); // found only by decoding the MIME part
        FilterResult r = scan(transport, msg);
        assertThat(r.kind()).as("%s", r).isEqualTo(Kind.INFECTED);
        assertThat(r.detail()).isEqualTo(Clamd.EICAR_FOUND);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void eicarInsideAZipAttachment(String transport) throws Exception {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(zip)) {
            z.putNextEntry(new ZipEntry("readme.txt"));
            z.write("Some harmless text, repeated. ".repeat(200).getBytes());
            z.putNextEntry(new ZipEntry("docs/eicar.com"));
            z.write(concat(Clamd.eicar(), " ".repeat(50).getBytes()));
            z.closeEntry();
        }
        assertThat(contains(zip.toByteArray(), Clamd.eicar())).isFalse(); // deflated: found only by unzipping
        FilterResult r = scan(transport, multipart("invoice.zip", "application/zip", zip.toByteArray()));
        assertThat(r.kind()).as("%s", r).isEqualTo(Kind.INFECTED);
        assertThat(r.detail()).isEqualTo(Clamd.EICAR_FOUND);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void customSignature(String transport) throws Exception {
        byte[] body = ("Please see " + Clamd.TEST_MARKER + " below.\r\n").getBytes(StandardCharsets.US_ASCII);
        FilterResult r = scan(transport, mail("Marker", "text/plain", null, body));
        assertThat(r.kind()).as("%s", r).isEqualTo(Kind.INFECTED);
        assertThat(r.detail()).isEqualTo(Clamd.TEST_SIGNATURE_FOUND);
    }

    @Test
    void messageOverStreamMaxLengthIsUnscannable() throws Exception {
        try (Clamd small = Clamd.builder().streamMaxLength(1 << 20).start()) {
            ScanMessage big = ScanMessages.filler(dir, 6_000_000);
            for (String transport : new String[] {"tcp", "unix"}) {
                ClamdFilter f = filter(address(small, transport));
                for (int i = 0; i < Integer.getInteger("clamd.loops", 3); i++) {
                    FilterResult r = await(f.inspect(big));
                    assertThat(r.kind()).as("%s attempt %d: %s", transport, i, r).isEqualTo(Kind.UNSCANNABLE);
                    assertThat(r.detail()).isEqualTo("INSTREAM size limit exceeded. ERROR");
                }
                await(f.close());
            }
        }
    }

    @Test
    void clamdDownIsTempfailAtOnceAndCleanAgainAfterRestart() throws Exception {
        try (Clamd own = Clamd.builder().start()) {
            ScanMessage m = ScanMessages.write(dir, mail("Hi", "text/plain", null, "hello\r\n".getBytes()));
            ClamdFilter tcp = filter(own.tcpAddress());
            ClamdFilter unix = filter(own.unixAddress());
            assertThat(await(tcp.inspect(m)).kind()).isEqualTo(Kind.CLEAN);
            assertThat(await(unix.inspect(m)).kind()).isEqualTo(Kind.CLEAN);

            own.stop();
            long t0 = System.nanoTime();
            FilterResult downTcp = await(tcp.inspect(m));
            FilterResult downUnix = await(unix.inspect(m));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5)); // refused at once, not the 30 s timeout
            assertThat(downTcp.kind()).isEqualTo(Kind.TEMPFAIL);
            assertThat(downTcp.detail()).startsWith("cannot connect to clamd at " + own.tcpAddress())
                    .containsIgnoringCase("refused");
            assertThat(downUnix.kind()).isEqualTo(Kind.TEMPFAIL);
            assertThat(downUnix.detail()).startsWith("cannot connect to clamd at " + own.unixAddress());

            own.start();
            assertThat(await(tcp.inspect(m)).kind()).isEqualTo(Kind.CLEAN);
            assertThat(await(unix.inspect(m)).kind()).isEqualTo(Kind.CLEAN);
            await(tcp.close());
            await(unix.close());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void smallMessagesShareSessions_verdictsStayRight(String transport) throws Exception {
        ClamdFilter f = filter(address(clamd, transport));
        try {
            ScanMessage clean = ScanMessages.inMemory(ScanMessages.write(dir, mail("Hi", "text/plain", null, "hello\r\n".getBytes())));
            ScanMessage infected = ScanMessages.inMemory(ScanMessages.write(dir, mail("Bad", "text/plain", null, concat(Clamd.eicar(), "\r\n".getBytes()))));
            for (int i = 0; i < 30; i++) {
                FilterResult r = await(f.inspect(i % 3 == 1 ? infected : clean));
                assertThat(r.kind()).as("message %d: %s", i, r).isEqualTo(i % 3 == 1 ? Kind.INFECTED : Kind.CLEAN);
                if (i % 3 == 1) assertThat(r.detail()).isEqualTo(Clamd.EICAR_FOUND);
            }
            assertThat(f.sessionsOpened()).as("one after the other: one connection").isEqualTo(1);

            List<Future<FilterResult>> together = new ArrayList<>();
            for (int i = 0; i < 10; i++) together.add(f.inspect(i == 7 ? infected : clean));
            for (int i = 0; i < 10; i++) assertThat(await(together.get(i)).kind()).isEqualTo(i == 7 ? Kind.INFECTED : Kind.CLEAN);
            assertThat(f.sessionsOpened()).isBetween(1, 11);
        } finally {
            await(f.close());
        }
    }

    @Test
    void sessionOverStreamMaxLengthIsUnscannable_andTheNextMessageIsScanned() throws Exception {
        try (Clamd small = Clamd.builder().streamMaxLength(64 * 1024).start()) {
            ClamdFilter f = filter(small.tcpAddress());
            ScanMessage big = ScanMessages.inMemory(ScanMessages.filler(dir, 100_000));
            ScanMessage ok = ScanMessages.inMemory(ScanMessages.write(dir, mail("Hi", "text/plain", null, "hello\r\n".getBytes())));
            assertThat(await(f.inspect(ok)).kind()).isEqualTo(Kind.CLEAN);
            FilterResult r = await(f.inspect(big));
            assertThat(r.kind()).as("%s", r).isEqualTo(Kind.UNSCANNABLE);
            assertThat(r.detail()).isEqualTo("INSTREAM size limit exceeded. ERROR");
            assertThat(await(f.inspect(ok)).kind()).isEqualTo(Kind.CLEAN);
            await(f.close());
        }
    }

    @Test
    void pooledSessionsSurviveAClamdRestart() throws Exception {
        try (Clamd own = Clamd.builder().start()) {
            ScanMessage m = ScanMessages.inMemory(ScanMessages.write(dir, mail("Hi", "text/plain", null, "hello\r\n".getBytes())));
            ClamdFilter f = filter(own.tcpAddress());
            assertThat(await(f.inspect(m)).kind()).isEqualTo(Kind.CLEAN);

            own.stop(); // the pooled session dies with clamd
            FilterResult down = await(f.inspect(m));
            assertThat(down.kind()).isEqualTo(Kind.TEMPFAIL);
            assertThat(down.detail()).startsWith("cannot connect to clamd at " + own.tcpAddress());

            own.start();
            assertThat(await(f.inspect(m)).kind()).isEqualTo(Kind.CLEAN);
            assertThat(await(f.inspect(m)).kind()).isEqualTo(Kind.CLEAN);
            await(f.close());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void twentyMegabyteMessageStreamsToTheEnd(String transport) throws Exception {
        // EICAR as the very last line: found only if all 20 MB reached clamd
        byte[] head = mail("Big", "text/plain", null, new byte[0]);
        ScanMessage m = ScanMessages.filler(dir, head, 20L << 20, concat(Clamd.eicar(), "\r\n".getBytes()));
        ClamdFilter f = filter(address(clamd, transport));
        FilterResult r = await(f.inspect(m));
        await(f.close());
        assertThat(r.kind()).as("%s", r).isEqualTo(Kind.INFECTED);
        assertThat(r.detail()).isEqualTo(Clamd.EICAR_FOUND);
    }

    // ---- message builders ---------------------------------------------------------------------

    private static byte[] mail(String subject, String type, String extraHeaders, byte[] body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(("From: sender@example.test\r\nTo: rcpt@example.test\r\nSubject: " + subject
                + "\r\nMessage-ID: <" + subject.hashCode() + "@example.test>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: " + type + "\r\n" + (extraHeaders == null ? "" : extraHeaders) + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        return out.toByteArray();
    }

    /** A text part and one base64 attachment, CRLF line ends, 76-column base64. */
    private static byte[] multipart(String filename, String type, byte[] attachment) throws IOException {
        String b64 = Base64.getMimeEncoder(76, "\r\n".getBytes()).encodeToString(attachment);
        String body = "--b0undary\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nSee the attachment.\r\n"
                + "--b0undary\r\nContent-Type: " + type + "; name=\"" + filename + "\"\r\n"
                + "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"" + filename
                + "\"\r\n\r\n" + b64 + "\r\n--b0undary--\r\n";
        return mail("Attachment " + filename, "multipart/mixed; boundary=\"b0undary\"", null,
                body.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return true;
        }
        return false;
    }
}
