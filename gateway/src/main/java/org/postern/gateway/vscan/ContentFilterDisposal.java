// ContentFilterDisposal: the end of a vscan_mode=content-filter inspection -- sends deliver and tag copies to
// vscan_content_filter_nexthop while smtpd holds its client, then quarantines or discards; what it cannot
// finish stays in the queue file, no longer in transit, for the after-queue stage (FILTER: the same hop).
package org.postern.gateway.vscan;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.postern.core.QueueId;
import org.postern.core.SmtpReply;
import org.postern.gateway.qmgr.DeliveryLogFormat;
import org.postern.gateway.queue.QueueFile;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.RecipientStatus;
import org.postern.gateway.queue.Spool;
import org.postern.gateway.smtp.DeliveryReport;
import org.postern.gateway.smtp.Destination;
import org.postern.gateway.smtp.QueuedMessage;
import org.postern.gateway.smtp.RecipientResult;
import org.postern.gateway.smtp.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One per inspection; blocking steps run on {@code workers}. */
final class ContentFilterDisposal {
    private static final Logger SMTP_LOG = LoggerFactory.getLogger("postern.smtp");

    private final WorkerExecutor workers;
    private final Spool spool;
    private final Transport transport;
    private final Destination nexthop;

    ContentFilterDisposal(WorkerExecutor workers, Spool spool, Transport transport, Destination nexthop) {
        this.workers = workers;
        this.spool = spool;
        this.transport = transport;
        this.nexthop = nexthop;
    }

    /**
     * Sends {@code copies} (one per content variant: untouched, edited, tagged) to the next hop. When it took
     * none of them, the file is removed and its reply returned (the client keeps the message and retries or
     * bounces) -- {@code rest} is then not run. Otherwise {@code rest} (quarantine, discard) runs and gives the
     * recipients it finished; the file is removed when every recipient is done, else those done are marked. When
     * no recipient at all is done, the file is removed and 451 answered.
     */
    Future<Disposition> run(QueueFile file, List<QueuedMessage> copies, Supplier<Future<Set<Integer>>> rest) {
        QueueId id = file.envelope().queueId();
        return send(copies).compose(out -> {
            if (out.noneSent()) {
                SmtpReply refusal = out.refusal();
                VscanStage.LOG.info("{}: vscan: content filter next hop {} did not take it: {}; removed, the client keeps it",
                        id, nexthop.nexthop(), refusal.oneLine());
                return remove(id).map(x -> new Disposition(Disposition.Outcome.REFUSED, refusal));
            }
            Set<Integer> done = new HashSet<>(out.sent());
            return Future.succeededFuture().compose(x -> rest.get()).recover(e -> {
                VscanStage.LOG.warn("{}: vscan: {}; left for the after-queue stage", id, e.getMessage());
                return Future.succeededFuture(Set.of());
            }).compose(more -> {
                done.addAll(more);
                if (!done.isEmpty()) return finish(file, done, out);
                // Nothing sent, nothing quarantined: the client keeps the message and tries again.
                SmtpReply later = SmtpReply.of(451, "4.3.0", "Error: content filter could not dispose of the message");
                return remove(id).map(x -> new Disposition(Disposition.Outcome.TEMPFAIL, later));
            });
        });
    }

    /**
     * Removes the file, or marks the recipients done and clears its in-transit flag (the rest is then the
     * after-queue stage's): a 250 either way. When the mark fails, the file goes and 451 tells the client to send
     * it all again (some recipients twice: better than losing any, or than the after-queue stage and the
     * client both sending the rest).
     */
    private Future<Disposition> finish(QueueFile file, Set<Integer> done, RelayOutcome out) {
        QueueId id = file.envelope().queueId();
        List<Integer> left = new ArrayList<>(file.pendingRecipients());
        left.removeAll(done);
        SmtpReply reply = out.results().isEmpty() ? null : out.accepted(id, left.size());
        if (left.isEmpty()) return remove(id).map(x -> Disposition.accepted(reply));
        return workers.executeBlocking(() -> {
            file.answered(done, RecipientStatus.DELIVERED);
            return null;
        }, false).map(x -> {
            VscanStage.LOG.info("{}: vscan: {} recipient(s) left for the after-queue stage", id, left.size());
            return Disposition.accepted(reply);
        }).recover(e -> {
            VscanStage.LOG.warn("{}: vscan: cannot mark recipients done: {}; removed, the client sends it again", id, e.toString());
            return remove(id).transform(x -> Future.succeededFuture(new Disposition(Disposition.Outcome.TEMPFAIL,
                    SmtpReply.of(451, "4.3.0", "Error: content filter could not record the delivery; try again later"))));
        });
    }

    /**
     * A content-filter listener's message that the after-queue stage finds still in transit: its session ended
     * (a crash, a stop) before the client was answered, so the client still has it and sends it again. Removed
     * rather than delivered a second time. Blocking.
     */
    static void removeUnanswered(Spool spool, QueueId id) throws IOException {
        if (spool.remove(id, QueueName.INCOMING)) {
            VscanStage.LOG.warn("{}: vscan: removed: content-filter mail whose client was never answered; the client "
                    + "keeps it and sends it again", id);
        }
    }

    /** Each copy in turn; a transport that fails (rather than reporting) defers that copy's recipients. */
    private Future<RelayOutcome> send(List<QueuedMessage> copies) {
        List<RecipientResult> results = new ArrayList<>();
        Future<Void> chain = Future.succeededFuture();
        for (QueuedMessage copy : copies) {
            chain = chain.compose(x -> transport.deliver(copy, nexthop)
                    .map(report -> {
                        log(copy, report);
                        return report.results();
                    })
                    .recover(e -> Future.succeededFuture(failed(copy, e)))
                    .map(r -> {
                        results.addAll(r);
                        return null;
                    }));
        }
        return chain.map(x -> new RelayOutcome(nexthop.nexthop(), results));
    }

    private static List<RecipientResult> failed(QueuedMessage copy, Throwable e) {
        SmtpReply r = SmtpReply.of(451, "4.3.0", "content filter relay failed: " + String.valueOf(e.getMessage()).replace('\n', ' '));
        return copy.recipients().stream().map(i -> new RecipientResult(i, copy.envelope().recipients().get(i).address(),
                RecipientResult.Status.DEFERRED, r, false, r.text())).toList();
    }

    /** Postfix's delivery line per recipient ("to=<...>, relay=..., status=sent (...)"), for pflogsumm. */
    private static void log(QueuedMessage copy, DeliveryReport report) {
        DeliveryReport.Timings t = report.timings();
        DeliveryLogFormat.Delays delays = DeliveryLogFormat.Delays.of(copy.envelope().arrival(), t.started(),
                t.started(), t.connected(), t.finished());
        for (RecipientResult r : report.results()) {
            SMTP_LOG.info(DeliveryLogFormat.delivery(copy.queueId(), r.address(), null, report.relay(),
                    report.connectionUse(), delays, r.dsn(), r.status().logName(), r.diagnostic()));
        }
    }

    private Future<Void> remove(QueueId id) {
        return workers.executeBlocking(() -> {
            spool.remove(id, QueueName.INCOMING);
            return null;
        }, false);
    }
}
