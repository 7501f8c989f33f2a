// ReplyParser: turns the bytes a next hop sends into SMTP replies (RFC 5321 4.2): multi-line replies,
// enhanced status codes (RFC 3463/2034), CRLF or bare LF line ends. First stage of the client's input
// path (SmtpConnection feeds it). Bounded: long lines and long replies are truncated, as Postfix does.
package org.postern.gateway.smtp;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postern.core.SmtpReply;

/**
 * Push parser: {@link #feed} takes bytes as they arrive and returns the replies completed by them.
 * A reply line that does not start with a three-digit code in 200..599 followed by SP, '-' or the line
 * end makes a {@link Malformed} result; the connection is then out of step and must be closed.
 * Bare LF is accepted as a line end (only our own output must be strict; a reply cannot smuggle mail).
 */
final class ReplyParser {
    /** What {@link #feed} yields. */
    sealed interface Parsed permits Reply, Malformed {}

    record Reply(SmtpReply reply) implements Parsed {}

    /** A line that is not a reply line; {@code line} is its printable beginning. */
    record Malformed(String line) implements Parsed {}

    /** Postfix's line_length_limit: a longer reply line is cut here. */
    static final int LINE_LIMIT = 2048;
    private static final Pattern DSN = Pattern.compile("([245])\\.(\\d{1,3})\\.(\\d{1,3})(?: |$)");

    private final int replyLimit;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    private final List<String> texts = new ArrayList<>();
    private int code = -1;
    private int replyBytes;
    private boolean broken;

    /** @param replyLimit text bytes kept per reply; further continuation lines are dropped */
    ReplyParser(int replyLimit) {
        this.replyLimit = replyLimit;
    }

    List<Parsed> feed(Buffer bytes) {
        List<Parsed> out = new ArrayList<>(1);
        if (broken) return out;
        for (int i = 0; i < bytes.length(); i++) {
            byte b = bytes.getByte(i);
            if (b == '\n') {
                Parsed p = endOfLine();
                line.reset();
                if (p != null) {
                    out.add(p);
                    if (p instanceof Malformed) {
                        broken = true;
                        return out;
                    }
                }
            } else if (line.size() < LINE_LIMIT) {
                line.write(b);
            }
        }
        return out;
    }

    /** True when nothing of a next reply has been received yet (no partial line or reply). */
    boolean idle() {
        return line.size() == 0 && code < 0;
    }

    private Parsed endOfLine() {
        byte[] raw = line.toByteArray();
        int len = raw.length;
        if (len > 0 && raw[len - 1] == '\r') len--;
        String s = printable(new String(raw, 0, len, StandardCharsets.UTF_8));
        if (s.length() < 3 || !isDigits(s.substring(0, 3)) || (s.length() > 3 && s.charAt(3) != ' ' && s.charAt(3) != '-')) {
            return new Malformed(s.length() > 80 ? s.substring(0, 80) + "..." : s);
        }
        int c = Integer.parseInt(s.substring(0, 3));
        if (c < 200 || c > 599) return new Malformed(s);
        if (code < 0) code = c;
        boolean last = s.length() == 3 || s.charAt(3) == ' ';
        String text = s.length() > 4 ? s.substring(4) : "";
        if (replyBytes < replyLimit) {
            texts.add(text);
            replyBytes += text.length() + 1;
        }
        if (!last) return null;
        SmtpReply reply = build(code, texts);
        code = -1;
        replyBytes = 0;
        texts.clear();
        return new Reply(reply);
    }

    /** The reply; an enhanced status code at the start of the first line is taken when its class matches. */
    static SmtpReply build(int code, List<String> lines) {
        String dsn = null;
        Matcher m = DSN.matcher(lines.get(0));
        if (m.lookingAt() && Integer.parseInt(m.group(1)) == code / 100) {
            dsn = m.group(1) + "." + m.group(2) + "." + m.group(3);
        }
        List<String> out = new ArrayList<>(lines.size());
        for (String l : lines) {
            if (dsn != null && l.startsWith(dsn) && (l.length() == dsn.length() || l.charAt(dsn.length()) == ' ')) {
                l = l.length() == dsn.length() ? "" : l.substring(dsn.length() + 1);
            }
            out.add(l);
        }
        return new SmtpReply(code, dsn, String.join("\n", out));
    }

    private static boolean isDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        }
        return true;
    }

    /** Control characters (other than TAB) become '?', as Postfix's printable() does for logging. */
    private static String printable(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if ((ch < ' ' && ch != '\t') || ch == 0x7f) {
                if (sb == null) sb = new StringBuilder(s);
                sb.setCharAt(i, '?');
            }
        }
        return sb == null ? s : sb.toString();
    }
}
