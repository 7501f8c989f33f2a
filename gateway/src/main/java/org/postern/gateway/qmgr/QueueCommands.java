// QueueCommands: postsuper -d/-h/-H/-r and postqueue -f for Postern -- delete, hold, release, requeue one
// message or ALL, and flush. Run inside the gateway (control socket) so a message being delivered is changed
// only when its delivery ends, or on the bare spool. A quarantine release's staged copy stays in hold/.
package org.postern.gateway.qmgr;

import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.postern.core.QueueId;
import org.postern.gateway.queue.BounceLog;
import org.postern.gateway.queue.DeferLog;
import org.postern.gateway.queue.QueueFile;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.Spool;

/** Each operation answers with Postfix-style lines: one per message, then a summary. */
public final class QueueCommands {

    /** The operations, with the queues each searches by default (postsuper(1)). */
    public enum Op {
        DELETE("removed", "Deleted", List.of(QueueName.HOLD, QueueName.INCOMING, QueueName.ACTIVE, QueueName.DEFERRED)),
        HOLD("placed on hold", "Placed on hold", List.of(QueueName.INCOMING, QueueName.ACTIVE, QueueName.DEFERRED)),
        RELEASE("released from hold", "Released from hold", List.of(QueueName.HOLD)),
        REQUEUE("requeued", "Requeued", List.of(QueueName.HOLD, QueueName.INCOMING, QueueName.ACTIVE, QueueName.DEFERRED));

        private final String done;
        private final String summary;
        private final List<QueueName> defaults;

        Op(String done, String summary, List<QueueName> defaults) {
            this.done = done;
            this.summary = summary;
            this.defaults = defaults;
        }

        String done() {
            return done;
        }

        public static Op of(String name) {
            return Op.valueOf(name.toUpperCase(Locale.ROOT));
        }
    }

    /**
     * What scans incoming/ (the vscan stage): asked to leave a message alone while a command changes it,
     * since a scan that rewrites a message into active/ and a hold or delete of the original would race.
     */
    public interface ScanGuard {
        /** True when no scan of {@code id} runs, and none starts until {@link #resume}; false: one runs. */
        Future<Boolean> pause(QueueId id);

        void resume(QueueId id);
    }

    private final Spool spool;
    private final Qmgr qmgr;
    private final ScanGuard scans;

    /** On the bare spool: no gateway runs, so neither does any delivery or scan to wait for. */
    public QueueCommands(Spool spool) {
        this.spool = Objects.requireNonNull(spool, "spool");
        this.qmgr = null;
        this.scans = null;
    }

    /**
     * @param qmgr  the running queue manager
     * @param scans the running vscan stage, paused per message while a command changes it
     */
    public QueueCommands(Spool spool, Qmgr qmgr, ScanGuard scans) {
        this.spool = Objects.requireNonNull(spool, "spool");
        this.qmgr = Objects.requireNonNull(qmgr, "qmgr");
        this.scans = Objects.requireNonNull(scans, "scans");
    }

