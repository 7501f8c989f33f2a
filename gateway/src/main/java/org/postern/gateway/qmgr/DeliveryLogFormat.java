// DeliveryLogFormat: the text of qmgr's and the delivery agents' mail-log lines, in Postfix's wording
// (qmgr "from=... (queue active)", "removed", "status=expired"; smtp "to=..., relay=..., delay=...,
// delays=a/b/c/d, dsn=..., status=..."), so pflogsumm works. Pure; Qmgr writes them to the loggers.
package org.postern.gateway.qmgr;

import java.time.Duration;
import java.time.Instant;
import org.postern.core.QueueId;

/** Formats log lines. No state, no I/O. */
public final class DeliveryLogFormat {
    private DeliveryLogFormat() {}

    /**
     * Postfix's four delay parts (log_adhoc.c): a = arrival until active, b = active until the
     * delivery agent started, c = connection set-up, d = transmission; {@code total} = arrival until done.
     */
    public record Delays(Duration total, Duration a, Duration b, Duration c, Duration d) {
        /** Delays from time stamps; {@code connected} null when no connection was made (c is then 0). */
        public static Delays of(Instant arrival, Instant active, Instant handoff, Instant connected, Instant done) {
            Instant conn = connected != null ? connected : handoff;
            return new Delays(between(arrival, done), between(arrival, active), between(active, handoff),
                    between(handoff, conn), between(conn, done));
        }

        /** No delivery agent ran (qmgr decided itself): b runs until now, c and d are 0. */
        public static Delays noAgent(Instant arrival, Instant active, Instant now) {
            return new Delays(between(arrival, now), between(arrival, active), between(active, now), Duration.ZERO,
                    Duration.ZERO);
        }

        private static Duration between(Instant from, Instant to) {
            Duration d = Duration.between(from, to);
            return d.isNegative() ? Duration.ZERO : d; // a clock that jumped back counts as 0, as in Postfix
        }
    }

    /** {@code ID: from=<sender>, size=N, nrcpt=M (queue active)}. */
    public static String active(QueueId id, String sender, long size, int nrcpt) {
        return id + ": from=<" + sanitize(sender) + ">, size=" + size + ", nrcpt=" + nrcpt + " (queue active)";
    }

    /** {@code ID: removed}. */
    public static String removed(QueueId id) {
        return id + ": removed";
    }

    /** {@code ID: from=<sender>, status=expired, returned to sender}. */
    public static String expired(QueueId id, String sender) {
        return id + ": from=<" + sanitize(sender) + ">, status=expired, returned to sender";
    }

    /**
     * One recipient's outcome of one attempt (Postfix's log_adhoc):
     * {@code ID: to=<rcpt>, orig_to=<orcpt>, relay=..., conn_use=N, delay=..., delays=a/b/c/d, dsn=..., status=word (reason)}.
     *
     * @param origTo  the original recipient, or null; logged only when it differs (case-insensitively)
     * @param connUse the connection's use count; logged only above 1
     */
    public static String delivery(QueueId id, String to, String origTo, String relay, int connUse, Delays delays,
                                  String dsn, String status, String reason) {
        StringBuilder b = new StringBuilder(160).append(id).append(": to=<").append(sanitize(to)).append('>');
        if (origTo != null && !origTo.isEmpty() && !origTo.equalsIgnoreCase(to)) {
            b.append(", orig_to=<").append(sanitize(origTo)).append('>');
        }
        b.append(", relay=").append(sanitize(relay));
        if (connUse > 1) b.append(", conn_use=").append(connUse);
        b.append(", delay=").append(seconds(delays.total()));
        b.append(", delays=").append(seconds(delays.a())).append('/').append(seconds(delays.b())).append('/')
                .append(seconds(delays.c())).append('/').append(seconds(delays.d()));
        return b.append(", dsn=").append(sanitize(dsn)).append(", status=").append(status)
                .append(" (").append(sanitize(reason)).append(')').toString();
    }

    /** The address part of an RFC 3461 ORCPT ("rfc822;a@b" gives "a@b"), or null. */
    public static String orcptAddress(String orcpt) {
        if (orcpt == null) return null;
        int semi = orcpt.indexOf(';');
        return semi < 0 ? orcpt : orcpt.substring(semi + 1);
    }

    /**
     * Postfix's format_tv with 2 significant digits and delay_logging_resolution_limit 2: 10 s and
     * more as whole seconds (rounded), 1 to 10 s with one decimal, below 1 s at most two decimals;
     * trailing zeros dropped ("0", "0.01", "0.5", "1.2", "12").
     */
    public static String seconds(Duration d) {
        long sec = Math.max(0, d.getSeconds());
        long usec = d.isNegative() ? 0 : d.getNano() / 1000;
        final long million = 1_000_000;
        final int wid = 100; // 10^significant digits
        long ures = million / 100; // 10^-max digits
        if (sec > 0) {
            long n = 1;
            while (sec >= n && n <= wid / 10) n *= 10;
            ures = (million / wid) * n;
        }
        if (ures > 1) {
            usec += ures / 2;
            if (usec >= million) {
                sec += 1;
                usec -= million;
            }
        }
        StringBuilder b = new StringBuilder().append(sec);
        if (usec >= ures) {
            b.append('.');
            long rem = usec;
            for (long n = million / 10; rem >= ures && n > 0; n /= 10) {
                b.append((char) ('0' + rem / n));
                rem %= n;
            }
        }
        return b.toString();
    }

    /** Control characters (CR, LF, NUL, DEL, ...) become '?', so a value can never forge a log line. */
    public static String sanitize(String s) {
        if (s == null) return "";
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean bad = c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029';
            if (bad && b == null) b = new StringBuilder(s.substring(0, i));
            if (b != null) b.append(bad ? '?' : c);
        }
        return b == null ? s : b.toString();
    }
}
