// MessageEnd: what qmgr does with an active message once its deliveries are done -- expire what outlived
// maximal_queue_lifetime / bounce_queue_lifetime, send the notices its bounce logs hold (BounceFlush) and the
// delay_warning_time notice, then remove it, defer it with backoff (and its defer log), or apply a `postern queue` op.
package org.postern.gateway.qmgr;

import io.vertx.core.Future;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postern.gateway.queue.BounceLog;
import org.postern.gateway.queue.DeferLog;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.RecipientStatus;
import org.postern.gateway.queue.Spool;

/** Used by Qmgr on its context only; file work goes through Qmgr's workers. */
final class MessageEnd {
    private final Qmgr qmgr;
    private final ActiveFiles files;
    private final Spool spool;
    private final BounceFlush notices;
    private final Backoff backoff;
    private final QmgrSettings settings;
    private final Clock clock;

    MessageEnd(Qmgr qmgr, ActiveFiles files, Spool spool, BounceFlush notices, Backoff backoff, QmgrSettings settings, Clock clock) {
        this.qmgr = qmgr;
        this.files = files;
        this.spool = spool;
        this.notices = notices;
        this.backoff = backoff;
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * Expiry, the notices owed (bounce and success logs, delay), then removal (nothing pending and no notice
     * left owed, or {@code op} DELETE), the queue operation {@code op}, or deferral (moved to deferred/, mtime =
     * next attempt time). A notice that could not be queued defers the message even with nothing pending: the
     * next attempt sends it, and no recipient is delivered again (they are all done).
     */
    Future<Void> finish(ActiveMessage m, QueueCommands.Op op) {
        Instant now = clock.instant();
        String sender = m.envelope().sender();
        Future<Void> expiry = Future.succeededFuture();
        if (!m.pending.isEmpty() && backoff.expired(sender, m.envelope().arrival(), now)) {
            List<Integer> expired = List.copyOf(m.pending);
            List<BounceLog.Entry> owed = new ArrayList<>();
            for (int i : expired) {
                BounceSink.Bounced last = m.deferred.get(i);
                owed.add(last != null ? new BounceLog.Entry(i, last.address(), "failed", last.dsn(), last.reason())
                        : new BounceLog.Entry(i, m.address(i), "failed", "4.4.7", "message expired"));
            }
            m.bounceLog = true;
            expiry = qmgr.blocking(() -> {
                files.appendBounceLog(m, BounceLog.Kind.BOUNCED, owed); // durable before the statuses
                for (int i : expired) files.mark(m, i, RecipientStatus.BOUNCED);
                return null;
            }).map(v -> {
                Qmgr.LOG.info(DeliveryLogFormat.expired(m.id(), sender));
                expired.forEach(m.pending::remove);
                return null;
            });
        }
        return expiry.compose(v -> notices.flush(m))
                .compose(sent -> (m.pending.isEmpty() || op != null ? Future.<Void>succeededFuture()
                        : delayWarning(m, now)).map(v -> sent))
                .compose(sent -> op == QueueCommands.Op.DELETE || (m.pending.isEmpty() && sent) ? remove(m)
                        : op != null ? qmgr.blocking(() -> QueueCommands.apply(spool, m.id(), QueueName.ACTIVE, op)).<Void>mapEmpty()
                        : defer(m, backoff.nextAttempt(m.envelope().arrival(), now)));
    }

    /**
     * The sender's "still being retried" notice, once per message, when delay_warning_time has passed since
     * arrival; DeferLog's marker remembers it across restarts.
     */
    private Future<Void> delayWarning(ActiveMessage m, Instant now) {
        if (settings.delayWarning().isZero() || now.isBefore(m.envelope().arrival().plus(settings.delayWarning()))) {
            return Future.succeededFuture();
        }
        return qmgr.blocking(() -> DeferLog.delayNotified(spool.root(), m.id())).compose(warned -> {
            if (warned) return Future.<Void>succeededFuture();
            List<BounceSink.Delayed> delayed = new ArrayList<>();
            for (int i : m.pending) {
                BounceSink.Bounced b = m.deferred.get(i);
                delayed.add(new BounceSink.Delayed(i, m.address(i), b == null ? "4.0.0" : b.dsn(),
                        b == null ? "delivery temporarily suspended" : b.reason()));
            }
            return notices.delayed(m, delayed).compose(v -> qmgr.blocking(() -> {
                DeferLog.markDelayNotified(spool.root(), m.id());
                return (Void) null;
            }));
        }).recover(e -> {
            Qmgr.LOG.warn("{}: delay notice not queued: {}", m.id(), e.toString());
            return Future.succeededFuture();
        });
    }

    private Future<Void> remove(ActiveMessage m) {
        return (m.removed ? Future.<Void>succeededFuture() : qmgr.blocking(() -> {
            files.remove(m);
            return (Void) null;
        })).map(v -> {
            Qmgr.LOG.info(DeliveryLogFormat.removed(m.id()));
            return null;
        });
    }

    /**
     * Moves to deferred/ and stamps the next attempt time as the file's mtime. Should a crash lose the
     * stamp, the mtime is that of the last status write (about now): the message is tried early, not lost.
     */
    private Future<Void> defer(ActiveMessage m, Instant next) {
        return qmgr.blocking(() -> {
            Map<String, String> reasons = new LinkedHashMap<>();
            for (int i : m.pending) {
                BounceSink.Bounced b = m.deferred.get(i);
                reasons.put(m.address(i), b == null ? "delivery temporarily suspended" : b.reason());
            }
            DeferLog.write(spool.root(), m.id(), reasons);
            Path p = spool.move(m.id(), QueueName.ACTIVE, QueueName.DEFERRED);
            Files.setLastModifiedTime(p, FileTime.from(next));
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                ch.force(true);
            }
            return null;
        });
    }

}
