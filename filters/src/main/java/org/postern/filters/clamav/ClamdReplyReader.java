// ClamdReplyReader: collects one NUL-ended clamd reply from a connection's reads, and says why a connection
// that closed (or sent too much) before the reply ended failed. Shared by ClamdExchange (a connection per
// message) and ClamdSession (IDSESSION). Part of the clamav filter; vscan_clamd_address names the peer.
package org.postern.filters.clamav;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/** Confined to the connection's context. */
final class ClamdReplyReader {
    /** A clamd reply is one short line; more bytes without a NUL is not clamd talking. */
    static final int MAX_REPLY = 4096;

    private final ClamdAddress address;
    private Buffer reply = Buffer.buffer();
    private boolean more;

    ClamdReplyReader(ClamdAddress address) {
        this.address = address;
    }

    /**
     * Adds {@code data}; returns the reply without its NUL once it is complete (the reader is then empty
     * again, {@link #moreAfterReply} says whether bytes followed the NUL), else null.
     */
    String feed(Buffer data) {
        reply.appendBuffer(data);
        int nul = -1;
        for (int i = 0; i < reply.length() && nul < 0; i++) if (reply.getByte(i) == 0) nul = i;
        if (nul < 0) return null;
        String text = reply.getString(0, nul, StandardCharsets.ISO_8859_1.name());
        more = nul + 1 < reply.length();
        reply = Buffer.buffer();
        return text;
    }

    /** True when the last complete reply had more bytes after its NUL. */
    boolean moreAfterReply() {
        return more;
    }

    /** Why the unfinished reply is refused: it is longer than {@link #MAX_REPLY}; null while it is not. */
    String overflow() {
        if (reply.length() <= MAX_REPLY) return null;
        return "clamd at " + address + " sent " + reply.length() + " bytes without ending its reply: "
                + ClamdReply.printable(reply.getString(0, 80, "ISO-8859-1"));
    }

    /**
     * Why the connection closed before a whole reply: in the middle of one, after a socket error, or without
     * a word. {@code phase} (e.g. " while sending") and {@code progress} (e.g. " (10 of 20 bytes sent)") say
     * how far the caller got; either may be empty.
     */
    String closeReason(Throwable socketError, String phase, String progress) {
        if (reply.length() > 0) {
            return "clamd at " + address + " closed the connection in the middle of its reply: "
                    + ClamdReply.printable(reply.toString(StandardCharsets.ISO_8859_1));
        }
        if (socketError != null) {
            return "connection to clamd at " + address + " failed" + phase + ": " + ClamdExchange.describe(socketError);
        }
        return "clamd at " + address + " closed the connection without a reply" + phase + progress;
    }
}