    /**
     * Applies {@code op} to {@code target} (a queue id, or ALL) in {@code queue} (null: the op's default
     * queues). Completes with the output lines; an unknown id gives a "not found" line.
     */
    public Future<List<String>> run(Op op, String target, QueueName queue) {
        List<QueueName> queues = queue == null ? op.defaults : List.of(queue);
        List<QueueId> ids;
        try {
            ids = target.equals("ALL") ? all(queues) : List.of(new QueueId(target));
        } catch (IOException | IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
        List<Future<String>> each = new ArrayList<>();
        for (QueueId id : ids) {
            if (qmgr != null) {
                each.add(scans.pause(id).compose(free -> free
                        ? qmgr.command(id, op, queues).andThen(ar -> scans.resume(id))
                        : Future.succeededFuture(id + ": being scanned, try again")));
            } else {
                try {
                    each.add(Future.succeededFuture(applyAnywhere(spool, id, queues, op)));
                } catch (IOException e) {
                    each.add(Future.succeededFuture(id + ": " + e.getMessage()));
                }
            }
        }
        return Future.join(each).transform(ar -> {
            List<String> out = new ArrayList<>();
            int n = 0;
            for (Future<String> f : each) {
                String line = f.succeeded() ? f.result() : "error: " + f.cause().getMessage();
                if (line == null) continue;
                out.add(line);
                if (line.contains(": " + op.done)) n++;
            }
            if (ids.size() == 1 && out.isEmpty()) out.add(target + ": not found in " + names(queues));
            out.add(op.summary + ": " + n + " message" + (n == 1 ? "" : "s"));
            Future<Void> after = qmgr == null || n == 0 ? Future.succeededFuture()
                    : op == Op.RELEASE ? qmgr.flush() : Future.succeededFuture();
            return after.map(v -> out);
        });
    }

    private List<QueueId> all(List<QueueName> queues) throws IOException {
        List<QueueId> ids = new ArrayList<>();
        for (QueueName q : queues) ids.addAll(spool.ids(q));
        return ids;
    }

    private static String names(List<QueueName> queues) {
        return String.join(", ", queues.stream().map(QueueName::dirName).toList());
    }

    /** Finds {@code id} in {@code queues} and applies {@code op}; null when it is in none. Blocking. */
    static String applyAnywhere(Spool spool, QueueId id, List<QueueName> queues, Op op) throws IOException {
        for (int attempt = 0; attempt < 3; attempt++) {
            QueueName where = spool.find(id);
            if (where == null || !queues.contains(where)) return null;
            try {
                return apply(spool, id, where, op);
            } catch (NoSuchFileException e) {
                // moved on by vscan or qmgr meanwhile: look again
            }
        }
        return id + ": moving too fast, try again";
    }

    /** Applies {@code op} to the message in {@code from}; null when there is nothing to do. Blocking. */
    static String apply(Spool spool, QueueId id, QueueName from, Op op) throws IOException {
        switch (op) {
            case DELETE -> {
                if (!spool.remove(id, from)) throw new NoSuchFileException(spool.file(from, id).toString());
                DeferLog.delete(spool.root(), id);
                BounceLog.delete(spool.root(), id); // as postsuper -d: the notices it still owed go with it
            }
            case HOLD -> {
                if (from == QueueName.HOLD) return null;
                // mail held from incoming/ has not been scanned: flagged (and fsync'd) before it moves, so its
                // release cannot skip the content filter; mail held after the scan is flagged clear
                QueueFile.markHeldUnscanned(spool.file(from, id), from == QueueName.INCOMING);
                spool.move(id, from, QueueName.HOLD);
            }
            case RELEASE -> {
                if (from != QueueName.HOLD) return null;
                if (QueueFile.stagedRelease(spool.file(QueueName.HOLD, id))) return stagedRelease(id);
                if (QueueFile.heldUnscanned(spool.file(QueueName.HOLD, id))) {
                    spool.move(id, QueueName.HOLD, QueueName.INCOMING); // to the content filter first
                    return id + ": " + op.done + " (to be scanned)";
                }
                spool.move(id, QueueName.HOLD, QueueName.DEFERRED);
                Files.setLastModifiedTime(spool.file(QueueName.DEFERRED, id), FileTime.from(Instant.now()));
            }
            case REQUEUE -> {
                if (from == QueueName.HOLD && QueueFile.stagedRelease(spool.file(QueueName.HOLD, id))) return stagedRelease(id);
                if (from != QueueName.INCOMING && BounceLog.owed(spool.root(), id)) {
                    // it owes its sender a notice: through vscan it could be replaced by a copy under a new id (or
                    // dropped, all recipients done) and the notice lost; qmgr tries it now and sends the notice
                    if (from != QueueName.DEFERRED) spool.move(id, from, QueueName.DEFERRED);
                    Files.setLastModifiedTime(spool.file(QueueName.DEFERRED, id), FileTime.from(Instant.now()));
                    DeferLog.delete(spool.root(), id);
                    return id + ": " + op.done + " (to deferred/, due now: a notice is still owed)";
                }
                if (from != QueueName.INCOMING) spool.move(id, from, QueueName.INCOMING);
                DeferLog.delete(spool.root(), id);
            }
        }
        return id + ": " + op.done;
    }

    /**
     * The answer for a quarantine release's copy staged in hold/: sending it on here would deliver it even when
     * its release is undone (and then the recipients could be released again). `postern quarantine purge`
     * completes the release and sends it on, or deletes it; `postern queue delete` cancels it.
     */
    private static String stagedRelease(QueueId id) {
        return id + ": staged quarantine release, left in hold (`postern quarantine purge` sends it on or drops it)";
    }
}
