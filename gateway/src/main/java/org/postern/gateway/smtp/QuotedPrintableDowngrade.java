// QuotedPrintableDowngrade: 8BITMIME -> 7bit conversion for a next hop that does not offer 8BITMIME
// (RFC 6152 section 3; Postfix's disable_mime_output_conversion = no), MIME-aware part by part like
// Postfix's mime_state: leaf parts declared 8bit (or undeclared) become quoted-printable; the rest passes.
package org.postern.gateway.smtp;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Streaming: only a header block (bounded by {@link #HEADER_LIMIT}) or the start of a line that may be a
 * boundary is held; body bytes go on at once. Boundaries from Content-Type boundary= (nested multipart/*)
 * are tracked on a stack. Leaf parts with Content-Transfer-Encoding 8bit or none (any type except
 * multipart/* and message/*) are encoded; base64, quoted-printable, 7bit and binary parts, boundary lines,
 * preambles and epilogues pass unchanged (as Postfix does). A multipart or message/rfc822 declared 8bit is
 * relabelled 7bit; an embedded message/rfc822 is parsed like a top-level message. Messages without
 * MIME-Version or with 8-bit bytes in the top-level header pass unchanged. Feeds {@code next}.
 */
final class QuotedPrintableDowngrade implements ContentEncoder {
    static final int HEADER_LIMIT = 256 * 1024;
    /** A line longer than this cannot be a boundary (RFC 2046: at most 70 characters plus "--", "--"). */
    private static final int BOUNDARY_LINE_LIMIT = 1000;

    private enum Kind { TOP, PART, EMBEDDED }

    private record Boundary(byte[] delimiter, boolean digest) { }

    private final ContentEncoder next;
    private final QpBodyEncoder qp = new QpBodyEncoder();
    private final List<Boundary> stack = new ArrayList<>();
    private boolean passAll;      // no MIME processing at all (not MIME, or 8-bit top-level header)
    private boolean inHeader = true;
    private Kind kind = Kind.TOP;
    private boolean encoding;     // the current body goes through qp (else as is)
    private boolean converted;
    private byte[] header = new byte[1024];
    private int headerLength;
    private int headerLineStart;
    // body: the start of a line held while it may be a boundary
    private boolean atLineStart;
    private boolean candidate;
    private byte[] line = new byte[128];
    private int lineLength;

    QuotedPrintableDowngrade(ContentEncoder next) {
        this.next = next;
    }

    /** Whether some part has been encoded so far. */
    boolean converted() {
        return converted;
    }

    @Override
    public Buffer encode(byte[] b, int off, int len) {
        Buffer out = Buffer.buffer(len + len / 8);
        int i = off;
        int end = off + len;
        while (i < end) {
            if (passAll) {
                out.appendBytes(b, i, end - i);
                break;
            }
            i = inHeader ? header(b, i, end, out) : body(b, i, end, out);
        }
        return next.encode(out.getBytes(), 0, out.length());
    }

    @Override
    public Buffer finish() {
        Buffer out = Buffer.buffer();
        if (!passAll) {
            if (inHeader) {
                out.appendBytes(header, 0, headerLength); // header without body
            } else {
                if (candidate) toSink(line, 0, lineLength, out);
                endSink(out);
            }
        }
        Buffer tail = next.encode(out.getBytes(), 0, out.length());
        return tail.appendBuffer(next.finish());
    }

    /** Collects header bytes up to the blank line; returns the index after what it consumed. */
    private int header(byte[] b, int i, int end, Buffer out) {
        while (i < end) {
            byte c = b[i++];
            if (headerLength == header.length) header = Arrays.copyOf(header, header.length * 2);
            header[headerLength++] = c;
            if (c == '\n') {
                int start = headerLineStart;
                int n = headerLength - start;
                headerLineStart = headerLength;
                if (n == 1 || (n == 2 && header[start] == '\r')) {
                    endOfHeader(out);
                    return i;
                }
                int k = stack.isEmpty() ? -1 : boundaryIndex(header, start, headerLength);
                if (k >= 0) { // a boundary before the blank line: the part had a header only
                    out.appendBytes(header, 0, start);
                    byte[] boundaryLine = Arrays.copyOfRange(header, start, headerLength);
                    resetHeader();
                    boundary(k, boundaryLine, 0, boundaryLine.length, out);
                    return i;
                }
            }
            if (headerLength > HEADER_LIMIT) { // too long to hold: passes unconverted
                out.appendBytes(header, 0, headerLength);
                boolean lineStart = header[headerLength - 1] == '\n';
                resetHeader();
                startBody(false, lineStart);
                return i;
            }
        }
        return i;
    }

    private void resetHeader() {
        headerLength = 0;
        headerLineStart = 0;
        if (header.length > 64 * 1024) header = new byte[1024];
    }

    /** Decides at the blank line what the header becomes and how the body is treated. */
    private void endOfHeader(Buffer out) {
        MimePartHeader h = MimePartHeader.parse(header, headerLength);
        byte[] raw = Arrays.copyOf(header, headerLength);
        Kind was = kind;
        resetHeader();
        if (was == Kind.TOP && (!h.ascii() || !h.mimeVersion())) {
            out.appendBytes(raw);
            passAll = true;
            return;
        }
        String type = h.type() != null && h.type().indexOf('/') > 0 ? h.type()
                : was == Kind.PART && stack.get(stack.size() - 1).digest() ? "message/rfc822" : "text/plain";
        String cte = h.encoding();
        boolean eightBit = "8bit".equals(cte);
        if (type.startsWith("multipart/") && h.boundary() != null && !h.boundary().isEmpty()) {
            out.appendBytes(eightBit ? MimePartHeader.withEncoding(raw, raw.length, "7bit") : raw);
            stack.add(new Boundary(("--" + h.boundary()).getBytes(StandardCharsets.ISO_8859_1), type.equals("multipart/digest")));
            startBody(false, true);
        } else if (type.equals("message/rfc822") && (cte == null || eightBit || cte.equals("7bit"))) {
            out.appendBytes(eightBit ? MimePartHeader.withEncoding(raw, raw.length, "7bit") : raw);
            kind = Kind.EMBEDDED; // stay in header mode for the embedded message
        } else if (!type.startsWith("multipart/") && !type.startsWith("message/") && (cte == null || eightBit)) {
            out.appendBytes(MimePartHeader.withEncoding(raw, raw.length, "quoted-printable"));
            converted = true;
            startBody(true, true);
        } else {
            out.appendBytes(raw);
            startBody(false, true);
        }
    }

    private void startBody(boolean encode, boolean lineStart) {
        inHeader = false;
        encoding = encode;
        atLineStart = lineStart;
        candidate = false;
        lineLength = 0;
    }

    /** Body bytes: whole lines go to the sink, except a line start that may be a boundary, held until it is known. */
    private int body(byte[] b, int i, int end, Buffer out) {
        if (stack.isEmpty()) { // no boundary can follow: single part or outermost epilogue
            toSink(b, i, end, out);
            return end;
        }
        if (candidate) {
            byte c = b[i++];
            if (lineLength == line.length) line = Arrays.copyOf(line, line.length * 2);
            line[lineLength++] = c;
            if (c == '\n') {
                candidate = false;
                int k = boundaryIndex(line, 0, lineLength);
                if (k >= 0) {
                    boundary(k, line, 0, lineLength, out);
                } else {
                    toSink(line, 0, lineLength, out);
                    atLineStart = true;
                }
                lineLength = 0;
            } else if (line[0] != '-' || (lineLength > 1 && line[1] != '-') || lineLength > BOUNDARY_LINE_LIMIT) {
                toSink(line, 0, lineLength, out);
                candidate = false;
                lineLength = 0;
                atLineStart = false;
            }
            return i;
        }
        if (atLineStart) {
            candidate = true;
            return i;
        }
        int stop = i;
        while (stop < end && b[stop] != '\n') stop++;
        atLineStart = stop < end;
        if (atLineStart) stop++;
        toSink(b, i, stop, out);
        return stop;
    }

    /** A delimiter or close-delimiter line for stack entry k: ends the current part. */
    private void boundary(int k, byte[] b, int from, int to, Buffer out) {
        if (!inHeader) endSink(out);
        boolean close = isClose(stack.get(k), b, from, to);
        while (stack.size() > k + 1) stack.remove(stack.size() - 1);
        out.appendBytes(b, from, to - from);
        if (close) {
            stack.remove(k);
            startBody(false, true); // epilogue
        } else {
            inHeader = true;
            kind = Kind.PART;
        }
    }

    private void toSink(byte[] b, int from, int to, Buffer out) {
        if (encoding) qp.encode(b, from, to, out);
        else out.appendBytes(b, from, to - from);
    }

    private void endSink(Buffer out) {
        if (encoding) qp.finish(out);
        encoding = false;
    }

    /** The innermost stack entry whose delimiter the line [from, to) is (transport padding allowed), or -1. */
    private int boundaryIndex(byte[] b, int from, int to) {
        if (to - from < 3 || b[from] != '-' || b[from + 1] != '-') return -1;
        int e = to;
        while (e > from && (b[e - 1] == '\n' || b[e - 1] == '\r' || b[e - 1] == ' ' || b[e - 1] == '\t')) e--;
        for (int k = stack.size() - 1; k >= 0; k--) {
            byte[] d = stack.get(k).delimiter();
            int n = e - from;
            if ((n == d.length || (n == d.length + 2 && b[e - 1] == '-' && b[e - 2] == '-'))
                    && Arrays.equals(b, from, from + d.length, d, 0, d.length)) {
                return k;
            }
        }
        return -1;
    }

    private static boolean isClose(Boundary bd, byte[] b, int from, int to) {
        int e = to;
        while (e > from && (b[e - 1] == '\n' || b[e - 1] == '\r' || b[e - 1] == ' ' || b[e - 1] == '\t')) e--;
        return e - from == bd.delimiter().length + 2;
    }
}
