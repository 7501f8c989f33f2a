// NoticeQueue: puts one notice into the spool as a new message -- a QueueWriter from IncomingQueue, the
// body composed as a stream on a bounce worker, the envelope (null sender or double_bounce_sender) with
// its recipient rewritten as cleanup would (canonical_maps, virtual_alias_maps: "postmaster" may be an
// alias) committed durably straight into active/ (notices are not scanned), then the qmgr is told its id.
package org.postern.gateway.bounce;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;
import org.postern.core.ClientInfo;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.postern.gateway.cleanup.AddressRewriting;
import org.postern.gateway.queue.IncomingQueue;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.QueueWriter;
import org.postern.gateway.queue.QueueWriterStream;

/** Used from any thread; blocking work runs on {@code workers}. */
final class NoticeQueue {
    /** Notices are made here, not received: the envelope's client is the local mail system. */
    static final ClientInfo LOCAL = new ClientInfo("localhost", "127.0.0.1", 0, null, null, null, null, null, null);

    /** Writes a notice's content (blocking, on a worker). */
    interface Body {
        NoticeHeaders.Composed write(QueueId id, OutputStream out) throws IOException;
    }

    private final IncomingQueue queue;
    private final WorkerExecutor workers;
    private final Consumer<QueueId> queued;
    private final Clock clock;
    private volatile AddressRewriting rewriting = AddressRewriting.NONE;

    NoticeQueue(IncomingQueue queue, WorkerExecutor workers, Consumer<QueueId> queued, Clock clock) {
        this.queue = queue;
        this.workers = workers;
        this.queued = queued;
        this.clock = clock;
    }

    /** The address rewriting recipients of notices get from now on (the configuration's tables, once loaded). */
    void rewriteWith(AddressRewriting r) {
        rewriting = java.util.Objects.requireNonNull(r, "rewriting");
    }

    /**
     * Queues one message from {@code sender} ("" = null sender) to {@code recipient}. Completes with its
     * queue id once the file is fsync'd in active/ and {@code queued} has been told; on failure nothing
     * stays in the spool.
     */
    Future<QueueId> submit(String sender, String recipient, Body body) {
        Future<QueueWriter> created;
        try {
            created = queue.create(queue.newQueueId());
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        return created.compose(w -> workers.executeBlocking(() -> {
                    QueueWriterStream out = new QueueWriterStream(w);
                    NoticeHeaders.Composed c = body.write(w.id(), out);
                    out.close();
                    return c;
                }, false)
                .compose(c -> rewritten(envelope(w.id(), sender, List.of(Recipient.of(recipient)), c), c))
                .compose(env -> w.commit(env, QueueName.ACTIVE))
                .transform(ar -> ar.succeeded() ? Future.succeededFuture(w.id())
                        : w.abort().transform(x -> Future.<QueueId>failedFuture(ar.cause()))))
                .map(id -> {
                    try {
                        queued.accept(id);
                    } catch (RuntimeException e) {
                        Bouncer.LOG.warn("{}: queue manager not told of the notice: {}", id, e.toString());
                    }
                    return id;
                });
    }

    /**
     * The envelope with its recipients as cleanup would rewrite them (the sender stays: it marks the notice
     * as one that must not bounce); a table that fails leaves the notice unqueued, as cleanup answers 451.
     */
    private Future<Envelope> rewritten(Envelope env, NoticeHeaders.Composed c) {
        AddressRewriting.Result r = rewriting.apply(env, null, List.of());
        r.warnings().forEach(w -> Bouncer.LOG.warn("{}", w));
        if (r.refusal() != null) return Future.failedFuture(new IOException("address rewriting failed: " + r.refusal().oneLine()));
        return Future.succeededFuture(envelope(env.queueId(), env.sender(), r.envelope().recipients(), c));
    }

    private Envelope envelope(QueueId id, String sender, List<Recipient> recipients, NoticeHeaders.Composed c) {
        return new Envelope(id, clock.instant(), LOCAL, sender, recipients, -1,
                c.eightBit() ? Envelope.BodyType.EIGHT_BIT_MIME : Envelope.BodyType.SEVEN_BIT,
                c.smtputf8() || !MailText.isAscii(sender) || recipients.stream().anyMatch(x -> !MailText.isAscii(x.address())),
                null, null);
    }
}
