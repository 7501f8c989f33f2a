// Findings: what the scan of one message found so far -- the first ban and the first reason it
// could not be scanned fully. Shared by the MIME walk (MimeScan) and the archive walk (ZipScan) of
// the vscan stage's "attachments" filter; a ban ends the scan, an unscannable part does not.
package org.postern.filters.mime;

import org.postern.filters.FilterResult;

/** Mutable, confined to the worker thread scanning one message. */
final class Findings {
    /** The verdict: CLEAN, BANNED or UNSCANNABLE, with "file name: reason" (empty for CLEAN). */
    record Outcome(FilterResult.Kind kind, String detail) {}

    private String ban;
    private String unscannable;

    /** Records a ban; only the first one is kept. */
    void ban(String detail) {
        if (ban == null) ban = detail;
    }

    /** Records why part of the message could not be scanned; only the first reason is kept. */
    void unscannable(String detail) {
        if (unscannable == null) unscannable = detail;
    }

    boolean banned() {
        return ban != null;
    }

    /** A ban wins over an unscannable part: it is certain, the other is not. */
    Outcome outcome() {
        if (ban != null) return new Outcome(FilterResult.Kind.BANNED, ban);
        if (unscannable != null) return new Outcome(FilterResult.Kind.UNSCANNABLE, unscannable);
        return new Outcome(FilterResult.Kind.CLEAN, "");
    }
}
