// MailLogLine: formats one mail log line exactly as Postfix's syslog/maillog_file lines read, so
// pflogsumm and postmasters' greps keep working: "Nov  1 23:26:00 host postern/smtpd[123]: msg".
// Governed by main.cf myhostname (short form) and syslog_name. Knows nothing about Logback.
package org.postern.appliance;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Objects;
import org.postern.core.SecondStamp;

/**
 * The fixed parts of every line of one Postern process: time zone, short host name, syslog_name
 * and process id. {@link #format} adds the variable parts.
 */
record MailLogLine(ZoneId zone, String host, String syslogName, long pid) {

    /** Severity as Postfix shows it: a "warning: " or "error: " prefix, none for plain info. */
    enum Severity {
        INFO(""),
        WARNING("warning: "),
        ERROR("error: ");

        private final String prefix;

        Severity(String prefix) {
            this.prefix = prefix;
        }
    }

    /** syslog's timestamp: English month, day of month padded with a space ("Nov  1"). */
    private static final SecondStamp SYSLOG_TIME =
            new SecondStamp(DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ENGLISH));

    MailLogLine {
        Objects.requireNonNull(zone, "zone");
        host = shortHostname(host);
        if (host.isEmpty()) throw new IllegalArgumentException("empty host name");
        Objects.requireNonNull(syslogName, "syslogName");
    }

    /** myhostname up to its first dot, as syslog shows it. */
    static String shortHostname(String hostname) {
        Objects.requireNonNull(hostname, "hostname");
        int dot = hostname.indexOf('.');
        return dot < 0 ? hostname : hostname.substring(0, dot);
    }

    /** The program tag: "postern/smtpd[123]". */
    String tag(String stage) {
        return syslogName + "/" + stage + "[" + pid + "]";
    }

    /**
     * One line without its line terminator. Control characters in {@code message} become '?'
     * (as Postfix does), so a hostile HELO or header cannot forge a second log line.
     */
    String format(Instant when, String stage, Severity severity, String message) {
        return timestamp(when) + " " + host + " " + body(stage, severity, message);
    }

    /** The part after the syslog header: "postern/smtpd[123]: warning: msg". */
    String body(String stage, Severity severity, String message) {
        return tag(stage) + ": " + severity.prefix + printable(message);
    }

    /** syslog's RFC 3164 timestamp alone, used when the line goes to a syslog daemon. */
    String timestamp(Instant when) {
        return SYSLOG_TIME.format(when, zone);
    }

    private static String printable(String message) {
        if (message == null) return "";
        StringBuilder out = null;
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            boolean control = c < 0x20 && c != '\t' || c >= 0x7f && c <= 0x9f || isBidiOrSeparator(c)
                    || Character.isSurrogate(c) && !wellPaired(message, i);
            if (control && out == null) out = new StringBuilder(message.substring(0, i));
            if (out != null) out.append(control ? '?' : c);
        }
        return out == null ? message : out.toString();
    }

    /**
     * Characters that would make a log line read other than it is: the bidirectional overrides, embeddings,
     * isolates and marks (an attachment "invoice\u202Efdp.exe" shows as "invoiceexe.pdf"), and the Unicode
     * line and paragraph separators. Replaced by '?' like the ASCII controls, as Postfix's printable() does.
     */
    static boolean isBidiOrSeparator(char c) {
        return c == '\u061c' || c == '\u200e' || c == '\u200f' || c >= '\u202a' && c <= '\u202e'
                || c >= '\u2066' && c <= '\u2069' || c == '\u2028' || c == '\u2029';
    }

    /** Whether the surrogate at {@code i} is half of a proper pair (a lone half cannot be written as UTF-8). */
    private static boolean wellPaired(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
