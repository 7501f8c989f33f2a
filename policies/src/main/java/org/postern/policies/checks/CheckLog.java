// CheckLog: the mail log lines of header/body checks in Postfix's cleanup format (cleanup_act_log,
// cleanup_mime_error_callback), e.g. "QID: reject: header Subject: buy from host[ip]; from=<a@b>
// to=<c@d> proto=ESMTP helo=<x>: 5.7.1 text", so pflogsumm and postmasters' greps keep working.
package org.postern.policies.checks;

import org.postern.core.ClientInfo;

/** Log line formatting; the cleanup stage writes the lines (info level unless noted). */
public final class CheckLog {
    private CheckLog() {}

    /** Postfix logs at most this much of the matched header or body line. */
    static final int CONTENT_LIMIT = 200;

    /** ... and this much of the text that caused a MIME error. */
    static final int MIME_ERROR_LIMIT = 100;

    /**
     * The message the lines are about.
     *
     * @param queueId   the queue id
     * @param client    the client as {@code host[address]}, or null ("unknown" is logged)
     * @param sender    the envelope sender ("" for the null sender), or null to leave out from=
     * @param recipient the first envelope recipient, or null to leave out to=
     * @param protocol  SMTP, ESMTP, ESMTPS, ... or null to leave out proto=
     * @param helo      the HELO/EHLO name, or null to leave out helo=
     */
    public record Context(String queueId, String client, String sender, String recipient, String protocol,
                          String helo) {
        /** From smtpd's view of the session. */
        public static Context of(String queueId, ClientInfo client, String sender, String firstRecipient) {
            return new Context(queueId, client.hostAddr(), sender, firstRecipient, client.protocol(), client.helo());
        }
    }

    /**
     * The line for a match Postfix logs ({@link CheckResult#logged()}), e.g.
     * {@code 3F2A61C0A1B: reject: header Subject: buy now from mx.example[192.0.2.1]; from=<a@b>
     * to=<c@d> proto=ESMTP helo=<mx.example>: 5.7.1 no thanks}. Control characters, such as the
     * line breaks of a folded header, are logged as '?'.
     *
     * @throws IllegalArgumentException for a match that is not logged
     */
    public static String line(CheckResult r, Context c) {
        if (!r.logged()) throw new IllegalArgumentException("Postfix does not log " + r);
        StringBuilder sb = new StringBuilder(160);
        sb.append(c.queueId()).append(": ").append(r.action().logLabel()).append(": ").append(r.where().label())
                .append(' ').append(abbreviate(r.input(), CONTENT_LIMIT)).append(" from ")
                .append(c.client() == null ? "unknown" : c.client()).append(';');
        if (c.sender() != null) sb.append(" from=<").append(c.sender()).append('>');
        if (c.recipient() != null) sb.append(" to=<").append(c.recipient()).append('>');
        if (c.protocol() != null) sb.append(" proto=").append(c.protocol());
        if (c.helo() != null) sb.append(" helo=<").append(c.helo()).append('>');
        if (!r.text().isEmpty()) sb.append(": ").append(r.text());
        return printable(sb);
    }

    /**
     * The line for a MIME error that rejects the message (strict_* parameters), e.g.
     * {@code QID: reject: mime-error improper use of 8-bit data in message header: Subject: ?? from
     * host[ip]; from=<a@b> to=<c@d>}.
     */
    public static String mimeError(MimeError error, String text, Context c) {
        return printable(new StringBuilder(c.queueId()).append(": reject: mime-error ").append(error.text())
                .append(": ").append(abbreviate(text, MIME_ERROR_LIMIT)).append(" from ")
                .append(c.client() == null ? "unknown" : c.client()).append("; from=<")
                .append(c.sender() == null ? "" : c.sender()).append("> to=<")
                .append(c.recipient() == null ? "unknown" : c.recipient()).append('>'));
    }

    /**
     * The warning (log at warn level) when a table of {@code checks} cannot answer: {@code QID:
     * header_checks map lookup problem -- message not accepted, try again later}.
     */
    public static String lookupProblem(String queueId, String checks) {
        return queueId + ": " + checks + " map lookup problem -- message not accepted, try again later";
    }

    private static String abbreviate(String s, int limit) {
        return s.length() <= limit ? s : s.substring(0, limit);
    }

    /** Postfix's printable(text, '?') for a UTF-8 log: ASCII control characters become '?'. */
    static String printable(CharSequence s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            sb.append(ch < 0x20 || ch == 0x7f ? '?' : ch);
        }
        return sb.toString();
    }
}
