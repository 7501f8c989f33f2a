// LogEvent: one mail-log line a restriction check produced, already in Postfix's format
// ("NOQUEUE: reject: RCPT from host[ip]: 554 5.7.1 ...; from=<s> to=<r> proto=ESMTP helo=<h>"),
// with the Origin that caused it. Collected in a Verdict; the caller writes them in order.
package org.postern.policies.restrict;

import java.util.Objects;
import org.postern.core.Origin;

/**
 * @param warning true for configuration problems (Postfix's msg_warn: log at WARN level); false for
 *                the session records (reject, reject_warning, hold, discard, filter, redirect, bcc,
 *                warn, info: log at INFO level, as Postfix does)
 * @param line    the complete line, without the syslog prefix
 * @param origin  the rule or table entry that caused it
 */
public record LogEvent(boolean warning, String line, Origin origin) {
    private static final String WARNING = "warning: ";

    public LogEvent {
        Objects.requireNonNull(line, "line");
        Objects.requireNonNull(origin, "origin");
    }

    /**
     * Postfix's log_whatsup(): {@code QUEUEID: WHATSUP: WHERE from NAME[ADDR]: TEXT; from=<..> to=<..>
     * proto=.. helo=<..>} (QUEUEID is NOQUEUE before the queue file exists; absent fields are left out).
     */
    static LogEvent session(SessionFacts f, String whatsup, String text, Origin origin) {
        StringBuilder sb = new StringBuilder();
        sb.append(f.queueId() == null ? "NOQUEUE" : f.queueId()).append(": ").append(whatsup).append(": ")
          .append(f.stage().where(f.protocol())).append(" from ").append(f.clientNamaddr()).append(": ")
          .append(text).append(';');
        if (f.sender() != null) sb.append(" from=<").append(f.sender()).append('>');
        if (f.recipient() != null) sb.append(" to=<").append(f.recipient()).append('>');
        if (f.protocol() != null) sb.append(" proto=").append(f.protocol());
        if (f.heloName() != null) sb.append(" helo=<").append(f.heloName()).append('>');
        return new LogEvent(false, sb.toString(), origin);
    }

    /** A configuration warning: {@code warning: TEXT} (Postfix's msg_warn). */
    static LogEvent warning(String text, Origin origin) {
        return new LogEvent(true, WARNING + text, origin);
    }

    /** The line followed by {@code  (origin)}, for logs that also show which rule decided. */
    public String lineWithOrigin() {
        return line + " (" + origin + ")";
    }

    /**
     * {@link #lineWithOrigin()} for a logger whose layout writes Postfix's {@code warning: } before WARN
     * records itself: a warning without its own prefix, so the mail log does not say it twice.
     */
    public String messageWithOrigin() {
        String l = lineWithOrigin();
        return warning && l.startsWith(WARNING) ? l.substring(WARNING.length()) : l;
    }
}
