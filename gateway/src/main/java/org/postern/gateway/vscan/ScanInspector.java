// ScanInspector: the vscan stage's work on one message in incoming/ -- run the filter chain, fold the
// results into a verdict, decide each recipient's action (ActionPolicy), then deliver (move or rewrite into
// active/), quarantine, or discard, and log one line per action. Governed by the vscan_* parameters.
package org.postern.gateway.vscan;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postern.core.Envelope;
import org.postern.core.QuarantineStore;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.postern.core.SmtpReply;
import org.postern.filters.Action;
import org.postern.filters.ActionPolicy;
import org.postern.filters.FilterChain;
import org.postern.filters.FilterResult;
import org.postern.filters.HeaderEdit;
import org.postern.filters.ScanMessage;
import org.postern.filters.ScanVerdict;
import org.postern.filters.SpamReport;
import org.postern.filters.VerdictClass;
import org.postern.gateway.queue.IncomingQueue;
import org.postern.gateway.queue.QueueFile;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.QueueWriterStream;
import org.postern.gateway.queue.RecipientStatus;
import org.postern.gateway.queue.Spool;
import org.postern.gateway.smtp.QueuedMessage;

/** One instance per configuration snapshot; {@link #inspect} may run for many messages at once. */
public final class ScanInspector implements VscanStage.Inspector {
    /** Tells an administrator (or a recipient) about a message; the bounce stage's notices. */
    @FunctionalInterface
    public interface Notifier {
        Notifier NONE = (rcpt, subject, text) -> Future.succeededFuture();

        Future<Void> notify(String recipient, String subject, String text);
    }

    /**
     * The parameters of this stage that are not the chain or the policy; {@code threads} sizes the worker pool
     * that reads, walks (attachments) and moves messages on (vscan_concurrency: one per inspection at once).
     */
    public record Settings(Set<String> failOpen, ScanVerdict.SpamThresholds thresholds, String subjectTag,
                           String adminRecipient, Set<String> adminClasses, boolean recipientNotify, int threads) {}

    private final Vertx vertx;
    private final FilterChain chain;
    private final ActionPolicy policy;
    private final Settings settings;
    private final IncomingQueue queue;
    private final QuarantineStore quarantine;
    private final VscanNotices notices;
    private final WorkerExecutor workers;

    /** @param quarantine where quarantined mail goes; null: mail that policy quarantines waits in incoming/ */
    public ScanInspector(Vertx vertx, FilterChain chain, ActionPolicy policy, Settings settings, IncomingQueue queue,
                         QuarantineStore quarantine, Notifier notifier) {
        this.vertx = vertx;
        this.chain = chain;
        this.policy = policy;
        this.settings = settings;
        this.queue = queue;
        this.quarantine = quarantine;
        this.notices = new VscanNotices(notifier, settings.adminRecipient(), settings.adminClasses());
        this.workers = vertx.createSharedWorkerExecutor("postern-vscan-copy", Math.max(4, settings.threads()));
    }

    /**
     * Closes this inspector's filters once inspections that started before have had their time (the
     * longest filter timeout, plus a second): what a reload does with the inspector it replaced.
     */
    public void retire() {
        long after = chain.longestTimeout().toMillis() + 1000;
        vertx.setTimer(after, t -> chain.close().onFailure(e ->
                VscanStage.LOG.warn("vscan: closing the previous filters: {}", e.toString())));
    }

    @Override
    public Future<QueueFile> inspect(Spool spool, QueueId id) {
        return scan(spool, id, true).compose(s -> {
            if (s == null) return Future.succeededFuture(null); // an unanswered content-filter message: removed
            if (s.verdict().tempfail()) return Future.failedFuture(notScanned(s.verdict()));
            return dispose(spool, s);
        });
    }

