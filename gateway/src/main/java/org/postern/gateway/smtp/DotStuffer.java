// DotStuffer: the DATA encoder (RFC 5321 4.5.2) -- a '.' that starts a line is doubled, every line ends
// in CRLF (a bare LF becomes CRLF, so no line end the peer sees is ambiguous), and the content is closed
// with CRLF.CRLF even when its last line lacks a CRLF. Streaming; used by ContentPhase.
package org.postern.gateway.smtp;

import io.vertx.core.buffer.Buffer;

/**
 * Queue-file content already has CRLF line ends (smtpd and cleanup write it so), so normally the only
 * change is the doubled dot. A bare CR is passed through: it is not a line end (invariant 7).
 */
final class DotStuffer implements ContentEncoder {
    private static final byte CR = '\r', LF = '\n', DOT = '.';
    private boolean atLineStart = true;
    private boolean lastWasCr;

    @Override
    public Buffer encode(byte[] b, int off, int len) {
        // Worst case doubles a chunk of LFs into CRLFs; size for the common case.
        Buffer out = Buffer.buffer(len + 64);
        int runStart = off;
        int end = off + len;
        for (int i = off; i < end; i++) {
            byte c = b[i];
            if (atLineStart && c == DOT) {
                out.appendBytes(b, runStart, i - runStart).appendByte(DOT);
                runStart = i; // the dot itself goes with the next run
            } else if (c == LF && !lastWasCr) {
                out.appendBytes(b, runStart, i - runStart).appendByte(CR);
                runStart = i;
            }
            atLineStart = c == LF;
            lastWasCr = c == CR;
        }
        return out.appendBytes(b, runStart, end - runStart);
    }

    @Override
    public Buffer finish() {
        Buffer out = Buffer.buffer(5);
        if (!atLineStart) out.appendString("\r\n");
        atLineStart = true;
        lastWasCr = false;
        return out.appendString(".\r\n");
    }
}
