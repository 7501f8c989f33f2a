// QpBodyEncoder: the quoted-printable body encoder (RFC 2045 6.7) used by QuotedPrintableDowngrade for
// each 8-bit leaf part sent to a next hop without 8BITMIME (smtp client, DATA path; no main.cf
// parameter yet -- Postfix's disable_mime_output_conversion = no). Streaming, bytes in any chunking.
package org.postern.gateway.smtp;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/** Line ends stay hard breaks (CRLF); lines are cut at 76 columns with soft breaks. One part at a time. */
final class QpBodyEncoder {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    private int column;
    private int pendingSpace = -1; // a space or tab held until we know whether the line ends after it
    private boolean pendingCr;

    /** Encodes b[from, end) onto out. */
    void encode(byte[] b, int from, int end, Buffer out) {
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

    /** Ends the part: a held CR or blank is written encoded; the encoder is ready for the next part. */
    void finish(Buffer out) {
        if (pendingCr) appendEncoded(out, '\r');
        pendingCr = false;
        flushSpace(out, true);
        column = 0;
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