    /**
     * At end of DATA for a before-queue or content-filter listener. A verdict whose action is reject for every
     * recipient removes the message and gives REJECTED (550 5.7.1); otherwise before-queue disposes as after the
     * queue (a reject among other actions is a quarantine) and content-filter sends the deliver and tag copies to
     * its next hop first. A scan that is not done when {@code now} expires is finished as after the queue. Fails
     * (before-queue: the after-queue stage retries) when the message cannot be scanned; content-filter instead
     * removes it and answers 451 4.7.1, as the client keeps it.
     */
    @Override
    public Future<Disposition> inspectNow(Spool spool, QueueId id, EndOfData now) {
        return scan(spool, id, false).compose(s -> {
            ScanVerdict v = s.verdict();
            boolean filter = now.request().mode() == VscanMode.CONTENT_FILTER;
            if (v.tempfail() && filter) {
                VscanStage.LOG.info("{}: vscan: not scanned: {}; removed, the client keeps it", id, v.describe());
                return remove(spool, id).map(x -> new Disposition(Disposition.Outcome.TEMPFAIL,
                        SmtpReply.of(451, "4.7.1", "Try again later: the content filter could not scan the message")));
            }
            if (v.tempfail()) return Future.failedFuture(notScanned(v));
            if (!now.settle()) return dispose(spool, s).map(Disposition.QUEUED); // too late: after-queue
            Map<Action, List<Integer>> groups = new EnumMap<>(Action.class);
            Map<Action, ActionPolicy.Decision> why = new EnumMap<>(Action.class);
            try {
                plan(s.file(), v, false, groups, why);
            } catch (ActionPolicy.PolicyException e) {
                return Future.failedFuture(new IOException("vscan_policy_maps: " + e.getMessage()));
            }
            if (groups.size() == 1 && groups.containsKey(Action.REJECT)) return reject(spool, s.file(), v, groups, why);
            if (!filter) return dispose(spool, s).map(Disposition.QUEUED);
            return relay(spool, s.file(), v, now);
        });
    }

    /** A scanned message: the queue file as read, what the filters got (its content, when read at once), the verdict. */
    private record Scanned(QueueFile file, ScanMessage message, ScanVerdict verdict) {}

    /**
     * A message about to be scanned: the queue file as read, what the filters get, and the results of the
     * filters that ran in the same worker trip (null for the others, or no list when nothing was in memory).
     */
    private record Read(QueueFile file, ScanMessage message, List<FilterResult> early) {}

    /** Messages up to this size are read once for all filters (at most vscan_concurrency of them at a time). */
    static final int SHARED_READ_LIMIT = 128 * 1024;

    /**
     * Reads the envelope, and the content too when it is at most {@link #SHARED_READ_LIMIT} bytes: the
     * filters then share that one read instead of each opening and streaming the file, and the blocking
     * ones (the attachment walk) run in the same worker trip while the network scanners wait a moment. After the
     * queue ({@code afterQueue}) a message still in transit is removed instead, and the answer is null.
     */
    private Future<Scanned> scan(Spool spool, QueueId id, boolean afterQueue) {
        return workers.executeBlocking(() -> {
            QueueFile file = QueueFile.read(spool.file(QueueName.INCOMING, id));
            if (afterQueue && file.inTransit()) {
                ContentFilterDisposal.removeUnanswered(spool, id);
                return null;
            }
            Buffer content = file.contentLength() <= SHARED_READ_LIMIT ? Buffer.buffer(file.readContent()) : null;
            ScanMessage message = new ScanMessage(file.envelope(), file.path(), file.contentOffset(),
                    file.contentLength(), content);
            return new Read(file, message, content == null ? null : chain.inspectOnWorker(message));
        }, false).compose(read -> read == null ? Future.succeededFuture() : chain.inspect(read.message(), read.early())
                .map(results -> new Scanned(read.file(), read.message(),
                        ScanVerdict.of(results, settings.failOpen(), settings.thresholds()))));
    }

    private static IOException notScanned(ScanVerdict v) {
        return new IOException("not scanned: " + v.describe());
    }

    /**
     * Groups the pending recipients by action, with the rule that chose it. After the queue ({@code
     * afterQueue}) a reject becomes a quarantine: it would need a bounce to a probably forged sender.
     */
    private void plan(QueueFile file, ScanVerdict v, boolean afterQueue, Map<Action, List<Integer>> groups,
                      Map<Action, ActionPolicy.Decision> why) throws ActionPolicy.PolicyException {
        Envelope env = file.envelope();
        for (int i : file.pendingRecipients()) {
            ActionPolicy.Decision d = policy.decide(v.verdictClass(), env.recipients().get(i).address());
            Action a = afterQueue && d.action() == Action.REJECT ? Action.QUARANTINE : d.action();
            groups.computeIfAbsent(a, k -> new ArrayList<>()).add(i);
            why.putIfAbsent(a, d);
        }
    }

