// ModeQueueWriter: the queue writer of a listener whose vscan_mode changes where cleanup's commit goes --
// none (reinjection): straight into active/ for qmgr, never scanned; content-filter: incoming/ with the
// FILTER of vscan_content_filter_nexthop, so whatever the after-queue stage sends on goes back to that hop.
package org.postern.gateway.smtpd;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.QueueWriter;
import org.postern.gateway.vscan.VscanMode;

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

    /** {@code w} itself unless the listener's vscan_mode is none or content-filter. */
    static QueueWriter wrap(QueueWriter w, SmtpdSettings st) {
        if (st.vscanMode() == VscanMode.NONE) return new ModeQueueWriter(w, QueueName.ACTIVE, null);
        if (st.vscanMode() == VscanMode.CONTENT_FILTER) return new ModeQueueWriter(w, QueueName.INCOMING, st.scanRequest().filter());
        return w;
    }

    /** Where a message cleanup commits to {@code requested} really goes on a listener with {@code st}. */
    static QueueName target(QueueName requested, SmtpdSettings st) {
        return requested == QueueName.INCOMING && st.vscanMode() == VscanMode.NONE ? QueueName.ACTIVE : requested;
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
        return w.commit(filter == null ? env : env.withFilter(filter), target);
    }

    @Override
    public Future<Void> abort() {
        return w.abort();
    }
}
