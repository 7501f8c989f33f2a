// BounceSink: the extension point where qmgr hands over recipients that failed for good (5xx reply,
// unroutable, or maximal_queue_lifetime/bounce_queue_lifetime expired), so the bounce stage can
// send an RFC 3464 notice. Until that stage exists the default does nothing (qmgr has logged them).
package org.postern.gateway.qmgr;

import io.vertx.core.Future;
import java.util.List;
import org.postern.gateway.queue.QueueFile;

/**
 * Called once per message attempt that bounced recipients, after their BOUNCED status is fsync'd and
 * before the queue file is removed or deferred: the sink may read the file (headers, content) until
 * its future completes. Called on the qmgr event loop; do blocking work on a worker.
 */
@FunctionalInterface
public interface BounceSink {
    /** Does nothing: bounce notices are a later task. */
    BounceSink NONE = (file, recipients) -> Future.succeededFuture();

    /**
     * @param file       the message (in active/)
     * @param recipients those that bounced in this attempt
     * @return completes when the notice is safely queued; a failure is logged, the recipients stay BOUNCED
     */
    Future<Void> bounced(QueueFile file, List<Bounced> recipients);

    /**
     * @param index   envelope index
     * @param dsn     enhanced status code, e.g. 5.1.1 (4.x.x for an expired recipient's last deferral)
     * @param reason  the text Postfix logs after status=, e.g. "host x[1.2.3.4] said: 550 ..."
     */
    record Bounced(int index, String address, String dsn, String reason) {}
}
