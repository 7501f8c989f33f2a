// ActiveFiles: qmgr's writes to the queue files of messages in active/ -- each recipient's outcome (fsync'd,
// invariant 2), what the sender is owed appended to the bounce log before that, and the removal of a finished
// message with its logs. Worker side only; refused once qmgr is abandoned (a simulated crash in tests).
package org.postern.gateway.qmgr;

import java.io.IOException;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.postern.gateway.queue.BounceLog;
import org.postern.gateway.queue.DeferLog;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.RecipientStatus;
import org.postern.gateway.queue.Spool;

/** Thread-safe; every method blocks (file writes and fsyncs). */
final class ActiveFiles {
    private final Spool spool;
    private final Qmgr.Hooks hooks;
    private final BooleanSupplier abandoned;

    ActiveFiles(Spool spool, Qmgr.Hooks hooks, BooleanSupplier abandoned) {
        this.spool = spool;
        this.hooks = hooks;
        this.abandoned = abandoned;
    }

    /**
     * Removes a message whose every recipient is done and whose notices are queued (unlink, then the directory
     * fsync'd, then its defer and bounce logs; a crash between leaves a log that the next start removes). Once
     * the directory is synced the outcome is on disk: a restart cannot send it again. The fsync is shared:
     * nobody waits on it but the log's "removed", so it may wait a few milliseconds for one that vscan runs
     * anyway ({@link Spool#syncShared}).
     */
    void remove(ActiveMessage m) throws IOException {
        refuseWhenAbandoned();
        spool.discard(m.id(), QueueName.ACTIVE, m.file.path(), m.file.contentOffset() + m.file.contentLength());
        if (!m.handedOn) DeferLog.delete(spool.root(), m.id());
        if (!m.handedOn || m.bounceLog || m.successLog) BounceLog.delete(spool.root(), m.id());
    }

    /** Records one recipient's status durably (fsync'd). */
    void mark(ActiveMessage m, int index, RecipientStatus status) throws IOException {
        refuseWhenAbandoned();
        m.file.markRecipient(index, status);
        hooks.afterMark(m.id(), index);
    }

    /**
     * Appends what the sender is owed for these recipients to the message's {@code kind} log, fsync'd: called
     * before their statuses are marked, so no recipient is done without its notice on disk.
     */
    void appendBounceLog(ActiveMessage m, BounceLog.Kind kind, List<BounceLog.Entry> entries) throws IOException {
        if (entries == null || entries.isEmpty()) return;
        refuseWhenAbandoned();
        BounceLog.append(spool.root(), m.id(), kind, entries);
    }

    private void refuseWhenAbandoned() throws IOException {
        if (abandoned.getAsBoolean()) throw new IOException("queue manager stopped");
    }
}
