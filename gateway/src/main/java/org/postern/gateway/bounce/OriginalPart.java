// OriginalPart: decides how much of the original message a notice returns -- all of it (RET=FULL or
// none given, and within bounce_size_limit), its header section, or nothing -- by one streaming scan of
// the queue file, then copies that many bytes into the notice. Blocking: runs on the bounce workers.
package org.postern.gateway.bounce;

import io.vertx.core.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.postern.gateway.queue.QueueFile;

/** Scans and copies the original; never holds more than one read buffer of it. */
final class OriginalPart {
    private static final int BUFFER = 16 * 1024;

    /**
     * What goes into the notice.
     *
     * @param attachment        what the text part says about it
     * @param length            bytes of the content to copy (from the start); 0 for none
     * @param headersOnly       true for the header section alone (text/rfc822-headers)
     * @param eightBit          the copied bytes include octets above 127
     * @param boundaryCollision a line of the copied bytes starts with "--" and the proposed boundary
     */
    record Plan(NoticeText.Attachment attachment, long length, boolean headersOnly, boolean eightBit,
                boolean boundaryCollision) {
        boolean included() {
            return length > 0;
        }
    }

    private OriginalPart() {}

    /**
     * Reads at most {@code limit} bytes of {@code file}'s content and decides.
     *
     * @param wantFull true when the whole message may be returned (RET=FULL or none, failure notices)
     * @param limit    bounce_size_limit: the whole message only when it is no larger; the headers are cut there
     * @param boundary the multipart boundary the notice proposes
     */
    static Plan plan(QueueFile file, boolean wantFull, long limit, String boundary) throws IOException {
        notOnEventLoop();
        long size = file.contentLength();
        long scanEnd = Math.min(size, limit);
        Scan s = new Scan(("--" + boundary).getBytes(StandardCharsets.US_ASCII));
        try (InputStream in = file.openContent()) {
            byte[] buf = new byte[BUFFER];
            long pos = 0;
            while (pos < scanEnd) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, scanEnd - pos));
                if (n < 0) throw new IOException(file.path() + ": content shorter than its header says");
                for (int i = 0; i < n; i++) s.accept(buf[i], pos + i);
                pos += n;
            }
            s.end(pos, pos == size);
        }
        boolean fits = size <= limit;
        if (wantFull && fits && size > 0 && s.allClean()) {
            return new Plan(NoticeText.Attachment.FULL, size, false, s.eightBit, s.collision);
        }
        long headerLength = s.headerLength();
        if (headerLength > 0 && s.headersClean) {
            NoticeText.Attachment why = !wantFull ? NoticeText.Attachment.HEADERS
                    : !fits ? NoticeText.Attachment.HEADERS_TOO_BIG : NoticeText.Attachment.HEADERS_UNSUITABLE;
            return new Plan(why, headerLength, true, s.headerEightBit, s.headerCollision);
        }
        return new Plan(NoticeText.Attachment.NONE, 0, false, false, false);
    }

    /** Copies the first {@code length} bytes of the content to {@code out}. */
    static void copy(QueueFile file, long length, OutputStream out) throws IOException {
        notOnEventLoop();
        try (InputStream in = file.openContent()) {
            byte[] buf = new byte[BUFFER];
            long left = length;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) throw new IOException(file.path() + ": content shorter than its header says");
                out.write(buf, 0, n);
                left -= n;
            }
        }
    }

    /** Invariant 4: reading a queue file is blocking I/O; refuse loudly rather than stall an event loop. */
    static void notOnEventLoop() {
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("queue file read on an event loop thread: " + Thread.currentThread().getName());
        }
    }

    /** Byte-at-a-time state machine over lines: length, bare CR/LF, NUL, 8-bit, end of headers, boundary lines. */
    private static final class Scan {
        private final byte[] delimiter;
        boolean inHeaders = true;
        long headerEnd = -1;          // bytes of the header section (up to and including its last CRLF)
        long lastHeaderLineEnd;       // end of the last complete header line seen
        boolean headersClean = true;
        boolean bodyClean = true;
        boolean headerEightBit;
        boolean eightBit;
        boolean headerCollision;
        boolean collision;
        private long lineStart;
        private int lineLength;       // octets before CRLF
        private boolean prevCr;
        private int matched;          // bytes of the delimiter matched at the start of this line

        Scan(byte[] delimiter) {
            this.delimiter = delimiter;
        }

        void accept(byte b, long pos) {
            int c = b & 0xff;
            if (prevCr) {
                prevCr = false;
                if (c == '\n') {
                    endLine(pos + 1);
                    return;
                }
                bad(); // bare CR
                lineLength++;
            }
            if (c == '\r') {
                prevCr = true;
                return;
            }
            if (c == '\n' || c == 0) bad(); // bare LF, NUL
            if (c >= 0x80) {
                eightBit = true;
                if (inHeaders) headerEightBit = true;
            }
            if (matched >= 0 && lineLength == matched) {
                if (matched < delimiter.length && delimiter[matched] == b) {
                    matched++;
                    if (matched == delimiter.length) {
                        collision = true;
                        if (inHeaders) headerCollision = true;
                    }
                } else if (matched < delimiter.length) {
                    matched = -1;
                }
            }
            lineLength++;
            if (lineLength > MailText.MAX_LINE) bad();
        }

        /** {@code next} is the offset just after the CRLF. */
        private void endLine(long next) {
            if (inHeaders) {
                if (lineLength == 0) {
                    inHeaders = false;
                    headerEnd = lineStart;
                } else {
                    lastHeaderLineEnd = next;
                }
            }
            lineStart = next;
            lineLength = 0;
            matched = 0;
        }

        /**
         * @param whole true when the scan reached the end of the content (an unterminated last line
         *              then belongs to the headers or body; otherwise the header section was cut)
         */
        void end(long pos, boolean whole) {
            if (prevCr && whole) bad(); // a CR at a cut may be followed by its LF beyond the scan
            if (inHeaders && whole && lineLength == 0 && !prevCr) headerEnd = pos; // message of headers only
        }

        long headerLength() {
            return headerEnd >= 0 ? headerEnd : lastHeaderLineEnd;
        }

        boolean allClean() {
            return headersClean && bodyClean;
        }

        private void bad() {
            if (inHeaders) headersClean = false;
            else bodyClean = false;
        }
    }
}
