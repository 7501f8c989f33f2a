// BounceFlush: qmgr's side of Postfix's bounce_flush -- at the end of each delivery attempt, turns what a
// message's bounce logs (BounceLog) hold into one notice each through the BounceSink and removes a log once its
// notice is queued; a notice that is not queued keeps its log, and the message waits for the next attempt.
package org.postern.gateway.qmgr;

import io.vertx.core.Future;
import java.io.IOException;
import java.util.List;
import org.postern.gateway.queue.BounceLog;
import org.postern.gateway.queue.QueueFile;
import org.postern.gateway.queue.RecipientStatus;
import org.postern.gateway.queue.Spool;

/** Used by MessageEnd on the qmgr context only; file work goes through Qmgr's workers. */
final class BounceFlush {
    private final Qmgr qmgr;
    private final Spool spool;
    private final BounceSink sink;

    BounceFlush(Qmgr qmgr, Spool spool, BounceSink sink) {
        this.qmgr = qmgr;
        this.spool = spool;
        this.sink = sink;
    }

    /**
     * Sends the non-delivery notice, then the success notice, that {@code m}'s logs hold. True when nothing is
     * owed any more; false when a notice was not queued (logged "ID: bounce notice not queued: ...; will retry"):
     * its log stays, so the next attempt -- or the next start, after a crash -- sends it. Never fails.
     */
    Future<Boolean> flush(ActiveMessage m) {
        Future<Boolean> bounces = m.bounceLog ? flush(m, BounceLog.Kind.BOUNCED) : Future.succeededFuture(true);
        return bounces.compose(b -> (m.successLog ? flush(m, BounceLog.Kind.SUCCEEDED) : Future.succeededFuture(true))
                .map(s -> b && s));
    }

    /** The BounceSink's delay notice for {@code delayed} (MessageEnd remembers that it was sent). */
    Future<Void> delayed(ActiveMessage m, List<BounceSink.Delayed> delayed) {
        try {
            return qmgr.onContext(sink.delayed(m.file, delayed));
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    private Future<Boolean> flush(ActiveMessage m, BounceLog.Kind kind) {
        String what = kind == BounceLog.Kind.BOUNCED ? "bounce" : "success";
        return qmgr.blocking(() -> owed(m, kind)).compose(owed -> {
            if (owed == null) { // no log: sent already (or never written)
                forget(m, kind);
                return Future.succeededFuture(true);
            }
            Future<Void> sent = owed.isEmpty() ? Future.succeededFuture() : qmgr.onContext(hand(m, kind, owed));
            return sent.transform(ar -> {
                if (ar.failed()) {
                    Qmgr.LOG.warn("{}: {} notice not queued: {}; will retry", m.id(), what, ar.cause().toString());
                    return Future.succeededFuture(false);
                }
                return qmgr.blocking(() -> {
                    BounceLog.delete(spool.root(), m.id(), kind);
                    return true;
                }).onSuccess(x -> forget(m, kind)).recover(e -> {
                    Qmgr.LOG.warn("{}: cannot remove the {} log: {}", m.id(), what, e.toString());
                    return Future.succeededFuture(false);
                });
            });
        }, e -> {
            Qmgr.LOG.warn("{}: {} notice not queued: cannot read its log: {}; will retry", m.id(), what, e.toString());
            return Future.succeededFuture(false);
        });
    }

    /**
     * The log's entries whose recipient is done as the log says (BOUNCED, or DELIVERED for a success): an entry
     * appended just before a crash kept its status from being written is not owed. Null when there is no log.
     * Blocking.
     */
    private List<BounceLog.Entry> owed(ActiveMessage m, BounceLog.Kind kind) throws IOException {
        List<BounceLog.Entry> logged = BounceLog.read(spool.root(), m.id(), kind);
        if (logged == null || logged.isEmpty()) return logged;
        List<RecipientStatus> now = QueueFile.read(m.file.path()).recipientStatuses();
        RecipientStatus done = kind == BounceLog.Kind.BOUNCED ? RecipientStatus.BOUNCED : RecipientStatus.DELIVERED;
        return logged.stream().filter(e -> e.index() >= 0 && e.index() < now.size() && now.get(e.index()) == done)
                .toList();
    }

    private Future<Void> hand(ActiveMessage m, BounceLog.Kind kind, List<BounceLog.Entry> owed) {
        try {
            return kind == BounceLog.Kind.BOUNCED
                    ? sink.bounced(m.file, owed.stream()
                            .map(e -> new BounceSink.Bounced(e.index(), e.address(), e.dsn(), e.reason())).toList())
                    : sink.succeeded(m.file, owed.stream()
                            .map(e -> new BounceSink.Succeeded(e.index(), e.address(), e.action(), e.dsn(), e.reason()))
                            .toList());
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    private static void forget(ActiveMessage m, BounceLog.Kind kind) {
        if (kind == BounceLog.Kind.BOUNCED) m.bounceLog = false;
        else m.successLog = false;
    }
}
