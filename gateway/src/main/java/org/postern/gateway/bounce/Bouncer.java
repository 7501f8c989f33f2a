// Bouncer: the bounce stage (Postfix's bounce(8)) -- turns what qmgr reports through BounceSink into
// delivery status notifications queued as new mail: to the sender as each recipient's NOTIFY asks, never
// to <>; double bounces and notify_classes copies to the postmaster. Governed by BounceSettings.
package org.postern.gateway.bounce;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.postern.core.Recipient.Notify;
import org.postern.gateway.cleanup.AddressRewriting;
import org.postern.gateway.qmgr.BounceSink;
import org.postern.gateway.queue.IncomingQueue;
import org.postern.gateway.queue.QueueFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every notice is a new message committed into active/ with envelope sender {@code <>} (to the sender)
 * or double_bounce_sender (to the postmaster, so it can never bounce again), then handed to
 * {@code queued}. Called on the qmgr event loop; composing reads the original on the worker pool
 * {@value #POOL_NAME}. The futures complete when every notice owed is queued (or failed).
 */
public final class Bouncer implements BounceSink {
    static final Logger LOG = LoggerFactory.getLogger("postern.bounce");
    static final String POOL_NAME = "postern-bounce";
    static final int POOL_SIZE = 4;

    private final BounceSettings settings;
    private final WorkerExecutor workers;
    private final NoticeQueue notices;
    private final DsnComposer composer;
    private final Notices api;

    /**
     * @param queue  where notices are written (IncomingQueue's writers, committed into active/)
     * @param queued told the id of each notice once it is safely in active/ (the qmgr schedules it)
     */
    public Bouncer(Vertx vertx, IncomingQueue queue, BounceSettings settings, Consumer<QueueId> queued, Clock clock) {
        Objects.requireNonNull(vertx, "vertx");
        this.settings = Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(clock, "clock");
        this.workers = vertx.createSharedWorkerExecutor(POOL_NAME, POOL_SIZE);
        this.notices = new NoticeQueue(Objects.requireNonNull(queue, "queue"), workers,
                Objects.requireNonNull(queued, "queued"), clock);
        this.composer = new DsnComposer(settings, clock);
        this.api = new Notices(notices, new NoticeComposer(settings, clock), settings);
    }

    /** Rewrites the recipients of bounces and notices from now on as cleanup rewrites received mail's. */
    public void rewriteWith(AddressRewriting rewriting) {
        notices.rewriteWith(rewriting);
    }

    /** The notices other stages send (vscan's quarantine notices, qmgr's resource and software problems). */
    public Notices notices() {
        return api;
    }

    /** Closes the worker pool; notices still being composed may fail. */
    public Future<Void> close() {
        return workers.close();
    }

    @Override
    public Future<Void> bounced(QueueFile file, List<Bounced> recipients) {
        if (recipients.isEmpty()) return Future.succeededFuture();
        Envelope env = file.envelope();
        String sender = env.sender();
        if (settings.isDoubleBounce(sender)) {
            LOG.info("{}: undeliverable postmaster notification discarded", env.queueId());
            return Future.succeededFuture();
        }
        List<DsnRecipient> all = new ArrayList<>();
        List<DsnRecipient> told = new ArrayList<>();
        for (Bounced b : recipients) {
            Recipient r = recipient(env, b.index(), b.address());
            DsnRecipient d = DsnRecipient.failed(b, r);
            all.add(d);
            if (wants(r, Notify.FAILURE, true)) told.add(d);
        }
        List<Future<QueueId>> sent = new ArrayList<>();
        if (sender.isEmpty()) {
            if (settings.notifies("2bounce")) {
                sent.add(send(file, NoticeKind.FAILURE, true, settings.qualify(settings.twoBounceNoticeRecipient()),
                        all, true));
            } else {
                LOG.info("{}: undeliverable bounce discarded (notify_classes has no 2bounce)", env.queueId());
            }
            return done(sent);
        }
        return senderThenCopy(told.isEmpty() ? null : () -> send(file, NoticeKind.FAILURE, false, settings.qualify(sender),
                        told, env.ret() != Envelope.Ret.HDRS),
                settings.notifies("bounce") ? () -> send(file, NoticeKind.FAILURE, true,
                        settings.qualify(settings.bounceNoticeRecipient()), all, false) : null);
    }

    @Override
    public Future<Void> delayed(QueueFile file, List<Delayed> recipients) {
        if (recipients.isEmpty()) return Future.succeededFuture();
        Envelope env = file.envelope();
        String sender = env.sender();
        if (settings.isDoubleBounce(sender)) return Future.succeededFuture();
        List<DsnRecipient> all = new ArrayList<>();
        List<DsnRecipient> told = new ArrayList<>();
        for (Delayed d : recipients) {
            Recipient r = recipient(env, d.index(), d.address());
            DsnRecipient x = DsnRecipient.delayed(d, r);
            all.add(x);
            if (wants(r, Notify.DELAY, true)) told.add(x);
        }
        return senderThenCopy(sender.isEmpty() || told.isEmpty() ? null
                        : () -> send(file, NoticeKind.DELAY, false, settings.qualify(sender), told, false),
                settings.notifies("delay") ? () -> send(file, NoticeKind.DELAY, true,
                        settings.qualify(settings.delayNoticeRecipient()), all, false) : null);
    }

    /**
     * The sender's notice first, then (when it was queued) the postmaster's copy, as Postfix's bounce daemon: the
     * outcome is the sender's notice -- a failure makes qmgr keep the bounce log and try both again later -- and a
     * copy that is not queued is only logged, so a retry never sends the sender a second notice. Either may be null.
     */
    static Future<Void> senderThenCopy(Supplier<Future<QueueId>> toSender, Supplier<Future<QueueId>> copy) {
        Future<QueueId> first = toSender == null ? Future.succeededFuture() : call(toSender);
        if (copy == null) return first.mapEmpty();
        return first.compose(x -> call(copy).<Void>mapEmpty().recover(e -> Future.succeededFuture()));
    }

    private static Future<QueueId> call(Supplier<Future<QueueId>> s) {
        try {
            return s.get();
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    @Override
    public Future<Void> succeeded(QueueFile file, List<Succeeded> recipients) {
        Envelope env = file.envelope();
        String sender = env.sender();
        if (recipients.isEmpty() || sender.isEmpty() || settings.isDoubleBounce(sender)) return Future.succeededFuture();
        List<DsnRecipient> told = new ArrayList<>();
        for (Succeeded s : recipients) {
            Recipient r = recipient(env, s.index(), s.address());
            if (wants(r, Notify.SUCCESS, false)) told.add(DsnRecipient.succeeded(s, r));
        }
        if (told.isEmpty()) return Future.succeededFuture();
        return done(List.of(send(file, NoticeKind.SUCCESS, false, settings.qualify(sender), told, false)));
    }

    /**
     * Queues one DSN: to the sender from {@code <>}, or (postmaster) from double_bounce_sender, and logs
     * {@code ID: sender non-delivery notification: NEWID} (or postmaster/delay/delivery status).
     */
    private Future<QueueId> send(QueueFile file, NoticeKind kind, boolean postmaster, String to,
                                 List<DsnRecipient> recipients, boolean returnFull) {
        QueueId id = file.envelope().queueId();
        String who = postmaster ? "postmaster" : "sender";
        DsnComposer.Request req = new DsnComposer.Request(kind, postmaster, to, file, recipients, returnFull);
        String envelopeSender = postmaster ? settings.doubleBounceAddress() : "";
        return notices.submit(envelopeSender, to, (newId, out) -> composer.compose(req, newId, out))
                .onSuccess(newId -> LOG.info("{}: {} {}: {}", id, who, kind.logName(), newId))
                .onFailure(e -> LOG.warn("{}: {} {} not queued: {}", id, who, kind.logName(), e.toString()));
    }

    private static Future<Void> done(List<Future<QueueId>> sent) {
        if (sent.isEmpty()) return Future.succeededFuture();
        return Future.join(sent).mapEmpty();
    }

    /** The envelope recipient a report is about: by index, checked against the address (else searched). */
    static Recipient recipient(Envelope env, int index, String address) {
        List<Recipient> rs = env.recipients();
        if (index >= 0 && index < rs.size() && rs.get(index).address().equals(address)) return rs.get(index);
        for (Recipient r : rs) {
            if (r.address().equals(address)) return r;
        }
        return null;
    }

    /**
     * RFC 3461 NOTIFY: NEVER wants nothing; an explicit list wants what it names; none given wants the
     * default ({@code byDefault}: failures and delays yes, successes no).
     */
    static boolean wants(Recipient r, Notify what, boolean byDefault) {
        if (r == null || r.notifyOn().isEmpty()) return byDefault;
        return r.notifyOn().contains(what);
    }
}