    private void logGroups(QueueId id, ScanVerdict v, Map<Action, List<Integer>> groups,
                           Map<Action, ActionPolicy.Decision> why, Envelope env) {
        for (Map.Entry<Action, List<Integer>> g : groups.entrySet()) {
            VscanStage.LOG.info("{}: vscan: {} class={} action={} rule={} to={}", id, v.describe(),
                    v.verdictClass().key(), g.getKey().key(), why.get(g.getKey()).rule(), addresses(env, g.getValue()));
        }
    }

    /**
     * Groups the pending recipients by action and carries each group out; removes the original last. Answers
     * the queue file moved on to active/ unchanged, or null when it was copied, quarantined or removed.
     */
    private Future<QueueFile> dispose(Spool spool, Scanned s) {
        QueueFile file = s.file();
        ScanVerdict v = s.verdict();
        Envelope env = file.envelope();
        Map<Action, List<Integer>> groups = new EnumMap<>(Action.class);
        Map<Action, ActionPolicy.Decision> why = new EnumMap<>(Action.class);
        try {
            plan(file, v, true, groups, why);
        } catch (ActionPolicy.PolicyException e) {
            return Future.failedFuture(new IOException("vscan_policy_maps: " + e.getMessage()));
        }
        QueueId id = env.queueId();
        if (groups.isEmpty()) return remove(spool, id).map(x -> null);
        List<HeaderEdit> edits = edits(v, groups.containsKey(Action.TAG));
        boolean deliverAll = groups.size() == 1 && groups.containsKey(Action.DELIVER);
        logGroups(id, v, groups, why, env);
        if (deliverAll && v.headerEdits().stream().allMatch(e -> e.op() == HeaderEdit.Op.REMOVE)) {
            // rspamd asks to remove headers on every message (milter_headers); when none of them is there,
            // the message goes on untouched by a rename instead of a rewritten copy
            return workers.executeBlocking(() -> {
                // the content the filters shared when it was read at once, else the queue file
                if (!v.headerEdits().isEmpty() && HeaderRewriter.hasAny(s.message().openStream(), v.headerEdits())) return null;
                return file.movedTo(spool.promote(id));
            }, false).compose(moved -> moved != null ? Future.succeededFuture(moved)
                    : rewrite(file, groups.get(Action.DELIVER), v.headerEdits(), null).compose(x -> remove(spool, id))
                    .map(x -> (QueueFile) null))
                    .compose(moved -> notices.admin(env, v).map(x -> moved));
        }
        // A split message: each group's recipients are marked done in the original as soon as the group is
        // carried out, so a later group that fails (quarantine store busy, disk full) and the retry of the
        // message redo only what is left -- never a second copy for recipients already handed on.
        boolean split = groups.size() > 1;
        Future<Void> all = Future.succeededFuture();
        for (Map.Entry<Action, List<Integer>> g : groups.entrySet()) {
            List<Integer> rcpts = g.getValue();
            all = all.compose(x -> switch (g.getKey()) {
                case DELIVER -> rewrite(file, rcpts, v.headerEdits(), null);
                case TAG -> rewrite(file, rcpts, edits, subjectTag(v));
                case QUARANTINE, REJECT -> quarantine(file, rcpts, v, why.get(g.getKey()));
                case DISCARD -> Future.succeededFuture();
            }).compose(x -> split ? markDone(file, rcpts) : Future.succeededFuture());
        }
        return all.compose(x -> notices.admin(env, v)).compose(x -> remove(spool, id)).map(x -> null);
    }

    /** Every recipient's action is reject: the message goes nowhere; smtpd answers 550 5.7.1. */
    private Future<Disposition> reject(Spool spool, QueueFile file, ScanVerdict v, Map<Action, List<Integer>> groups,
                                       Map<Action, ActionPolicy.Decision> why) {
        Envelope env = file.envelope();
        logGroups(env.queueId(), v, groups, why, env);
        SmtpReply reply = SmtpReply.of(550, "5.7.1", "Message content rejected (" + shortReason(v) + ")");
        return remove(spool, env.queueId()).compose(x -> notices.admin(env, v))
                .map(x -> new Disposition(Disposition.Outcome.REJECTED, reply));
    }

