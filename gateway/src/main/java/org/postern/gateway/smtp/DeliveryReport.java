// DeliveryReport: what one Transport.deliver call did -- per-recipient outcomes, the relay it talked
// to, the timings behind Postfix's delays=a/b/c/d, TLS and DSN facts. Returned to qmgr, which records
// each outcome in the queue file and logs "to=<...>, relay=..., delay=..., dsn=..., status=...".
package org.postern.gateway.smtp;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.postern.core.QueueId;
import org.postern.gateway.tls.TlsSessionInfo;

/**
 * @param queueId       the message
 * @param relay         {@code host[address]:port} of the next hop as Postfix logs relay=, or "none" when no
 *                      connection was made (refused, timed out, host name not found)
 * @param results       one per attempted recipient, in the order of {@link QueuedMessage#recipients()}
 * @param timings       when the attempt started, the connection was ready, and the attempt ended
 * @param tls           the TLS session used, or null for plaintext
 * @param dsnOffered    the next hop announced DSN, so NOTIFY/ORCPT/RET/ENVID were passed on; when false,
 *                      a SENT recipient with NOTIFY=SUCCESS is owed a "relayed" notice (RFC 3461 4.2)
 * @param connectionUse 1 for a fresh connection, n for its n-th use (Postfix's conn_use=, logged when above 1);
 *                      0 when the attempt ended before a mail transaction (connect, TLS or AUTH failure)
 */
public record DeliveryReport(QueueId queueId, String relay, List<RecipientResult> results, Timings timings,
                             TlsSessionInfo tls, boolean dsnOffered, int connectionUse) {
    public DeliveryReport {
        Objects.requireNonNull(queueId, "queueId");
        Objects.requireNonNull(relay, "relay");
        Objects.requireNonNull(timings, "timings");
        results = List.copyOf(results);
    }

    /**
     * Times of one attempt. qmgr adds the first two parts of Postfix's delays=a/b/c/d itself (a: arrival
     * to active, b: waiting in qmgr); {@link #connectionSetup()} is c (DNS, connect, greeting, HELO, TLS,
     * AUTH; for a reused connection the RSET) and {@link #transmission()} is d.
     */
    public record Timings(Instant started, Instant connected, Instant finished) {
        public Timings {
            Objects.requireNonNull(started, "started");
            Objects.requireNonNull(connected, "connected");
            Objects.requireNonNull(finished, "finished");
        }

        public Duration connectionSetup() {
            return Duration.between(started, connected);
        }

        public Duration transmission() {
            return Duration.between(connected, finished);
        }
    }

    /** The result for envelope recipient {@code index}; throws when it was not attempted. */
    public RecipientResult result(int index) {
        for (RecipientResult r : results) {
            if (r.index() == index) return r;
        }
        throw new IllegalArgumentException("recipient " + index + " was not attempted");
    }

    public List<RecipientResult> withStatus(RecipientResult.Status status) {
        return results.stream().filter(r -> r.status() == status).toList();
    }
}
