// MailText: the small text rules every notice part follows -- no control characters from envelope
// values, header fields folded and every line at most 998 octets (RFC 5322 2.1.1), CRLF line ends,
// RFC 2047 for a non-ASCII Subject, RFC 5322 dates. Pure; used by DsnComposer and NoticeComposer.
package org.postern.gateway.bounce;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/** Static text helpers. */
final class MailText {
    static final String CRLF = "\r\n";
    /** RFC 5322: at most 998 characters per line (we count UTF-8 octets). */
    static final int MAX_LINE = 998;
    /** Where folding and wrapping aim (RFC 5322 "SHOULD be no more than 78"). */
    static final int WIDTH = 78;
    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ENGLISH);

    private MailText() {}

    /** Control characters (CR, LF, NUL, TAB, DEL, C1, line separators) become '?': a value never starts a line. */
    static String clean(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean bad = c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029';
            b.append(bad ? '?' : c);
        }
        return b.toString();
    }

    static boolean isAscii(String s) {
        if (s == null) return true;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) return false;
        }
        return true;
    }

    /** RFC 5322 date-time in {@code zone}, e.g. {@code Sat, 21 Nov 2026 12:00:00 +0000}. */
    static String date(Instant t, ZoneId zone) {
        return DATE.format(t.atZone(zone));
    }

    /**
     * {@code Name: value} folded at spaces into lines of about {@value #WIDTH} characters (continuations
     * start with four spaces), and cut hard where a word alone would exceed {@value #MAX_LINE} octets.
     * The value is cleaned of control characters first. Ends with CRLF.
     */
    static String field(String name, String value) {
        return wrap(name + ": " + clean(value).strip(), "    ", WIDTH, name.length() + 2);
    }

    /**
     * Text wrapped at spaces into CRLF-terminated lines of about {@code width} characters, continuation
     * lines starting with {@code indent}; no line is longer than {@value #MAX_LINE} octets.
     */
    static String wrap(String line, String indent, int width) {
        return wrap(line, indent, width, 0);
    }

    /** As {@link #wrap(String, String, int)}, never breaking within the first {@code keep} characters. */
    static String wrap(String line, String indent, int width, int keep) {
        StringBuilder out = new StringBuilder(line.length() + 16);
        String rest = line;
        boolean first = true;
        while (true) {
            String prefix = first ? "" : indent;
            int room = width - prefix.length();
            if (prefix.length() + rest.length() <= width || rest.isEmpty()) {
                out.append(prefix);
                appendHardCut(out, rest, prefix.length());
                break;
            }
            int min = first ? keep : 0;
            int cut = rest.lastIndexOf(' ', room);
            if (cut <= min) cut = rest.indexOf(' ', Math.max(room, min + 1)); // one long word: run to the next space
            if (cut <= 0) {
                out.append(prefix);
                appendHardCut(out, rest, prefix.length());
                break;
            }
            out.append(prefix);
            appendHardCut(out, rest.substring(0, cut), prefix.length());
            rest = rest.substring(cut + 1);
            while (rest.startsWith(" ")) rest = rest.substring(1);
            first = false;
            if (rest.isEmpty()) break;
        }
        return out.toString();
    }

    /** Appends {@code s} and CRLF, starting a new line wherever the line would pass {@value #MAX_LINE} octets. */
    private static void appendHardCut(StringBuilder out, String s, int used) {
        int octets = used;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int n = utf8Length(cp);
            if (octets + n > MAX_LINE - 4) {
                out.append(CRLF).append("    ");
                octets = 4;
            }
            out.appendCodePoint(cp);
            octets += n;
            i += Character.charCount(cp);
        }
        out.append(CRLF);
    }

    private static int utf8Length(int cp) {
        return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }

    /**
     * Free text (the human-readable part) as CRLF lines: any line end in the input becomes CRLF, other
     * control characters become '?', and lines too long for SMTP are wrapped.
     */
    static String body(String text) {
        StringBuilder out = new StringBuilder(text.length() + 64);
        for (String line : text.split("\r\n|\r|\n", -1)) {
            String clean = clean(line.replace('\t', ' '));
            if (clean.getBytes(StandardCharsets.UTF_8).length <= MAX_LINE) out.append(clean).append(CRLF);
            else out.append(wrap(clean, "", WIDTH));
        }
        return out.toString();
    }

    /** A Subject value: as is when ASCII, else RFC 2047 B-encoded UTF-8 words of at most 75 characters. */
    static String encodedWords(String value) {
        String v = clean(value);
        if (isAscii(v)) return v;
        List<String> words = new ArrayList<>();
        StringBuilder chunk = new StringBuilder();
        for (int i = 0; i < v.length(); ) {
            int cp = v.codePointAt(i);
            String next = chunk + new String(Character.toChars(cp));
            if (next.getBytes(StandardCharsets.UTF_8).length > 45) { // 45 octets -> 60 base64 chars + 12 = 72
                words.add(encodedWord(chunk.toString()));
                chunk.setLength(0);
            }
            chunk.appendCodePoint(cp);
            i += Character.charCount(cp);
        }
        if (chunk.length() > 0) words.add(encodedWord(chunk.toString()));
        return String.join(" ", words);
    }

    private static String encodedWord(String s) {
        return "=?UTF-8?B?" + Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)) + "?=";
    }
}
