// AttachmentFilter: the vscan stage's "attachments" filter -- streams the queued message through
// MimeScan on a worker thread and answers CLEAN, BANNED (file name: reason) or UNSCANNABLE. Governed by
// vscan_attachment_checks and the vscan_banned_* / vscan_archive_* parameters (AttachmentPolicy).
package org.postern.filters.mime;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.postern.filters.Filter;
import org.postern.filters.FilterResult;
import org.postern.filters.ScanMessage;
import org.postern.policies.conf.Config;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.table.TableLookupException;
import org.postern.policies.table.Tables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thread-safe. {@link #inspect} never blocks its caller and its future always succeeds: reading the
 * queue file or a table lookup failing gives TEMPFAIL; MIME that cannot be walked gives UNSCANNABLE.
 */
public final class AttachmentFilter implements Filter {
    public static final String NAME = "attachments";
    /** The worker pool of {@link #fromConfig}; shared by every snapshot, sized by vscan_concurrency. */
    public static final String POOL_NAME = "postern-vscan-attachments";

    private static final Logger log = LoggerFactory.getLogger(AttachmentFilter.class);

    private final WorkerExecutor workers;
    private final AttachmentPolicy policy;
    private final NameRules rules;
    private final Clock clock;

    /**
     * @param workers where the blocking MIME walk runs (never an event loop)
     * @param clock   measures the time a scan took
     */
    public AttachmentFilter(WorkerExecutor workers, AttachmentPolicy policy, Clock clock) {
        this.workers = Objects.requireNonNull(workers, "workers");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.rules = new NameRules(policy);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The filter a configuration asks for, or empty when vscan_attachment_checks = no. Blocking (opens
     * the vscan_banned_file_maps tables): call it where the snapshot is built, on a worker. The filter
     * holds a reference on the shared worker pool {@link #POOL_NAME}: {@link #close()} it when the
     * snapshot is replaced.
     *
     * @throws ConfigException a table that cannot be opened or a bad limit, naming file:line
     */
    public static Optional<AttachmentFilter> fromConfig(Vertx vertx, Config config, Tables tables)
            throws ConfigException {
        if (!config.getBool("vscan_attachment_checks")) return Optional.empty();
        AttachmentPolicy policy = AttachmentPolicy.fromConfig(config, tables);
        int threads = Math.max(1, config.getInt("vscan_concurrency"));
        return Optional.of(new AttachmentFilter(vertx.createSharedWorkerExecutor(POOL_NAME, threads), policy,
                Clock.systemUTC()));
    }

    @Override
    public String name() {
        return NAME;
    }

    public AttachmentPolicy policy() {
        return policy;
    }

    @Override
    public Future<FilterResult> inspect(ScanMessage message) {
        Instant start = clock.instant();
        // ScanMessage.openStream() and the walk block: both run on the worker pool, unordered so
        // messages are scanned in parallel.
        return workers.executeBlocking(() -> scan(message, start), false)
                .recover(e -> Future.succeededFuture(FilterResult.tempfail(NAME,
                        "attachment scan failed: " + e, elapsed(start))));
    }

    /** A message held in memory is walked right here (the caller's worker thread); else null: {@link #inspect}. */
    @Override
    public FilterResult inspectOnWorker(ScanMessage message) {
        return message.content() == null ? null : scan(message, clock.instant());
    }

    /** Releases this filter's reference on the worker pool. */
    @Override
    public Future<Void> close() {
        return workers.close();
    }

    private FilterResult scan(ScanMessage message, Instant start) {
        try (InputStream in = message.openStream()) {
            return scan(in, start);
        } catch (IOException e) {
            return FilterResult.tempfail(NAME, "cannot read " + message.file() + ": " + e.getMessage(), elapsed(start));
        }
    }

    /** The blocking walk of one message; never throws. Package-private for tests. */
    FilterResult scan(InputStream in, Instant start) {
        Findings findings = new Findings();
        try {
            MimeScan.scan(in, policy, rules, findings, "", 0);
        } catch (TableLookupException e) {
            return FilterResult.tempfail(NAME, e.getMessage(), elapsed(start));
        } catch (IOException e) {
            return FilterResult.tempfail(NAME, "cannot read message: " + e.getMessage(), elapsed(start));
        } catch (RuntimeException | StackOverflowError e) {
            // A parser defect on hostile input must not pass the message, nor kill the worker.
            log.warn("attachment scan failed on malformed input", e);
            findings.unscannable("cannot parse MIME: " + e.getClass().getSimpleName());
        }
        Findings.Outcome o = findings.outcome();
        return FilterResult.of(NAME, o.kind(), o.detail(), elapsed(start));
    }

    private Duration elapsed(Instant start) {
        Duration d = Duration.between(start, clock.instant());
        return d.isNegative() ? Duration.ZERO : d;
    }
}
