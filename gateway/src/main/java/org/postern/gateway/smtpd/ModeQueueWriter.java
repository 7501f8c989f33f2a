// ModeQueueWriter: the queue writer of a listener whose vscan_mode changes cleanup's commit -- none (reinjection),
// or after-queue with no content filter configured: straight into active/; content-filter: incoming/ in transit,
// with the FILTER of vscan_content_filter_nexthop (where the after-queue stage sends what the listener left).
package org.postern.gateway.smtpd;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.QueueWriter;
import org.postern.gateway.vscan.VscanMode;
import org.postern.gateway.vscan.VscanStage;

/** Delegates everything but the commit's target (hold/ stays hold/). */
final class ModeQueueWriter implements QueueWriter {
    private final QueueWriter w;
    private final QueueName target;
    private final String filter;

    private ModeQueueWriter(QueueWriter w, QueueName target, String filter) {
        this.w = w;
        this.target = target;
        this.filter = filter;
    }

    /** {@code w} itself unless the listener's vscan_mode is none or content-filter, or nothing is scanned. */
    static QueueWriter wrap(QueueWriter w, SmtpdSettings st, VscanStage vscan) {
        if (straightToActive(st, vscan)) return new ModeQueueWriter(w, QueueName.ACTIVE, null);
        if (st.vscanMode() == VscanMode.CONTENT_FILTER) return new ModeQueueWriter(w, QueueName.INCOMING, st.scanRequest().filter());
        return w;
    }

    /** Where a message cleanup commits to {@code requested} really goes on a listener with {@code st}. */
    static QueueName target(QueueName requested, SmtpdSettings st, VscanStage vscan) {
        return requested == QueueName.INCOMING && straightToActive(st, vscan) ? QueueName.ACTIVE : requested;
    }

    private static boolean straightToActive(SmtpdSettings st, VscanStage vscan) {
        return st.vscanMode() == VscanMode.NONE
                || st.vscanMode() == VscanMode.AFTER_QUEUE && vscan != null && vscan.scansNothing();
    }

    @Override
    public QueueId id() {
        return w.id();
    }

    @Override
    public Future<Void> write(Buffer chunk) {
        return w.write(chunk);
    }

    @Override
    public long pendingBytes() {
        return w.pendingBytes();
    }

    @Override
    public long size() {
        return w.size();
    }

    @Override
    public Future<Void> commit(Envelope env) {
        return commit(env, QueueName.INCOMING);
    }

    @Override
    public Future<Void> commit(Envelope env, QueueName requested) {
        if (requested != QueueName.INCOMING) return w.commit(env, requested);
        if (filter != null) return w.commitInTransit(env.withFilter(filter)); // content-filter: answered after the relay
        return w.commit(env, target);
    }

    @Override
    public Future<Void> commitStagedRelease(Envelope env) {
        return w.commitStagedRelease(env);
    }

    @Override
    public Future<Void> abort() {
        return w.abort();
    }
}
