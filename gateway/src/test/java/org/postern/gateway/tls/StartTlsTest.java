// StartTlsTest: STARTTLS (RFC 3207) on a plaintext Vert.x 5.0.8 NetServer as smtpd does it through
// StartTls.upgrade: the handshake, the session read back for Received:, and plaintext sent after
// STARTTLS -- same packet, later packet, queued while paused -- never taken as a command (CVE-2011-0411).
package org.postern.gateway.tls;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.postern.gateway.tls.TestCerts.readLine;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartTlsTest {
    static Vertx vertx;
    @TempDir
    static Path data;
    static ServerTls tls;

    @BeforeAll
    static void setUp() throws Exception {
        vertx = Vertx.vertx();
        tls = ServerTls.load(null, null, data, "mx.test.example",
                Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC));
    }

    @AfterAll
    static void tearDown() throws Exception {
        await(vertx.close());
    }

    static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    /**
     * A minimal smtpd-like server: "220 ready", one command per CRLF line, "250 ok" to each. On
     * STARTTLS a session ignores the rest of its plaintext parser's input and hands over to StartTls.
     * Each connection's {@code events} records commands ("plain:X", "tls:X") and "established" in
     * order. A fresh NetServer resolves its SSL context anew (asynchronously) on the first STARTTLS.
     */
    static final class StartTlsServer {
        final BlockingQueue<Conn> connections = new LinkedBlockingQueue<>();
        volatile boolean pauseFirst;
        NetServer server;

        int start() throws Exception {
            server = await(vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0))
                    .connectHandler(so -> connections.add(new Conn(so, pauseFirst))).listen());
            return server.actualPort();
        }

        Conn next() throws InterruptedException {
            Conn c = connections.poll(10, TimeUnit.SECONDS);
            assertThat(c).as("accepted connection").isNotNull();
            return c;
        }

        void close() throws Exception {
            await(server.close());
        }
    }

    static final class Conn {
        final NetSocket so;
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<String> ignoredLines = new CopyOnWriteArrayList<>();
        final CompletableFuture<StartTls.Result> result = new CompletableFuture<>();
        final CompletableFuture<Void> startTlsSeen = new CompletableFuture<>();
        /** One permit per read from the socket, so a test knows two packets were read apart. */
        final Semaphore reads = new Semaphore(0);

        Conn(NetSocket so, boolean pauseFirst) {
            this.so = so;
            ((NetSocketInternal) so).channelHandlerContext().pipeline().addFirst("read-probe",
                    new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            reads.release();
                            ctx.fireChannelRead(msg);
                        }
                    });
            if (pauseFirst) so.pause(); // as smtpd does while it is busy with a command
            so.write("220 ready\r\n");
            boolean[] tlsRequested = {false};
            RecordParser plain = RecordParser.newDelimited("\r\n");
            plain.handler(line -> {
                String cmd = line.toString(US_ASCII);
                if (tlsRequested[0]) { // pipelined after STARTTLS in the same read: never a command
                    ignoredLines.add(cmd);
                    return;
                }
                events.add("plain:" + cmd);
                if (!cmd.equals("STARTTLS")) {
                    so.write("250 ok\r\n");
                    return;
                }
                tlsRequested[0] = true;
                startTlsSeen.complete(null);
                RecordParser secure = RecordParser.newDelimited("\r\n", l -> {
                    events.add("tls:" + l.toString(US_ASCII));
                    so.write("250 ok\r\n");
                });
                StartTls.upgrade(so, tls.sslOptions(), Buffer.buffer("220 go ahead\r\n"), secure)
                        .onSuccess(r -> {
                            events.add("established");
                            result.complete(r);
                        })
                        .onFailure(err -> {
                            result.completeExceptionally(err);
                            so.close();
                        });
            });
            so.handler(plain);
        }
    }

    static SSLSocket handshake(Socket raw, int port) throws Exception {
        SSLSocket s = (SSLSocket) TestCerts.trusting(tls.certificate()).getSocketFactory()
                .createSocket(raw, "127.0.0.1", port, true);
        s.startHandshake();
        return s;
    }

    static Socket connect(int port) throws IOException {
        Socket raw = new Socket("127.0.0.1", port);
        raw.setSoTimeout(10_000);
        raw.setTcpNoDelay(true);
        return raw;
    }

    static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(US_ASCII));
    }

    /** A whole well-behaved session: STARTTLS, handshake, NOOP under TLS. */
    static void cleanSession(StartTlsServer srv, int port) throws Exception {
        try (Socket raw = connect(port)) {
            Conn c = srv.next();
            assertThat(readLine(raw.getInputStream())).isEqualTo("220 ready");
            send(raw, "STARTTLS\r\n");
            assertThat(readLine(raw.getInputStream())).isEqualTo("220 go ahead");
            try (SSLSocket s = handshake(raw, port)) {
                send(s, "NOOP\r\n");
                assertThat(readLine(s.getInputStream())).isEqualTo("250 ok");
            }
            assertThat(c.events).containsExactly("plain:STARTTLS", "established", "tls:NOOP");
        }
    }

    @Test
    void upgradesAPlaintextConnectionAndReadsTheSession() throws Exception {
        StartTlsServer srv = new StartTlsServer();
        int port = srv.start();
        Conn c;
        try (Socket raw = connect(port)) {
            c = srv.next();
            InputStream in = raw.getInputStream();
            assertThat(readLine(in)).isEqualTo("220 ready");
            send(raw, "EHLO client.example\r\n");
            assertThat(readLine(in)).isEqualTo("250 ok");
            send(raw, "STARTTLS\r\n");
            assertThat(readLine(in)).isEqualTo("220 go ahead");
            try (SSLSocket s = handshake(raw, port)) {
                send(s, "EHLO client.example\r\n");
                assertThat(readLine(s.getInputStream())).isEqualTo("250 ok");
                StartTls.Result r = c.result.get(10, TimeUnit.SECONDS);
                assertThat(r.discardedBytes()).isZero();
                TlsSessionInfo info = r.session();
                assertThat(info.protocol()).isEqualTo("TLSv1.3").isEqualTo(s.getSession().getProtocol());
                assertThat(info.cipherSuite()).isEqualTo(s.getSession().getCipherSuite()).startsWith("TLS_");
                assertThat(info.describe()).matches("TLSv1\\.3 with cipher TLS_\\w+ \\((128/128|256/256) bits\\)");
            }
        } finally {
            srv.close();
        }
        assertThat(c.events).containsExactly(
                "plain:EHLO client.example", "plain:STARTTLS", "established", "tls:EHLO client.example");
    }

    @Test
    void decryptedInputArrivesOnlyOnceTheSessionIsEstablished() throws Exception {
        StartTlsServer srv = new StartTlsServer();
        int port = srv.start();
        Conn c;
        try (Socket raw = connect(port)) {
            c = srv.next();
            assertThat(readLine(raw.getInputStream())).isEqualTo("220 ready");
            send(raw, "STARTTLS\r\n");
            assertThat(readLine(raw.getInputStream())).isEqualTo("220 go ahead");
            EngineClient client = new EngineClient(TestCerts.trusting(tls.certificate()), raw);
            client.handshakeAndSend("NOOP\r\n"); // Finished + NOOP in one packet
            assertThat(client.readLine()).isEqualTo("250 ok");
        } finally {
            srv.close();
        }
        assertThat(c.events).containsExactly("plain:STARTTLS", "established", "tls:NOOP");
    }

    @Test
    void plaintextPipelinedInTheSamePacketIsDiscarded() throws Exception {
        StartTlsServer srv = new StartTlsServer();
        int port = srv.start();
        Conn c;
        try (Socket raw = connect(port)) {
            c = srv.next();
            InputStream in = raw.getInputStream();
            assertThat(readLine(in)).isEqualTo("220 ready");
            send(raw, "STARTTLS\r\nRSET\r\nMAIL FROM:<evil@example>\r\n"); // one write, one packet
            assertThat(readLine(in)).isEqualTo("220 go ahead");
            try (SSLSocket s = handshake(raw, port)) {
                send(s, "NOOP\r\n");
                assertThat(readLine(s.getInputStream())).isEqualTo("250 ok");
                send(s, "QUIT\r\n");
                assertThat(readLine(s.getInputStream())).isEqualTo("250 ok");
            }
        } finally {
            srv.close();
        }
        assertThat(c.events).containsExactly("plain:STARTTLS", "established", "tls:NOOP", "tls:QUIT");
        // one write on loopback arrives as one read: the line parser held the rest and ignored it
        assertThat(c.ignoredLines).containsExactly("RSET", "MAIL FROM:<evil@example>");
        assertThat(c.result.get().discardedBytes()).isZero();
    }

    @Test
    void plaintextSentWhileTheServerSetsUpTlsIsNeverACommand() throws Exception {
        // Vert.x 5.0.8 resolves the SSL context asynchronously and parks what it reads meanwhile;
        // without StartTls's guard this RSET comes out after the handshake as a TLS command.
        StartTlsServer srv = new StartTlsServer();
        int port = srv.start();
        Conn c;
        String reply = null;
        try (Socket raw = connect(port)) {
            c = srv.next();
            InputStream in = raw.getInputStream();
            assertThat(readLine(in)).isEqualTo("220 ready");
            send(raw, "STARTTLS\r\n");
            c.startTlsSeen.get(10, TimeUnit.SECONDS);
            send(raw, "RSET\r\n"); // a second packet, after the server has read STARTTLS
            assertThat(readLine(in)).isEqualTo("220 go ahead");
            try (SSLSocket s = handshake(raw, port)) {
                send(s, "NOOP\r\n");
                reply = readLine(s.getInputStream());
            } catch (IOException e) {
                // acceptable too: RSET reached the TLS handler after all and broke the handshake
            }
        } finally {
            srv.close();
        }
        assertThat(c.events).doesNotContain("tls:RSET");
        if (reply != null) {
            assertThat(c.events).containsExactly("plain:STARTTLS", "established", "tls:NOOP");
            assertThat(c.result.get().discardedBytes()).isEqualTo("RSET\r\n".length());
        }
    }

    @Test
    void plaintextQueuedWhileTheSocketWasPausedIsDiscarded() throws Exception {
        StartTlsServer srv = new StartTlsServer();
        int port = srv.start();
        cleanSession(srv, port); // SSL context now resolved and cached: the upgrade can be synchronous
        srv.pauseFirst = true;
        Conn c;
        try (Socket raw = connect(port)) {
            c = srv.next();
            InputStream in = raw.getInputStream();
            assertThat(readLine(in)).isEqualTo("220 ready");
            // the session is paused (busy): both packets are read and queued inside Vert.x, apart
            send(raw, "STARTTLS\r\n");
            assertThat(c.reads.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
            send(raw, "RSET\r\n");
            assertThat(c.reads.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
            vertx.runOnContext(v -> c.so.resume());
            assertThat(readLine(in)).isEqualTo("220 go ahead");
            try (SSLSocket s = handshake(raw, port)) {
                send(s, "NOOP\r\n");
                assertThat(readLine(s.getInputStream())).isEqualTo("250 ok");
            }
        } finally {
            srv.close();
        }
        assertThat(c.events).containsExactly("plain:STARTTLS", "established", "tls:NOOP");
        assertThat(c.ignoredLines).isEmpty();
        assertThat(c.result.get().discardedBytes()).isEqualTo("RSET\r\n".length());
    }

    @Test
    void tls12OnlyClientGetsTls12() throws Exception {
        StartTlsServer srv = new StartTlsServer();
        int port = srv.start();
        try (Socket raw = connect(port)) {
            Conn c = srv.next();
            assertThat(readLine(raw.getInputStream())).isEqualTo("220 ready");
            send(raw, "STARTTLS\r\n");
            assertThat(readLine(raw.getInputStream())).isEqualTo("220 go ahead");
            try (SSLSocket s = (SSLSocket) TestCerts.trusting(tls.certificate()).getSocketFactory()
                    .createSocket(raw, "127.0.0.1", port, true)) {
                s.setEnabledProtocols(new String[] {"TLSv1.2"});
                s.startHandshake();
                TlsSessionInfo info = c.result.get(10, TimeUnit.SECONDS).session();
                assertThat(info.protocol()).isEqualTo("TLSv1.2");
                assertThat(info.cipherSuite()).startsWith("TLS_ECDHE_ECDSA_WITH_");
                assertThat(info.describe()).matches("TLSv1\\.2 with cipher TLS_ECDHE_ECDSA_WITH_AES_(256|128)_GCM_SHA(384|256) \\((256/256|128/128) bits\\)");
            }
        } finally {
            srv.close();
        }
    }

    @Test
    void failedHandshakeFailsTheFuture() throws Exception {
        StartTlsServer srv = new StartTlsServer();
        int port = srv.start();
        Conn c;
        try (Socket raw = connect(port)) {
            c = srv.next();
            assertThat(readLine(raw.getInputStream())).isEqualTo("220 ready");
            send(raw, "STARTTLS\r\n");
            assertThat(readLine(raw.getInputStream())).isEqualTo("220 go ahead");
            send(raw, "EHLO not-tls\r\n"); // not a ClientHello
            assertThat(c.result).failsWithin(10, TimeUnit.SECONDS);
        } finally {
            srv.close();
        }
        assertThat(c.events).containsExactly("plain:STARTTLS");
    }

    @Test
    void upgradeWithoutOptionsFailsOnAPlaintextServer() throws Exception {
        // Pitfall: a NetServer created without SSL options cannot upgradeToSsl() with no arguments;
        // pass ServerTls.sslOptions() explicitly.
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        NetServer server = await(vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0))
                .connectHandler(so -> so.upgradeToSsl()
                        .onComplete(ar -> failure.complete(ar.failed() ? ar.cause() : null)))
                .listen());
        try (Socket raw = new Socket("127.0.0.1", server.actualPort())) {
            assertThat(failure.get(10, TimeUnit.SECONDS)).isNotNull().hasMessageContaining("Missing SSL options");
        } finally {
            await(server.close());
        }
    }
}
