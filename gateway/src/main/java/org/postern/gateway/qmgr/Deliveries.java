// Deliveries: the delivery half of qmgr -- routes an active message's pending recipients, groups them
// by next hop in batches of the transport's destination_recipient_limit, runs up to its
// destination_concurrency_limit transports per next hop (slow start from initial_destination_concurrency),
// persists each outcome (what the sender is owed into the bounce log first), then logs it.
package org.postern.gateway.qmgr;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postern.core.Recipient;
import org.postern.core.SmtpReply;
import org.postern.gateway.queue.BounceLog;
import org.postern.gateway.queue.RecipientStatus;
import org.postern.gateway.smtp.DeliveryReport;
import org.postern.gateway.smtp.Destination;
import org.postern.gateway.smtp.QueuedMessage;
import org.postern.gateway.smtp.RecipientResult;
import org.postern.gateway.smtp.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Used by Qmgr on its context only. */
final class Deliveries {
    static final Logger SMTP_LOG = LoggerFactory.getLogger("postern.smtp");
    static final Logger LMTP_LOG = LoggerFactory.getLogger("postern.lmtp");

    /** One transport call: a message, a next hop, up to recipientLimit recipients. */
    private record Job(ActiveMessage m, Destination destination, List<Integer> recipients) {}

    /**
     * The jobs of one next hop: waiting ones, how many run, and the concurrency window: Postfix's slow
     * start -- initial_destination_concurrency, one more per delivery that reached the next hop, one less
     * per delivery that could not (down to 1), never above the transport's limit.
     */
    private static final class Hop {
        final ArrayDeque<Job> waiting = new ArrayDeque<>();
        int running;
        int window;

        Hop(int initial) {
            this.window = initial;
        }
    }

    private final Qmgr qmgr;
    private final ActiveFiles files;
    private final Transport transport;
    private volatile Router router;
    private final QmgrSettings settings;
    private final Clock clock;
    private final Map<Destination, Hop> hops = new HashMap<>();
    private int inFlight;
    private Promise<Void> drained;

    Deliveries(Qmgr qmgr, ActiveFiles files, Transport transport, Router router, QmgrSettings settings, Clock clock) {
        this.qmgr = qmgr;
        this.files = files;
        this.transport = transport;
        this.router = router;
        this.settings = settings;
        this.clock = clock;
    }

    /** A new configuration's routing (postern reload); messages already routed keep their next hops. */
    void router(Router router) {
        this.router = java.util.Objects.requireNonNull(router, "router");
    }

    /** Routes the pending recipients and queues their jobs; Qmgr.finish runs once all are done. */
    void start(ActiveMessage m) {
        Map<Destination, List<Integer>> groups = new LinkedHashMap<>();
        List<RecipientResult> decided = new ArrayList<>();
        for (int i : m.pending) {
            Router.Route r;
            try {
                r = router.route(m.address(i), m.envelope());
            } catch (RuntimeException e) {
                r = Router.Route.error(SmtpReply.of(451, "4.3.0", "routing failed: " + e));
            }
            if (r.isDecided()) { // error:, retry: or discard: -- Postfix logs the bare text, relay=none
                SmtpReply e = r.reply();
                RecipientResult.Status st = e.isPositive() ? RecipientResult.Status.SENT
                        : e.isPermanent() ? RecipientResult.Status.BOUNCED : RecipientResult.Status.DEFERRED;
                decided.add(new RecipientResult(i, m.address(i), st, e, false, String.join(" ", e.lines())));
            } else {
                groups.computeIfAbsent(r.destination(), d -> new ArrayList<>()).add(i);
            }
        }
        List<Job> jobs = new ArrayList<>();
        groups.forEach((d, rcpts) -> {
            int limit = settings.recipientLimit(d.protocol().transportName());
            for (int from = 0; from < rcpts.size(); from += limit) {
                jobs.add(new Job(m, d, List.copyOf(rcpts.subList(from, Math.min(rcpts.size(), from + limit)))));
            }
        });
        m.deliveriesLeft = jobs.size();
        Future<Void> first = Future.succeededFuture();
        if (!decided.isEmpty()) {
            Instant now = clock.instant();
            first = record(m, new DeliveryReport(m.id(), "none", decided, new DeliveryReport.Timings(now, now, now),
                    null, false, 0), null);
        }
        first.onComplete(ar -> {
            if (ar.failed()) qmgr.finish(m); // the decided statuses were not written: stop here, try later
            else if (jobs.isEmpty()) qmgr.finish(m);
            else for (Job j : jobs) submit(j);
        });
    }

