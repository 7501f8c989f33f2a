// HeaderAddressStage: the step of MessageCleanup that rewrites the addresses in the primary message
// headers (HeaderAddressRewriter) as lines stream to the queue file, after header_checks as in Postfix's
// cleanup_message.c. Holds back only the address header being read (bounded by header_size_limit).
package org.postern.gateway.cleanup;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One per message; not thread-safe. Fed physical lines without their line end, in order; writes each
 * line, followed by CRLF, to the given buffer as soon as it is known not to belong to an address
 * header, and an address header once it is complete (the next line is no continuation). A header that
 * does not change comes out as the very octets fed. After the primary header section (an empty line,
 * or a line that is no header field) every line goes straight through.
 */
final class HeaderAddressStage {
    private static final byte[] CRLF = {'\r', '\n'};

    private final HeaderAddressRewriter rewriter;
    private final int limit;
    private final Consumer<String> warn;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private boolean holding;    // pending holds an address header
    private boolean seenHeader; // a header field has been fed
    private boolean done;
    private RewriteFailure failure;

    /**
     * @param limit the most octets of one header held back (header_size_limit); a longer one is written
     *              out unchanged, as Postfix leaves the rest of a too long header alone
     * @param warn  receives each warning to log (without queue id)
     */
    HeaderAddressStage(HeaderAddressRewriter rewriter, int limit, Consumer<String> warn) {
        this.rewriter = rewriter;
        this.limit = limit > 0 ? limit : 1 << 20;
        this.warn = warn;
    }

    /** True once the primary header section has ended: the rest of the message is not looked at. */
    boolean done() {
        return done;
    }

    /** The first table failure met, or null: the message must then be refused with its reply. */
    RewriteFailure failure() {
        return failure;
    }

    /** Takes one physical line ({@code length} octets at {@code offset}, line end removed). */
    void line(byte[] bytes, int offset, int length, Buffer out) {
        if (done) {
            emit(bytes, offset, length, out);
            return;
        }
        boolean continuation = length > 0 && (bytes[offset] == ' ' || bytes[offset] == '\t');
        if (continuation) {
            if (holding && pending.size() + length + 2 <= limit) {
                pending.write(CRLF, 0, 2);
                pending.write(bytes, offset, length);
                return;
            }
            if (holding) flushUnchanged(out); // too big to rewrite: out as it came
            if (!seenHeader) done = true;     // no header to continue: the body starts here
            emit(bytes, offset, length, out);
            return;
        }
        flush(out);
        int name = nameLength(bytes, offset, length);
        if (name == 0) { // an empty line or the first body line: the headers end here
            done = true;
            emit(bytes, offset, length, out);
            return;
        }
        seenHeader = true;
        if (name <= HeaderAddressRewriter.LONGEST_NAME && HeaderAddressRewriter
                .classOf(new String(bytes, offset, name, StandardCharsets.ISO_8859_1)).isPresent()) {
            holding = true;
            pending.write(bytes, offset, length);
            return;
        }
        emit(bytes, offset, length, out);
    }

    /** End of the message: writes out a header still held back. */
    void end(Buffer out) {
        flush(out);
        done = true;
    }

    /** Writes the held header, rewritten when it changes. */
    private void flush(Buffer out) {
        if (!holding) return;
        byte[] header = pending.toByteArray();
        String rewritten = null;
        if (failure == null) {
            List<String> warnings = new ArrayList<>();
            try {
                rewritten = rewriter.rewrite(new String(header, StandardCharsets.ISO_8859_1), warnings);
            } catch (RewriteFailure f) {
                failure = f;
                warn.accept(f.getMessage());
            }
            warnings.forEach(warn);
        }
        if (rewritten == null) {
            out.appendBytes(header).appendBytes(CRLF);
        } else {
            out.appendBytes(rewritten.getBytes(StandardCharsets.ISO_8859_1)).appendBytes(CRLF);
        }
        clear();
    }

    private void flushUnchanged(Buffer out) {
        out.appendBytes(pending.toByteArray()).appendBytes(CRLF);
        clear();
    }

    private void clear() {
        pending.reset();
        holding = false;
    }

    private static void emit(byte[] bytes, int offset, int length, Buffer out) {
        out.appendBytes(bytes, offset, length).appendBytes(CRLF);
    }

    /**
     * Postfix's is_header(): the length of the field name when the line starts with one (printable
     * ASCII but colon), optional blanks (obsolete syntax) and a colon; 0 when it is no header field.
     */
    static int nameLength(byte[] b, int offset, int length) {
        int len = 0;
        boolean blanks = false;
        for (int i = offset; i < offset + length; i++) {
            int c = b[i] & 0xff;
            if (c == ':') return len;
            if (c == ' ' || c == '\t') {
                if (len == 0) return 0;
                blanks = true;
            } else if (c < 33 || c > 126 || blanks) {
                return 0;
            } else {
                len++;
            }
        }
        return 0;
    }
}
