// QueueSpace: the free space of the queue file system as smtpd's MAIL FROM sees it (Postfix's smtpd_check_queue):
// a new transaction gets 452 4.3.1 when no more than queue_minfree or 1.5 x message_size_limit is free, or when a
// declared SIZE= would eat into queue_minfree. statvfs blocks, so it runs on a worker, at most once a second.
package org.postern.gateway.smtpd;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.postern.core.SmtpReply;

/** One per configuration snapshot, shared by its listeners (they share the spool). Thread-safe. */
final class QueueSpace {
    /** Postfix's reply when the queue file system is (nearly) full: a temporary error, the client retries. */
    static final SmtpReply INSUFFICIENT = SmtpReply.of(452, "4.3.1", "Insufficient system storage");
    /** The free space could not be read (the queue directory is gone?): try later rather than accept blind. */
    static final SmtpReply UNKNOWN = SmtpReply.of(451, "4.3.0", "Error: cannot check the queue file system");
    /** Postfix's smtpd_space_multf: the free space must exceed this many message_size_limits. */
    static final double SIZE_LIMIT_FACTOR = 1.5;
    /** How long one measurement is used. Postfix asks per MAIL; a busy gateway asks once a second. */
    static final long MAX_AGE_MILLIS = 1000;

    /** Where the number comes from; blocking, called on a worker thread. */
    interface Source {
        /** Bytes an unprivileged writer may still use (statvfs f_bavail x f_frsize). */
        long usableBytes() throws IOException;
    }

    private final Vertx vertx;
    private final Clock clock;
    private final Source source;
    private long measuredAt;
    private long usable = -1; // none yet
    private Future<Long> measuring;

    QueueSpace(Vertx vertx, Clock clock, Source source) {
        this.vertx = vertx;
        this.clock = clock;
        this.source = source;
    }

    /** statvfs of {@code dir}, asked anew each time (a file system mounted there later is seen). */
    static Source statvfs(Path dir) {
        return () -> Files.getFileStore(dir).getUsableSpace();
    }

    /**
     * The usable bytes of the queue file system: the last measurement when it is under a second old, else a
     * new one from a worker (one at a time; callers meanwhile share it). Fails when the source does.
     */
    synchronized Future<Long> usable() {
        if (measuring != null) return measuring;
        long now = clock.millis();
        if (usable >= 0 && now >= measuredAt && now - measuredAt < MAX_AGE_MILLIS) return Future.succeededFuture(usable);
        // Vert.x's worker pool: a statvfs is short and sessions must not wait behind queue file writes
        Future<Long> f = vertx.<Long>executeBlocking(source::usableBytes, false).andThen(ar -> {
            synchronized (this) {
                measuring = null;
                if (ar.succeeded()) {
                    usable = ar.result();
                    measuredAt = now;
                }
            }
        });
        measuring = f.isComplete() ? null : f;
        return f;
    }

    /**
     * Why a transaction that declared {@code declaredSize} (-1: no SIZE=) cannot start with {@code usable}
     * bytes free -- Postfix's warning text -- or null when it can. As Postfix: refused when the free space is
     * no more than queue_minfree, or than 1.5 x message_size_limit (so with both 0, only a full file system),
     * and (Postfix 2.0's smtpd_check_size, RFC 1870's 452) when SIZE= leaves no more than queue_minfree.
     */
    static String shortage(long usable, long minfree, long sizeLimit, long declaredSize) {
        if (sizeLimit >= usable / SIZE_LIMIT_FACTOR) {
            return "not enough free space in mail queue: " + usable + " bytes < " + SIZE_LIMIT_FACTOR + "*message size limit";
        }
        if (usable <= minfree) {
            return "not enough free space in mail queue: " + usable + " bytes, queue_minfree = " + minfree;
        }
        if (declaredSize > 0 && declaredSize >= usable - minfree) {
            return "not enough free space in mail queue: " + usable + " bytes, queue_minfree = " + minfree
                    + ", SIZE=" + declaredSize;
        }
        return null;
    }
}
