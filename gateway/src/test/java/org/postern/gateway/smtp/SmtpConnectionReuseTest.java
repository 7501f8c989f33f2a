// SmtpConnectionReuseTest: connection caching across messages to the same next hop -- RSET before reuse,
// conn_use counts, no reuse past smtp_connection_cache_time_limit (decided by the injected clock: no
// sleeping), a stale cached connection replaced by a fresh one within the same attempt, QUIT on close.
package org.postern.gateway.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.postern.gateway.smtp.RecipientResult.Status;

class SmtpConnectionReuseTest extends ClientTestBase {
    private SmtpSettings caching() {
        return settings().connectionCache(true).connectionCacheTimeLimit(Duration.ofSeconds(2))
                .connectionReuseTimeLimit(Duration.ofSeconds(300)).build();
    }

    @Test
    void secondMessageReusesTheConnectionAfterRset() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> s.serve("PIPELINING"))) {
            transport(caching());
            Destination d = Destination.smtp("127.0.0.1", peer.port());
            DeliveryReport first = deliver(queue(MESSAGE, "r0@example.test"), d);
            clock.advance(Duration.ofSeconds(1));
            DeliveryReport second = deliver(queue(MESSAGE, "r1@example.test"), d);
            assertThat(first.connectionUse()).isEqualTo(1);
            assertThat(second.connectionUse()).isEqualTo(2);
            assertThat(second.result(0).status()).isEqualTo(Status.SENT);
            assertThat(second.timings().connectionSetup()).isZero(); // the clock did not move during the RSET
            assertThat(transport.cachedConnections()).isEqualTo(1);
            QueuedMessages.await(transport.close());
            transport = null;
            peer.awaitSessions(1);
            assertThat(peer.sessions()).hasSize(1);
            assertThat(peer.sessions().get(0).transcript).filteredOn(l -> l.startsWith("C: ") && !l.startsWith("C: <"))
                    .extracting(l -> l.substring(3).split("[ :]")[0])
                    .containsExactly("EHLO", "MAIL", "RCPT", "DATA", ".", "RSET", "MAIL", "RCPT", "DATA", ".", "QUIT");
        }
    }

    @Test
    void idleLongerThanTheCacheTimeLimitMeansANewConnection() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> s.serve("PIPELINING"))) {
            transport(caching());
            Destination d = Destination.smtp("127.0.0.1", peer.port());
            deliver(queue(MESSAGE, "r0@example.test"), d);
            clock.advance(Duration.ofSeconds(3));
            DeliveryReport second = deliver(queue(MESSAGE, "r1@example.test"), d);
            assertThat(second.connectionUse()).isEqualTo(1);
            peer.awaitSessions(1); // the expired one was QUIT
            assertThat(peer.sessions().get(0).transcript).last().isEqualTo("S: 221 2.0.0 Bye");
        }
    }

    @Test
    void aCachedConnectionTheServerDroppedIsReplacedWithinTheSameAttempt() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> s.serve("PIPELINING"))) {
            transport(caching());
            Destination d = Destination.smtp("127.0.0.1", peer.port());
            deliver(queue(MESSAGE, "r0@example.test"), d);
            // The server goes away from the idle connection (its timeout), the client learns at RSET at the latest.
            peer.sessions().get(0).close();
            DeliveryReport second = deliver(queue(MESSAGE, "r1@example.test"), d);
            assertThat(second.result(0).status()).isEqualTo(Status.SENT);
            assertThat(second.connectionUse()).isEqualTo(1);
            assertThat(peer.sessions()).hasSize(2);
        }
    }

    @Test
    void differentDestinationsNeverShareAConnection() throws Exception {
        try (ScriptedPeer a = ScriptedPeer.tcp(s -> s.serve()); ScriptedPeer b = ScriptedPeer.tcp(s -> s.serve())) {
            transport(caching());
            deliver(queue(MESSAGE, "r0@example.test"), Destination.smtp("127.0.0.1", a.port()));
            DeliveryReport r = deliver(queue(MESSAGE, "r0@example.test"), Destination.smtp("127.0.0.1", b.port()));
            assertThat(r.connectionUse()).isEqualTo(1);
            assertThat(r.relay()).endsWith(":" + b.port());
            assertThat(transport.cachedConnections()).isEqualTo(2);
        }
    }
}
