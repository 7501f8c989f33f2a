// SmtpLargeMessageIT: a 50 MB queue file streams to the next hop with backpressure -- to the real
// smtp-sink, and to a slow scripted peer that shows the client never reads the queue file far ahead
// of what the peer has taken (invariant 3: no stage holds a whole message in memory).
package org.postern.gateway.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FilterInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.postern.gateway.smtp.RecipientResult.Status;
import org.postern.testkit.Mails;
import org.postern.testkit.SmtpSink;

class SmtpLargeMessageIT extends ClientTestBase {
    static final long SIZE = 50L * 1024 * 1024;
    /** Write queue + a chunk in flight + socket buffers (send: autotuned up to 4 MB; the peer's: fixed). */
    static final long MAX_LEAD = 8L * 1024 * 1024;

    private QueuedMessage fifty() throws Exception {
        return QueuedMessages.queue(vertx, dir.resolve("spool"), Mails.big(SIZE)::read,
                id -> QueuedMessages.envelope(id, "a@sender.test", "r0@example.test"));
    }

    @Test
    void fiftyMegabytesToSmtpSink() throws Exception {
        try (SmtpSink sink = SmtpSink.start()) {
            transport(settings().build());
            QueuedMessage m = fifty();
            assertThat(m.contentLength()).isEqualTo(SIZE);
            DeliveryReport r = deliver(m, Destination.smtp(sink.host(), sink.port()));
            assertThat(r.result(0).status()).isEqualTo(Status.SENT);
            sink.awaitMessages(1, Duration.ofSeconds(60));
        }
    }

    @Test
    void theClientReadsTheQueueFileOnlyAsFastAsThePeerTakesIt() throws Exception {
        AtomicLong readFromFile = new AtomicLong();
        long[] maxLead = {0};
        long[] received = {0};
        try (ScriptedPeer peer = ScriptedPeer.tcpSmallWindow(s -> {
            s.greetAndEhlo("PIPELINING", "8BITMIME");
            s.expect("MAIL");
            s.expect("RCPT");
            s.expect("DATA");
            s.send("250 ok", "250 ok", "354 go");
            // Take the body in 1 MB steps; before each step the client's lead over us is measured.
            long[] step = {0};
            received[0] = s.readDataWith(n -> {
                step[0] += n;
                if (step[0] >= 1 << 20) {
                    step[0] = 0;
                    maxLead[0] = Math.max(maxLead[0], readFromFile.get() - s.bytesRead());
                }
            });
            s.send("250 2.0.0 Ok: queued");
            s.expect("QUIT");
            s.send("221 bye");
        })) {
            transport(settings().build());
            QueuedMessage q = fifty();
            QueuedMessage counted = new QueuedMessage(q.envelope(), q.recipients(), q.contentLength(),
                    () -> new FilterInputStream(q.content().open()) {
                        @Override
                        public int read(byte[] b, int off, int len) throws IOException {
                            int n = super.read(b, off, len);
                            if (n > 0) readFromFile.addAndGet(n);
                            return n;
                        }
                    });
            DeliveryReport r = deliver(counted, Destination.smtp("127.0.0.1", peer.port()));
            peer.awaitSessions(1);
            assertThat(r.result(0).status()).isEqualTo(Status.SENT);
            assertThat(received[0]).isEqualTo(SIZE);
            assertThat(readFromFile.get()).isEqualTo(SIZE);
            System.out.println("largest lead of the client over the peer: " + maxLead[0] + " bytes");
            assertThat(maxLead[0]).as("bytes read from the queue file ahead of the peer").isPositive().isLessThan(MAX_LEAD);
        }
    }
}
