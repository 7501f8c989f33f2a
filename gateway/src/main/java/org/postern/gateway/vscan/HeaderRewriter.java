// HeaderRewriter: copies one message with its header section changed -- the filters' header edits (rspamd's
// milter add/remove), the X-Spam-* tags and vscan_spam_subject_tag -- and the body byte for byte. Used by the
// vscan stage for tagged or edited mail: a copy in active/, or (content-filter) a stream to the next hop.
package org.postern.gateway.vscan;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.postern.filters.HeaderEdit;

/** Blocking: run on a worker. The header section is held in memory (bounded by header_size_limit at smtpd). */
final class HeaderRewriter {
    /** Headers an outside sender might forge to look already scanned: always replaced by ours when tagging. */
    static final List<String> TAG_HEADERS = List.of("X-Spam-Flag", "X-Spam-Score", "X-Spam-Status");

    private final List<HeaderEdit> edits;
    private final String subjectTag;

    /** @param subjectTag text put before the Subject (null: none) */
    HeaderRewriter(List<HeaderEdit> edits, String subjectTag) {
        this.edits = List.copyOf(edits);
        this.subjectTag = subjectTag;
    }

    /** Reads the message from {@code in}, writes the changed message to {@code out}. */
    void copy(InputStream in, OutputStream out) throws IOException {
        copyHeader(in, out);
        in.transferTo(out);
    }

    /**
     * The changed message as a stream: the header section of {@code in} is read and rewritten in memory, the
     * body is then read from {@code in} as the stream is consumed. The caller closes it (which closes {@code in}).
     */
    InputStream open(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(4096);
        copyHeader(in, head);
        return new SequenceInputStream(new ByteArrayInputStream(head.toByteArray()), in);
    }

    /** The size of the changed message whose original ({@code in}) is {@code length} bytes long. */
    long length(InputStream in, long length) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(4096);
        long consumed = copyHeader(in, head);
        return length - consumed + head.size();
    }

    /** Copies the changed header section and the separator line; returns the bytes read from {@code in}. */
    private long copyHeader(InputStream in, OutputStream out) throws IOException {
        long consumed = 0;
        List<byte[]> fields = new ArrayList<>();
        ByteArrayOutputStream field = null;
        byte[] separator = null;
        while (true) {
            byte[] line = readLine(in);
            if (line == null) break;
            consumed += line.length;
            if (isBlank(line)) {
                separator = line;
                break;
            }
            boolean continuation = (line[0] == ' ' || line[0] == '\t') && field != null;
            if (!continuation) {
                if (field != null) fields.add(field.toByteArray());
                field = new ByteArrayOutputStream();
            }
            field.write(line);
        }
        if (field != null) fields.add(field.toByteArray());
        for (byte[] f : apply(fields)) out.write(f);
        if (separator != null) out.write(separator);
        else out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        return consumed;
    }

    private List<byte[]> apply(List<byte[]> fields) {
        List<byte[]> out = new ArrayList<>(fields);
        for (HeaderEdit e : edits) {
            if (e.op() == HeaderEdit.Op.REMOVE) remove(out, e.name(), e.index());
        }
        for (HeaderEdit e : edits) {
            if (e.op() != HeaderEdit.Op.ADD) continue;
            byte[] f = (e.name() + ": " + fold(e.value()) + "\r\n").getBytes(StandardCharsets.UTF_8);
            int at = Math.min(Math.max(0, e.index()), out.size());
            out.add(at, f);
        }
        if (subjectTag != null && !subjectTag.isEmpty()) tagSubject(out);
        return out;
    }

    private static void remove(List<byte[]> fields, String name, int index) {
        int seen = 0;
        for (int i = 0; i < fields.size(); i++) {
            if (!name.equalsIgnoreCase(nameOf(fields.get(i)))) continue;
            seen++;
            if (index == 0 || seen == index) {
                fields.remove(i--);
                if (index != 0) return;
            }
        }
    }

    private void tagSubject(List<byte[]> fields) {
        for (int i = 0; i < fields.size(); i++) {
            if (!"Subject".equalsIgnoreCase(nameOf(fields.get(i)))) continue;
            String f = new String(fields.get(i), StandardCharsets.UTF_8);
            int colon = f.indexOf(':');
            String value = f.substring(colon + 1).stripLeading();
            if (value.startsWith(subjectTag.strip())) return;
            fields.set(i, ("Subject: " + subjectTag + value).getBytes(StandardCharsets.UTF_8));
            return;
        }
        fields.add(("Subject: " + subjectTag.strip() + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    /** True when the header section of {@code content} (closed here) has a header one of {@code edits} names. Blocking. */
    static boolean hasAny(InputStream content, List<HeaderEdit> edits) throws IOException {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (HeaderEdit e : edits) names.add(e.name().toLowerCase(Locale.ROOT));
        try (InputStream in = new java.io.BufferedInputStream(content, 8192)) {
            while (true) {
                byte[] line = readLine(in);
                if (line == null || isBlank(line)) return false;
                if (names.contains(nameOf(line))) return true;
            }
        }
    }

    /** The unfolded value of the first header {@code name} (lower case) in the header section of {@code in}, or null. */
    static String header(InputStream in, String name) throws IOException {
        String found = null;
        while (true) {
            byte[] line = readLine(in);
            if (line == null || isBlank(line)) return found;
            String s = new String(line, StandardCharsets.UTF_8).replaceAll("[\r\n]+$", "");
            if (found != null) {
                if (s.startsWith(" ") || s.startsWith("\t")) {
                    found = found + " " + s.strip();
                    continue;
                }
                return found;
            }
            if (name.equals(nameOf(line))) found = s.substring(s.indexOf(':') + 1).strip();
        }
    }

    /** The field name of a header field, "" when the line has no colon. */
    static String nameOf(byte[] field) {
        for (int i = 0; i < field.length; i++) {
            if (field[i] == ':') return new String(field, 0, i, StandardCharsets.ISO_8859_1).strip().toLowerCase(Locale.ROOT);
            if (field[i] == '\r' || field[i] == '\n') break;
        }
        return "";
    }

    /** Normalises a filter's folded value to CRLF line ends (rspamd sends LF). */
    private static String fold(String value) {
        return value.replace("\r\n", "\n").replace("\n", "\r\n");
    }

    private static boolean isBlank(byte[] line) {
        return (line.length == 2 && line[0] == '\r' && line[1] == '\n') || (line.length == 1 && line[0] == '\n');
    }

    /** One line including its line end; null at end of input. Lines in a header section are short. */
    private static byte[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(128);
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            if (c == '\n') break;
        }
        return b.size() == 0 ? null : b.toByteArray();
    }
}
