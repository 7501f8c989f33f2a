// RawSmtpClientTest: reply parsing (multi-line, LF-only, malformed), timeouts that quote partial
// input, and detection of a server close, against a scripted in-process server.
// Unit test of testkit's RawSmtpClient.
package org.postern.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RawSmtpClientTest {
    private ServerSocket server;
    private final CompletableFuture<byte[]> received = new CompletableFuture<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch written = new CountDownLatch(1);

    @BeforeEach
    void listen() throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void stop() throws IOException {
        release.countDown();
        server.close();
    }

    /** Accepts one connection, writes {@code script}, waits for {@code release} (or a close), reads what came. */
    private void serve(String script, boolean closeAfter) {
        Thread t = new Thread(() -> {
            try (Socket s = server.accept()) {
                s.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
                s.getOutputStream().flush();
                written.countDown();
                if (!closeAfter) release.await(10, TimeUnit.SECONDS);
                s.shutdownOutput();
                s.setSoTimeout(2000);
                received.complete(readAvailable(s.getInputStream()));
            } catch (Exception e) {
                received.completeExceptionally(e);
            }
        });
        t.setDaemon(true);
        t.start();
    }

    private static byte[] readAvailable(InputStream in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = new byte[1024];
        try {
            int n;
            while ((n = in.read(b)) > 0) out.write(b, 0, n);
        } catch (IOException ignored) {
            // timeout: return what came
        }
        return out.toByteArray();
    }

    @Test
    void parsesSingleAndMultiLineReplies() throws Exception {
        serve("220 mx.test ESMTP\r\n250-mx.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n550 5.7.1 <x@y>: Relay access denied\r\n", false);
        try (RawSmtpClient c = RawSmtpClient.connect(server.getLocalPort())) {
            RawSmtpClient.Reply greeting = c.readReply();
            assertThat(greeting.code()).isEqualTo(220);
            assertThat(greeting.text()).isEqualTo("mx.test ESMTP");
            RawSmtpClient.Reply ehlo = c.readReply();
            assertThat(ehlo.code()).isEqualTo(250);
            assertThat(ehlo.lines()).containsExactly("mx.test", "PIPELINING", "8BITMIME");
            assertThat(ehlo.isMultiline()).isTrue();
            assertThat(ehlo.raw()).isEqualTo("250-mx.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
            RawSmtpClient.Reply denied = c.readReply();
            assertThat(denied.isPermanent()).isTrue();
            assertThat(denied.enhancedStatus()).isEqualTo("5.7.1");
            assertThat(c.serverClosed()).isFalse();
        }
    }

    @Test
    void sendsExactBytesWithoutAddingLineEnds() throws Exception {
        serve("220 ok\r\n", false);
        try (RawSmtpClient c = RawSmtpClient.connect(server.getLocalPort())) {
            c.readReply();
            c.send("MAIL FROM:<a@b>\n").send(new byte[] {'x', '\r', 0}).sendLine("QUIT");
            c.shutdownOutput();
            release.countDown();
            assertThat(received.get(5, TimeUnit.SECONDS))
                    .isEqualTo("MAIL FROM:<a@b>\nx\r\0QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    @Test
    void acceptsBareLfRepliesAndCodeOnlyLines() throws Exception {
        serve("220 lf only\n250\r\n", false);
        try (RawSmtpClient c = RawSmtpClient.connect(server.getLocalPort())) {
            assertThat(c.readReply().raw()).isEqualTo("220 lf only\n");
            RawSmtpClient.Reply bare = c.readReply();
            assertThat(bare.code()).isEqualTo(250);
            assertThat(bare.text()).isEmpty();
        }
    }

    @Test
    void timeoutQuotesPartialReply() throws Exception {
        serve("220-first line\r\n220-second", false);
        try (RawSmtpClient c = RawSmtpClient.connect(server.getLocalPort())) {
            assertThat(written.await(10, TimeUnit.SECONDS)).isTrue();   // on loopback the bytes are then in our receive queue
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> c.readReply(Duration.ofMillis(300)))
                    .isInstanceOf(SocketTimeoutException.class)
                    .hasMessageContaining("300 ms")
                    .hasMessageContaining("220-first line\\r\\n220-second");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void detectsServerClose() throws Exception {
        serve("421 4.3.2 bye\r\n", true);
        try (RawSmtpClient c = RawSmtpClient.connect(server.getLocalPort())) {
            assertThat(c.awaitClose(Duration.ofSeconds(5))).isTrue();
            assertThat(c.serverClosed()).isTrue();
            assertThat(c.readReply().code()).isEqualTo(421);   // bytes read while waiting stay readable
            assertThatThrownBy(c::readReply).isInstanceOf(EOFException.class)
                    .hasMessageContaining("server closed the connection");
        }
    }

    @Test
    void readUntilClosedReturnsEverythingAndReportsOpenConnection() throws Exception {
        serve("220 a\r\n250 b\r\n", false);
        try (RawSmtpClient c = RawSmtpClient.connect(server.getLocalPort())) {
            assertThat(written.await(10, TimeUnit.SECONDS)).isTrue();   // on loopback the bytes are then in our receive queue
            byte[] all = c.readUntilClosed(Duration.ofMillis(300));
            assertThat(new String(all, StandardCharsets.US_ASCII)).isEqualTo("220 a\r\n250 b\r\n");
            assertThat(c.serverClosed()).isFalse();
            assertThat(c.awaitClose(Duration.ofMillis(100))).isFalse();
            release.countDown();
            assertThat(c.readUntilClosed(Duration.ofSeconds(5))).isEmpty();
            assertThat(c.serverClosed()).isTrue();
        }
    }

    @Test
    void rejectsLinesThatAreNotReplies() throws Exception {
        serve("hello there\r\n", false);
        try (RawSmtpClient c = RawSmtpClient.connect(server.getLocalPort())) {
            assertThatThrownBy(c::readReply).isInstanceOf(IOException.class)
                    .hasMessageContaining("not an SMTP reply line").hasMessageContaining("hello there");
        }
    }

    @Test
    void sendMessageRunsTheTransaction() throws Exception {
        serve("220 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n250 2.0.0 queued\r\n", false);
        try (RawSmtpClient c = RawSmtpClient.connect(server.getLocalPort())) {
            c.readReply();
            RawSmtpClient.Reply r = c.sendMessage("a@b.test", List.of("c@example.test"), Mails.crlf(".x\n"));
            assertThat(r.code()).isEqualTo(250);
            c.shutdownOutput();
            release.countDown();
            assertThat(new String(received.get(5, TimeUnit.SECONDS), StandardCharsets.US_ASCII))
                    .isEqualTo("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@example.test>\r\nDATA\r\n..x\r\n.\r\n");
        }
    }
}