    /** "infected: Eicar-Signature", "banned: invoice.pdf.exe: ...", "spam": for the 550 text. */
    static String shortReason(ScanVerdict v) {
        String detail = v.results().stream().filter(r -> r.kind() != FilterResult.Kind.CLEAN
                        && r.kind() != FilterResult.Kind.SCORED && r.kind() != FilterResult.Kind.TEMPFAIL)
                .map(FilterResult::detail).filter(d -> !d.isBlank()).findFirst().orElse("");
        String text = v.verdictClass().key() + (detail.isEmpty() ? "" : ": " + detail);
        text = text.replaceAll("[\\x00-\\x1f\\x7f]", " ").strip();
        return text.length() > 120 ? text.substring(0, 117) + "..." : text;
    }

    /** content-filter: the deliver and tag copies go to the next hop first, then quarantine and discard. */
    private Future<Disposition> relay(Spool spool, QueueFile file, ScanVerdict v, EndOfData now) {
        Envelope env = file.envelope();
        Map<Action, List<Integer>> groups = new EnumMap<>(Action.class);
        Map<Action, ActionPolicy.Decision> why = new EnumMap<>(Action.class);
        try {
            plan(file, v, true, groups, why);
        } catch (ActionPolicy.PolicyException e) {
            return Future.failedFuture(new IOException("vscan_policy_maps: " + e.getMessage()));
        }
        logGroups(env.queueId(), v, groups, why, env);
        return workers.executeBlocking(() -> {
            List<QueuedMessage> copies = new ArrayList<>();
            List<Integer> deliver = groups.get(Action.DELIVER);
            if (deliver != null) copies.add(copy(file, deliver, v.headerEdits(), null));
            List<Integer> tag = groups.get(Action.TAG);
            if (tag != null) copies.add(copy(file, tag, edits(v, true), subjectTag(v)));
            return copies;
        }, false).compose(copies -> new ContentFilterDisposal(workers, spool, now.relay(), now.request().nexthop())
                .run(file, copies, () -> {
                    Set<Integer> done = new java.util.HashSet<>();
                    Future<Void> all = Future.succeededFuture();
                    for (Action a : List.of(Action.QUARANTINE, Action.DISCARD)) {
                        List<Integer> rcpts = groups.get(a);
                        if (rcpts == null) continue;
                        all = all.compose(x -> (a == Action.DISCARD ? Future.<Void>succeededFuture()
                                : quarantine(file, rcpts, v, why.get(a))).map(y -> {
                                    done.addAll(rcpts);
                                    return null;
                                }));
                    }
                    return all.compose(x -> notices.admin(env, v)).map(x -> done);
                }));
    }

    /** A copy to send to the next hop: the queue file's content, its header section changed when asked. Blocking. */
    private static QueuedMessage copy(QueueFile file, List<Integer> rcpts, List<HeaderEdit> edits, String subjectTag)
            throws IOException {
        if (edits.isEmpty() && subjectTag == null) return QueuedMessage.of(file, rcpts);
        HeaderRewriter r = new HeaderRewriter(edits, subjectTag);
        long length;
        try (InputStream in = new BufferedInputStream(file.openContent(), 8192)) {
            length = r.length(in, file.contentLength());
        }
        return new QueuedMessage(file.envelope(), rcpts, length,
                () -> r.open(new BufferedInputStream(file.openContent(), 65536)));
    }

    /** The filters' edits plus, for tagged delivery, fresh X-Spam-* headers (forged ones removed). */
    private static List<HeaderEdit> edits(ScanVerdict v, boolean tag) {
        List<HeaderEdit> out = new ArrayList<>(v.headerEdits());
        if (!tag) return out;
        SpamReport s = v.spam();
        for (String h : HeaderRewriter.TAG_HEADERS) out.add(HeaderEdit.remove(h));
        out.add(HeaderEdit.add("X-Spam-Flag", "YES"));
        if (s != null) {
            out.add(new HeaderEdit(HeaderEdit.Op.ADD, "X-Spam-Score", String.format(java.util.Locale.ROOT, "%.2f", s.score()), 1));
            out.add(new HeaderEdit(HeaderEdit.Op.ADD, "X-Spam-Status", String.format(java.util.Locale.ROOT,
                    "Yes, score=%.2f required=%.2f action=%s", s.score(), s.required(), s.action()), 2));
        }
        return out;
    }

