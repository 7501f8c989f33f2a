// SmtpdStuckClientTest: a client that sends commands and never reads the replies fills the socket buffers;
// the session then waits on its writes, smtpd_timeout ends it -- and the connection must really close, or
// the client keeps a session slot and its connection count for ever (a cheap denial of service).
package org.postern.gateway.smtpd;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.gateway.GatewayHarness;
import org.postern.gateway.LogCapture;
import org.postern.testkit.Await;
import org.postern.testkit.RawSmtpClient;

class SmtpdStuckClientTest {
    /** A client outside the harness's mynetworks, so the connection count limit applies to it. */
    private static final String OUTSIDER = "127.0.0.2";

    @TempDir Path dir;

    /** 220, or the 421 of the connection count limit, for a new connection from OUTSIDER. */
    private static int greeting(GatewayHarness gw) throws Exception {
        try (RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", gw.port, Duration.ofSeconds(10), OUTSIDER)) {
            return c.readReply().code();
        }
    }

    @Test
    void aClientThatNeverReadsIsCutOffAfterTheTimeout() throws Exception {
        try (LogCapture log = LogCapture.of("postern.smtpd");
             GatewayHarness gw = GatewayHarness.start(dir, String.join("\n", "smtpd_timeout = 2s",
                     "smtpd_client_connection_count_limit = 1", "smtpd_forbid_unauth_pipelining = no", ""));
             SocketChannel stuck = SocketChannel.open()) {
            stuck.setOption(StandardSocketOptions.SO_RCVBUF, 1024); // before connect: a small window
            stuck.bind(new InetSocketAddress(OUTSIDER, 0));
            stuck.connect(new InetSocketAddress("127.0.0.1", gw.port));
            stuck.configureBlocking(false);
            // EHLO after EHLO, never reading: the replies fill both sides' buffers until smtpd waits on its writes
            ByteBuffer ehlos = ByteBuffer.wrap("EHLO stuck.test\r\n".repeat(20_000).getBytes(StandardCharsets.US_ASCII));
            long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            try (Selector writable = Selector.open()) {
                stuck.register(writable, SelectionKey.OP_WRITE);
                // until smtpd stops reading and the client's buffers are full too, or 5 s have passed
                for (long left; ehlos.hasRemaining() && (left = (until - System.nanoTime()) / 1_000_000) > 0; ) {
                    if (writable.select(left) > 0) {
                        writable.selectedKeys().clear();
                        stuck.write(ehlos);
                    }
                }
            }
            assertThat(greeting(gw)).as("the stuck session still counts").isEqualTo(421);

            // smtpd_timeout (2s) ends the session, the unread replies are dropped after at most as long again
            Await.until("the stuck connection closed", Duration.ofSeconds(15), () -> greeting(gw) == 220);
            assertThat(log.count("replies not read by")).isEqualTo(1);
        }
    }
}
