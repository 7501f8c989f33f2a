// SmtpReply: one SMTP reply (RFC 5321 section 4.2) with its enhanced status code (RFC 3463).
// Built by smtpd and restrictions, rendered on the wire by smtpd; immutable.
package org.postern.core;

import java.util.List;
import java.util.Objects;

/**
 * An SMTP reply: three-digit code, optional enhanced status code ("5.7.1"), and text that may span
 * several lines (split on '\n'). {@link #render()} gives the wire form with CRLF line ends.
 */
public record SmtpReply(int code, String dsn, String text) {
    public SmtpReply {
        if (code < 200 || code > 599) throw new IllegalArgumentException("reply code " + code);
        Objects.requireNonNull(text, "text");
        if (dsn != null && !dsn.matches("[245]\\.\\d{1,3}\\.\\d{1,3}")) {
            throw new IllegalArgumentException("enhanced status code " + dsn);
        }
        if (dsn != null && dsn.charAt(0) - '0' != code / 100) {
            throw new IllegalArgumentException("enhanced status " + dsn + " does not match " + code);
        }
        if (text.indexOf('\r') >= 0) throw new IllegalArgumentException("CR in reply text");
    }

    public static SmtpReply of(int code, String dsn, String text) {
        return new SmtpReply(code, dsn, text);
    }

    public boolean isPositive() { return code < 400; }
    public boolean isTransient() { return code >= 400 && code < 500; }
    public boolean isPermanent() { return code >= 500; }

    public List<String> lines() {
        return List.of(text.split("\n", -1));
    }

    /** The reply on one line, as Postfix logs it: {@code 554 5.7.1 <a@b>: Relay access denied}. */
    public String oneLine() {
        return code + (dsn == null ? "" : " " + dsn) + " " + String.join(" ", lines());
    }

    /** Wire form: every line but the last as {@code code-}, the last as {@code code SP}, CRLF ends. */
    public String render() {
        List<String> lines = lines();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            sb.append(code).append(i == lines.size() - 1 ? ' ' : '-');
            if (dsn != null) sb.append(dsn).append(' ');
            sb.append(lines.get(i)).append("\r\n");
        }
        return sb.toString();
    }

    /** The same reply with the code turned into a temporary one (4xx, 4.x.x), as soft_bounce does. */
    public SmtpReply asTransient() {
        if (!isPermanent()) return this;
        return new SmtpReply(code - 100, dsn == null ? null : "4" + dsn.substring(1), text);
    }

    @Override
    public String toString() {
        return oneLine();
    }
}
