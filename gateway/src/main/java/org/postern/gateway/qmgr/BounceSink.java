// BounceSink: where qmgr hands over what the sender must be told: recipients that failed for good
// (5xx reply, unroutable, lifetime expired), recipients still delayed after delay_warning_time, and
// successes the sender asked to hear of (NOTIFY=SUCCESS). Implemented by the bounce stage (RFC 3464).
package org.postern.gateway.qmgr;

import io.vertx.core.Future;
import java.util.List;
import org.postern.gateway.queue.QueueFile;

/**
 * Called on the qmgr event loop at the end of a delivery attempt, before the queue file is removed or
 * deferred: the sink may read the file (headers, content) until its future completes. Blocking work goes
 * to a worker. Bounces and successes come from the message's bounce log (fsync'd before the recipients were
 * marked done): a failed future keeps the log and the message, and the next attempt calls again with the
 * same recipients (plus any new ones); the future must therefore succeed only once the notice is queued.
 * A crash between that and the log's removal may repeat a notice (at least once, never lost).
 */
public interface BounceSink {
    /** Does nothing (qmgr has logged the outcomes). */
    BounceSink NONE = (file, recipients) -> Future.succeededFuture();

    /**
     * @param file       the message (in active/)
     * @param recipients those that bounced in this attempt
     * @return completes when the notice is safely queued
     */
    Future<Void> bounced(QueueFile file, List<Bounced> recipients);

    /** Recipients still undelivered after delay_warning_time (called at most once per message). */
    default Future<Void> delayed(QueueFile file, List<Delayed> recipients) {
        return Future.succeededFuture();
    }

    /**
     * Recipients delivered whose NOTIFY includes SUCCESS: "relayed" when the next hop did not offer
     * DSN (RFC 3461 section 6.2.1 b), "delivered" for a final LMTP delivery; none when it took the DSN request on.
     */
    default Future<Void> succeeded(QueueFile file, List<Succeeded> recipients) {
        return Future.succeededFuture();
    }

    /**
     * @param index   envelope index
     * @param dsn     enhanced status code, e.g. 5.1.1 (4.x.x for an expired recipient's last deferral)
     * @param reason  the text Postfix logs after status=, e.g. "host x[1.2.3.4] said: 550 ..."
     */
    record Bounced(int index, String address, String dsn, String reason) {}

    /** A recipient still deferred: its last status code and reason. */
    record Delayed(int index, String address, String dsn, String reason) {}

    /** A delivered recipient; {@code action} is "relayed" or "delivered" (RFC 3464 Action field). */
    record Succeeded(int index, String address, String action, String dsn, String reason) {}
}