    /** Completes when no transport call is running (for stop). */
    Future<Void> drained() {
        for (Hop h : hops.values()) h.waiting.clear();
        if (inFlight == 0) return Future.succeededFuture();
        if (drained == null) drained = Promise.promise();
        return drained.future();
    }

    private void submit(Job j) {
        String transport = j.destination().protocol().transportName();
        hops.computeIfAbsent(j.destination(), d -> new Hop(Math.min(settings.initialConcurrency(),
                settings.concurrencyLimit(transport)))).waiting.add(j);
        pump(j.destination());
    }

    private void pump(Destination d) {
        Hop h = hops.get(d);
        if (h == null) return;
        int limit = settings.concurrencyLimit(d.protocol().transportName());
        while (h.running < Math.min(h.window, limit) && !h.waiting.isEmpty() && !qmgr.abandoned()) {
            Job j = h.waiting.poll();
            h.running++;
            inFlight++;
            run(j).onComplete(ar -> {
                h.running--;
                if (ar.succeeded()) h.window = ar.result() ? Math.min(limit, h.window + 1) : Math.max(1, h.window - 1);
                inFlight--;
                if (ar.failed() && !qmgr.abandoned()) {
                    Qmgr.LOG.warn("{}: outcomes of a delivery to {} not recorded: {}", j.m().id(), d, ar.cause().toString());
                }
                if (--j.m().deliveriesLeft == 0) qmgr.finish(j.m());
                if (h.running == 0 && h.waiting.isEmpty()) hops.remove(d, h);
                else pump(d);
                if (inFlight == 0 && drained != null) drained.tryComplete();
            });
        }
    }

    /** Runs one job; true when the next hop answered (the slow-start feedback), false when it could not be reached. */
    private Future<Boolean> run(Job j) {
        Instant handoff = clock.instant();
        Future<DeliveryReport> f;
        try {
            f = transport.deliver(QueuedMessage.of(j.m().file, j.recipients()), j.destination());
        } catch (RuntimeException e) {
            f = Future.failedFuture(e);
        }
        return qmgr.onContext(f).recover(e -> Future.succeededFuture(agentFailure(j, e, handoff)))
                .compose(report -> record(j.m(), report, j.destination())
                        .map(v -> report.results().stream().anyMatch(r -> r.remote() || r.status() == RecipientResult.Status.SENT)));
    }

    /** A report deferring every recipient of a job whose transport failed instead of reporting. */
    private DeliveryReport agentFailure(Job j, Throwable e, Instant handoff) {
        SmtpReply reply = SmtpReply.of(451, "4.3.0", "delivery temporarily suspended: " + e);
        List<RecipientResult> results = j.recipients().stream().map(i -> new RecipientResult(i, j.m().address(i),
                RecipientResult.Status.DEFERRED, reply, false, "delivery temporarily suspended: " + e)).toList();
        return new DeliveryReport(j.m().id(), "none", results, new DeliveryReport.Timings(handoff, handoff,
                clock.instant()), null, false, 0);
    }

