// QuotedPrintableDowngrade: 8BITMIME -> 7bit conversion for a next hop that does not offer 8BITMIME
// (RFC 6152 section 3; Postfix's disable_mime_output_conversion = no). Done for single-part text
// messages only (MIME-Version present, Content-Type text/* or none, 7bit/8bit encoding, ASCII header):
// the body becomes quoted-printable. Anything else passes unchanged (Postfix then sends 8-bit as is).
package org.postern.gateway.smtp;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Streaming: the header is held (bounded) until its end, the body is encoded line by line. Feeds {@code next}. */
final class QuotedPrintableDowngrade implements ContentEncoder {
    static final int HEADER_LIMIT = 256 * 1024;
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    private enum Mode { HEADER, ENCODE, PASS }

    private final ContentEncoder next;
    private Mode mode = Mode.HEADER;
    private final ByteArrayOutputStream header = new ByteArrayOutputStream();
    private int headerLineLength; // bytes of the current header line so far (0: at a line start)
    // body encoder state
    private int column;
    private int pendingSpace = -1; // a space or tab held until we know whether the line ends after it
    private boolean pendingCr;

    QuotedPrintableDowngrade(ContentEncoder next) {
        this.next = next;
    }

    /** Whether the downgrade was applied (known once the header has been seen). */
    boolean converted() {
        return mode == Mode.ENCODE;
    }

    @Override
    public Buffer encode(byte[] b, int off, int len) {
        Buffer out = Buffer.buffer(len + len / 8);
        int i = off;
        int end = off + len;
        while (i < end && mode == Mode.HEADER) {
            byte c = b[i++];
            header.write(c);
            if (c == '\n') {
                boolean blank = headerLineLength == 0 || (headerLineLength == 1 && lastHeaderByte(2) == '\r');
                headerLineLength = 0;
                if (blank) out.appendBuffer(endOfHeader());
            } else {
                headerLineLength++;
            }
            if (mode == Mode.HEADER && header.size() > HEADER_LIMIT) {
                out.appendBytes(header.toByteArray());
                header.reset();
                mode = Mode.PASS;
            }
        }
        if (mode == Mode.PASS) out.appendBytes(b, i, end - i);
        else if (mode == Mode.ENCODE) encodeBody(b, i, end, out);
        return next.encode(out.getBytes(), 0, out.length());
    }

    @Override
    public Buffer finish() {
        Buffer out = Buffer.buffer();
        if (mode == Mode.HEADER) { // header without body
            out.appendBytes(header.toByteArray());
        } else if (mode == Mode.ENCODE) {
            if (pendingCr) appendEncoded(out, '\r');
            pendingCr = false;
            flushSpace(out, true);
        }
        Buffer tail = next.encode(out.getBytes(), 0, out.length());
        return tail.appendBuffer(next.finish());
    }

    private int lastHeaderByte(int back) {
        byte[] h = header.toByteArray();
        return h.length >= back ? h[h.length - back] : -1;
    }

    /** Decides at the blank line; returns the header to send (rewritten when converting). */
    private Buffer endOfHeader() {
        byte[] raw = header.toByteArray();
        header.reset();
        List<String> fields = unfoldedFields(raw);
        boolean ascii = true;
        for (byte x : raw) ascii &= x >= 0;
        String type = null, cte = null;
        boolean mime = false;
        for (String f : fields) {
            String name = f.substring(0, Math.max(0, f.indexOf(':'))).strip().toLowerCase(Locale.ROOT);
            String value = f.substring(f.indexOf(':') + 1).strip().toLowerCase(Locale.ROOT);
            if (name.equals("mime-version")) mime = true;
            if (name.equals("content-type")) type = value;
            if (name.equals("content-transfer-encoding")) cte = value;
        }
        boolean text = type == null || type.startsWith("text/");
        boolean eightBit = cte == null || cte.equals("8bit") || cte.equals("7bit");
        if (!ascii || !mime || !text || !eightBit) {
            mode = Mode.PASS;
            return Buffer.buffer(raw);
        }
        mode = Mode.ENCODE;
        return Buffer.buffer(withoutEncodingField(raw)).appendString("Content-Transfer-Encoding: quoted-printable\r\n\r\n");
    }

    /** Header fields with continuation lines joined; the blank line left out. */
    private static List<String> unfoldedFields(byte[] raw) {
        List<String> out = new ArrayList<>();
        for (String line : new String(raw, StandardCharsets.ISO_8859_1).split("\r?\n")) {
            if (line.isEmpty()) continue;
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && !out.isEmpty()) {
                out.set(out.size() - 1, out.get(out.size() - 1) + line);
            } else if (line.indexOf(':') > 0) {
                out.add(line);
            }
        }
        return out;
    }

    /** The header lines minus Content-Transfer-Encoding (with its continuations) and minus the blank line. */
    private static byte[] withoutEncodingField(byte[] raw) {
        StringBuilder sb = new StringBuilder();
        boolean skipping = false;
        for (String line : new String(raw, StandardCharsets.ISO_8859_1).split("(?<=\n)")) {
            if (line.equals("\r\n") || line.equals("\n")) continue;
            boolean continuation = line.startsWith(" ") || line.startsWith("\t");
            if (!continuation) skipping = line.toLowerCase(Locale.ROOT).startsWith("content-transfer-encoding:");
            if (!skipping) sb.append(line);
        }
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** RFC 2045 6.7: line ends stay hard breaks; lines are cut at 76 columns with soft breaks. */
    private void encodeBody(byte[] b, int from, int end, Buffer out) {
        for (int i = from; i < end; i++) {
            int c = b[i] & 0xff;
            if (pendingCr) {
                pendingCr = false;
                if (c == '\n') {
                    lineEnd(out);
                    continue;
                }
                appendEncoded(out, '\r'); // a bare CR is data, not a line end
            }
            if (c == '\r') pendingCr = true;
            else if (c == '\n') lineEnd(out);
            else if (c == ' ' || c == '\t') {
                flushSpace(out, false);
                pendingSpace = c;
            } else {
                flushSpace(out, false);
                if (c >= 33 && c <= 126 && c != '=') appendLiteral(out, c);
                else appendEncoded(out, c);
            }
        }
    }

    private void lineEnd(Buffer out) {
        flushSpace(out, true);
        out.appendString("\r\n");
        column = 0;
    }

    /** A held space is literal unless the line ends right after it (then =20 / =09). */
    private void flushSpace(Buffer out, boolean atLineEnd) {
        if (pendingSpace < 0) return;
        int s = pendingSpace;
        pendingSpace = -1;
        if (atLineEnd) appendEncoded(out, s);
        else appendLiteral(out, s);
    }

    private void appendLiteral(Buffer out, int c) {
        softBreak(out, 1);
        out.appendByte((byte) c);
        column++;
    }

    private void appendEncoded(Buffer out, int c) {
        softBreak(out, 3);
        out.appendByte((byte) '=').appendByte(HEX[c >> 4]).appendByte(HEX[c & 15]);
        column += 3;
    }

    /** Keeps every encoded line at most 76 characters including the '=' of a soft break. */
    private void softBreak(Buffer out, int width) {
        if (column + width > 75) {
            out.appendString("=\r\n");
            column = 0;
        }
    }
}