    private String subjectTag(ScanVerdict v) {
        SpamReport s = v.spam();
        boolean rewrite = s != null && s.action().equalsIgnoreCase("rewrite subject") || v.verdictClass() == VerdictClass.SPAM;
        return rewrite ? settings.subjectTag() : null;
    }

    /** A copy for {@code rcpts} with its headers changed, committed straight into active/ under a new queue id. */
    private Future<Void> rewrite(QueueFile file, List<Integer> rcpts, List<HeaderEdit> edits, String subjectTag) {
        Envelope env = file.envelope();
        QueueId original = env.queueId();
        return queue.create(queue.newQueueId()).compose(w -> workers.executeBlocking(() -> {
            try (InputStream in = new BufferedInputStream(file.openContent(), 65536);
                 OutputStream out = new QueueWriterStream(w)) {
                new HeaderRewriter(edits, subjectTag).copy(in, out);
            }
            return w;
        }, false).compose(x -> w.commit(withRecipients(env, w.id(), rcpts), QueueName.ACTIVE)).map(x -> {
            VscanStage.LOG.info("{}: vscan: queued as {} for {}", original, w.id(), addresses(env, rcpts));
            return (Void) null;
        }).recover(e -> w.abort().transform(x -> Future.failedFuture(e))));
    }

    private Future<Void> quarantine(QueueFile file, List<Integer> rcpts, ScanVerdict v, ActionPolicy.Decision d) {
        if (quarantine == null) return Future.failedFuture(new IOException("no quarantine store configured"));
        Envelope env = file.envelope();
        SpamReport s = v.spam();
        return workers.executeBlocking(() -> subjectOf(file), false).compose(subject -> quarantine.quarantine(
                new QuarantineStore.Item(env, addresses(env, rcpts), subject, file.contentLength(), v.verdictClass().key(),
                        v.virus(), s == null ? null : s.score(),
                        s == null ? List.of() : s.symbols().stream().map(SpamReport.Symbol::name).toList(), v.reason(),
                        d.rule()), file::openContent)
                .compose(qid -> {
                    VscanStage.LOG.info("{}: vscan: quarantined as {} for {}", env.queueId(), qid, addresses(env, rcpts));
                    return settings.recipientNotify() ? notices.recipients(env, addresses(env, rcpts), subject, v, qid)
                            : Future.succeededFuture();
                }));
    }

    /** Marks {@code rcpts} of the original done (one fsync for the group): their outcome is safe elsewhere. */
    private Future<Void> markDone(QueueFile file, List<Integer> rcpts) {
        return workers.executeBlocking(() -> {
            file.markRecipients(rcpts, RecipientStatus.DELIVERED);
            return null;
        }, false);
    }

    /** Removes the original from incoming/ once its outcome (copies, quarantine) is safe. */
    private Future<Void> remove(Spool spool, QueueId id) {
        return workers.executeBlocking(() -> {
            if (!spool.remove(id, QueueName.INCOMING)) { // queue commands pause vscan: should not happen
                VscanStage.LOG.warn("{}: vscan: the original left incoming/ during the scan; its copies stay queued", id);
            }
            return null;
        }, false);
    }

    private static Envelope withRecipients(Envelope e, QueueId id, List<Integer> rcpts) {
        List<Recipient> r = rcpts.stream().map(e.recipients()::get).toList();
        return new Envelope(id, e.arrival(), e.client(), e.sender(), r, e.declaredSize(), e.body(), e.smtputf8(),
                e.ret(), e.envid(), e.filter());
    }

    private static List<String> addresses(Envelope e, List<Integer> rcpts) {
        return rcpts.stream().map(i -> e.recipients().get(i).address()).toList();
    }

    /** The Subject, RFC 2047 words decoded; "" when absent. Blocking. */
    static String subjectOf(QueueFile file) throws IOException {
        try (InputStream in = new BufferedInputStream(file.openContent(), 8192)) {
            String subject = HeaderRewriter.header(in, "subject");
            return subject == null ? "" : org.apache.james.mime4j.codec.DecoderUtil.decodeEncodedWords(subject,
                    org.apache.james.mime4j.codec.DecodeMonitor.SILENT);
        }
    }
}
