// FilterResult: what one Filter found in one message -- clean, infected (signature), unscannable,
// banned (which attachment and why), scored by a spam filter (SpamReport), or TEMPFAIL (scanner
// down/slow/garbage). Feeds the verdict -> action policy of the vscan stage; immutable.
package org.postern.filters;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * @param filter      the filter's name ("clamav", "rspamd", "attachments")
 * @param kind        what was found
 * @param detail      signature name (INFECTED), "file name: reason" (BANNED), clamd's reply
 *                    (UNSCANNABLE), the failure (TEMPFAIL); "" for CLEAN and SCORED
 * @param spam        the spam filter's report for SCORED, else null
 * @param headerEdits header changes the filter asks for (rspamd's milter block), in order
 * @param elapsed     time the filter took
 */
public record FilterResult(String filter, Kind kind, String detail, SpamReport spam, List<HeaderEdit> headerEdits,
                           Duration elapsed) {

    public enum Kind { CLEAN, INFECTED, UNSCANNABLE, BANNED, SCORED, TEMPFAIL }

    public FilterResult {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(elapsed, "elapsed");
        detail = detail == null ? "" : detail;
        headerEdits = List.copyOf(headerEdits);
        if ((kind == Kind.SCORED) != (spam != null)) throw new IllegalArgumentException(kind + " with spam=" + spam);
    }

    public static FilterResult clean(String filter, Duration elapsed) {
        return new FilterResult(filter, Kind.CLEAN, "", null, List.of(), elapsed);
    }

    public static FilterResult of(String filter, Kind kind, String detail, Duration elapsed) {
        return new FilterResult(filter, kind, detail, null, List.of(), elapsed);
    }

    public static FilterResult tempfail(String filter, String why, Duration elapsed) {
        return new FilterResult(filter, Kind.TEMPFAIL, why, null, List.of(), elapsed);
    }

    public static FilterResult scored(String filter, SpamReport spam, List<HeaderEdit> edits, Duration elapsed) {
        return new FilterResult(filter, Kind.SCORED, "", spam, edits, elapsed);
    }
}
