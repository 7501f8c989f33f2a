// HeaderScanner: tells, octet by octet, where the header section of a streamed message ends (an
// empty line, or the first line that is not a header field, as Postfix's is_header()) and how big
// it is. Used by MessageCleanup to enforce header_size_limit without buffering.
package org.postern.gateway.cleanup;

final class HeaderScanner {
    private final int limit;
    private boolean inHeaders = true;
    private long headerBytes;
    private int lineOctets;       // octets of the current line (CR/LF excluded)
    private boolean nameOpen = true; // still reading a field name on this line
    private boolean continuation;

    HeaderScanner(int limit) {
        this.limit = limit;
    }

    void octet(byte b) {
        if (!inHeaders) return;
        if (lineOctets == 0) continuation = b == ' ' || b == '\t';
        lineOctets++;
        headerBytes++;
        if (nameOpen && !continuation) {
            if (b == ':') {
                nameOpen = false;
                if (lineOctets == 1) inHeaders = false; // ":" alone is no field name
            } else if (b <= 32 || b >= 127) {
                inHeaders = false; // not a header field: the body starts here (RFC 5322 ftext)
            }
        }
    }

    void endOfLine() {
        if (!inHeaders) return;
        headerBytes += 2;
        if (lineOctets == 0 || (nameOpen && !continuation)) inHeaders = false;
        lineOctets = 0;
        nameOpen = true;
        continuation = false;
    }

    boolean inHeaders() {
        return inHeaders;
    }

    boolean tooBig() {
        return inHeaders && limit > 0 && headerBytes > limit;
    }
}
