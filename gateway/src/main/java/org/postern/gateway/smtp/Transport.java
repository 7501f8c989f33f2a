// Transport: the one interface qmgr calls to hand a queued message to a next hop (smtp, lmtp; later
// discard/error). Sits at the end of the data path, after qmgr has chosen the destination by
// transport_maps/relayhost. A transport only talks: it never retries, sleeps or schedules (qmgr does).
package org.postern.gateway.smtp;

import io.vertx.core.Future;

/**
 * Delivers one message to one destination and says, per recipient, what became of it. The future
 * always succeeds with a report: a failure of any kind (connect, TLS, lost connection, timeout,
 * protocol) is a DEFERRED or BOUNCED outcome with its reason, never a failed future -- except for a
 * programming error (e.g. a closed transport), which fails it.
 */
public interface Transport {
    Future<DeliveryReport> deliver(QueuedMessage message, Destination destination);
}