    /**
     * Persists every outcome (fsync'd, invariant 2) and only then logs and counts them; what the sender is owed
     * (a bounce, a success notice) is appended to the message's bounce log and fsync'd before the statuses, so a
     * recipient is never done without its notice on disk. When the report ends the message -- its last delivery,
     * every recipient still pending sent, no notice owed -- the file is removed instead of marked: one directory
     * sync in place of a data sync now and a directory sync after.
     */
    private Future<Void> record(ActiveMessage m, DeliveryReport report, Destination d) {
        boolean ends = endsMessage(m, report, d);
        List<BounceLog.Entry> bounced = null;
        List<BounceLog.Entry> succeeded = null;
        for (RecipientResult r : report.results()) {
            if (r.status() == RecipientResult.Status.BOUNCED) {
                if (bounced == null) bounced = new ArrayList<>();
                bounced.add(new BounceLog.Entry(r.index(), r.address(), "failed", r.dsn(), r.diagnostic()));
            } else if (r.status() == RecipientResult.Status.SENT
                    && m.envelope().recipients().get(r.index()).notifyOn().contains(Recipient.Notify.SUCCESS)
                    && (d == null || !report.dsnOffered() || d.protocol() == Destination.Protocol.LMTP)) {
                if (succeeded == null) succeeded = new ArrayList<>();
                String action = d != null && d.protocol() == Destination.Protocol.LMTP ? "delivered" : "relayed";
                succeeded.add(new BounceLog.Entry(r.index(), r.address(), action, r.dsn(), r.diagnostic()));
            }
        }
        // set before the write: a log appended whose statuses then fail to be written goes with the message
        if (bounced != null) m.bounceLog = true;
        if (succeeded != null) m.successLog = true;
        List<BounceLog.Entry> owedBounces = bounced;
        List<BounceLog.Entry> owedSuccesses = succeeded;
        return qmgr.blocking(() -> {
            if (ends) {
                files.remove(m);
            } else {
                files.appendBounceLog(m, BounceLog.Kind.BOUNCED, owedBounces);
                files.appendBounceLog(m, BounceLog.Kind.SUCCEEDED, owedSuccesses);
                for (RecipientResult r : report.results()) files.mark(m, r.index(), status(r.status()));
            }
            return null;
        }).map(v -> {
            if (ends) m.removed = true;
            Logger log = d == null ? Qmgr.LOG : d.protocol() == Destination.Protocol.LMTP ? LMTP_LOG : SMTP_LOG;
            DeliveryReport.Timings t = report.timings();
            DeliveryLogFormat.Delays delays = DeliveryLogFormat.Delays.of(m.envelope().arrival(), m.activeAt,
                    t.started(), report.connectionUse() > 0 ? t.connected() : null, t.finished());
            for (RecipientResult r : report.results()) {
                log.info(DeliveryLogFormat.delivery(m.id(), r.address(), m.origTo(r.index()), report.relay(),
                        report.connectionUse(), delays, r.dsn(), r.status().logName(), r.diagnostic()));
                switch (r.status()) {
                    case SENT, BOUNCED -> m.pending.remove(r.index());
                    case DEFERRED -> m.deferred.put(r.index(),
                            new BounceSink.Bounced(r.index(), r.address(), r.dsn(), r.diagnostic()));
                }
            }
            return null;
        });
    }

    /** Whether {@code report} delivers every recipient left and nothing afterwards needs the queue file. */
    private static boolean endsMessage(ActiveMessage m, DeliveryReport report, Destination d) {
        if (d == null || m.deliveriesLeft != 1 || m.bounceLog || m.successLog
                || report.results().size() != m.pending.size()) {
            return false;
        }
        for (RecipientResult r : report.results()) {
            if (r.status() != RecipientResult.Status.SENT || !m.pending.contains(r.index())
                    || m.envelope().recipients().get(r.index()).notifyOn().contains(Recipient.Notify.SUCCESS)) {
                return false;
            }
        }
        return true;
    }

    private static RecipientStatus status(RecipientResult.Status s) {
        return switch (s) {
            case SENT -> RecipientStatus.DELIVERED;
            case BOUNCED -> RecipientStatus.BOUNCED;
            case DEFERRED -> RecipientStatus.DEFERRED;
        };
    }
}
