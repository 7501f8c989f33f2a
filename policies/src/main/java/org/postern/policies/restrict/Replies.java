// Replies: turns a restriction's code, enhanced status code and text into the SmtpReply Postfix
// would send (smtpd_check_reject): code checked (else 450 4.7.1 Service unavailable), DSN first
// digit from the code, non-printables blanked, 510-character limit; and access(5)'s DSN splitting.
package org.postern.policies.restrict;

import java.util.List;
import java.util.regex.Pattern;
import org.postern.core.SmtpReply;

/** Reply construction shared by all restrictions. */
final class Replies {
    private static final Pattern DSN = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");
    private static final int MAX = 510;

    private Replies() {}

    /** A DSN and the text after it, as Postfix's dsn_split(). */
    record Split(String dsn, String text) {}

    /** {@code "5.7.1 text"} gives 5.7.1 and "text"; text without a leading DSN gets {@code defaultDsn}. */
    static Split split(String defaultDsn, String text) {
        String t = text.stripLeading();
        int sp = 0;
        while (sp < t.length() && t.charAt(sp) != ' ' && t.charAt(sp) != '\t') sp++;
        String head = t.substring(0, sp);
        if (DSN.matcher(head).matches()) return new Split(head, t.substring(sp).strip());
        return new Split(defaultDsn, t);
    }

    static boolean validDsn(String dsn) {
        return DSN.matcher(dsn).matches();
    }

    /**
     * The reply {@code code dsn text}. A code outside 400..599 or a bad DSN gives a warning (added to
     * {@code warnings}) and "450 4.7.1 Service unavailable", as Postfix does.
     */
    static SmtpReply reply(int code, String dsn, String text, List<String> warnings) {
        if (code < 400 || code > 599) {
            warnings.add("SMTP reply code configuration error: " + code + " " + dsn + " " + text);
            return SmtpReply.of(450, "4.7.1", "Service unavailable");
        }
        if (!validDsn(dsn)) {
            warnings.add("DSN detail code configuration error: " + code + " " + dsn + " " + text);
            return SmtpReply.of(450, "4.7.1", "Service unavailable");
        }
        String fixedDsn = (code / 100) + dsn.substring(1);
        String clean = printable(text);
        int room = MAX - 4 - fixedDsn.length() - 1;
        if (clean.length() > room) clean = clean.substring(0, Math.max(0, room));
        return SmtpReply.of(code, fixedDsn, clean);
    }

    /** Control characters (CR and LF included) become spaces; UTF-8 text stays. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c < ' ' || c == 0x7f ? ' ' : c);
        }
        return sb.toString();
    }
}
