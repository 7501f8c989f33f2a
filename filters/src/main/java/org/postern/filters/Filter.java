// Filter: one content scanner of the vscan stage (clamd, rspamd, attachment rules), the second of
// the three interfaces that carry Postern's design. Run concurrently per message by the vscan
// stage, each under its own timeout (vscan_clamd_timeout, vscan_rspamd_timeout).
package org.postern.filters;

import io.vertx.core.Future;

/**
 * Inspects one message. The future always succeeds with a result: a scanner that is down, slow or
 * answers garbage gives {@link FilterResult.Kind#TEMPFAIL} with the reason, never a failed future and
 * never CLEAN (the message then waits in incoming/). Failing the future is for programming errors.
 */
public interface Filter {
    /** The name used in the log line and the verdict, e.g. "clamav", "rspamd", "attachments". */
    String name();

    Future<FilterResult> inspect(ScanMessage message);

    /**
     * The result worked out here and now, on the worker thread that just read {@code message} into memory,
     * for a filter whose work blocks anyway (the MIME walk): it then costs no hand-off of its own. Null when
     * the filter runs through {@link #inspect} only (network scanners; a message not held in memory).
     */
    default FilterResult inspectOnWorker(ScanMessage message) {
        return null;
    }

    /** Releases the filter's clients and pools (a reload replaced it); inspections after this fail. */
    default Future<Void> close() {
        return Future.succeededFuture();
    }
}
