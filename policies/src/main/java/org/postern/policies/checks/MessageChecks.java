// MessageChecks: header_checks, mime_header_checks, nested_header_checks and body_checks applied to
// one message as the cleanup stage streams it into the queue (Postfix cleanup_message.c): lines in,
// the lines to write out (IGNORE/STRIP removed, PREPEND/REPLACE applied), decisions accumulated.
package org.postern.policies.checks;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.postern.core.Origin;
import org.postern.core.SmtpReply;
import org.postern.policies.table.LookupTable;
import org.postern.policies.table.TableEntry;
import org.postern.policies.table.TableLookupException;

/**
 * The content checks of one message. Contract for the cleanup stage:
 * <ol>
 *   <li>Feed every physical content line, in order, without its CRLF, to {@link #line}; write each
 *       line it hands to the {@link LineSink} to the queue file, followed by CRLF. Headers come out
 *       one line later than they went in (a header is complete only when the next line is not a
 *       continuation). Untouched lines come out as the very bytes fed.</li>
 *   <li>At end of data call {@link #end} (it flushes the last pending header), then act on
 *       {@link #outcome()}.</li>
 *   <li>Log what the {@link CheckListener} reports, as it reports it.</li>
 * </ol>
 * Memory: the pending logical header only (header_size_limit plus one line). Lines are matched as
 * UTF-8 text when they are valid UTF-8, else as ISO-8859-1 (one character per octet). Not
 * thread-safe: one instance per message, fed by one thread at a time.
 */
public final class MessageChecks {

    /** Receives one output line (without line end); the array is only valid during the call. */
    @FunctionalInterface
    public interface LineSink {
        void line(byte[] bytes, int offset, int length);

        /**
         * Receives part of a long line that goes on in the next output: no line end may follow it. Only a sink
         * whose checks are fed {@link MessageChecks#piece} gets it; the default refuses, so none writes a piece
         * as a whole line (which would change the message).
         */
        default void piece(byte[] bytes, int offset, int length) {
            throw new UnsupportedOperationException("this sink takes whole lines only");
        }
    }

    /** A header line kept until its header is complete, and whether a line end follows it. */
    private record Pending(byte[] bytes, boolean lineEnd) {}

    /** Reply when a table cannot answer (as for access maps): try again later. */
    static final SmtpReply LOOKUP_FAILURE = SmtpReply.of(451, "4.3.5", "Server configuration error");

    private static final byte[] EMPTY = new byte[0];

    private final ContentChecks checks;
    private final CheckListener listener;
    private final MimeState mime;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final List<Pending> pendingLines = new ArrayList<>();
    private LineSink out;
    private byte[] current;
    private int currentOffset;
    private int currentLength;
    /** The current input ends its line (else it is a piece of a long line, continued by the next input). */
    private boolean currentLineEnd = true;
    /** The previous input was a piece: the current one continues its line. */
    private boolean continued;
    private boolean inspecting = true;
    private boolean ended;

    private SmtpReply reply;
    private Origin replyOrigin;
    private MimeError mimeError;
    private CheckResult discard;
    private CheckResult hold;
    private CheckResult filter;
    private CheckResult redirect;
    private final Set<String> bcc = new LinkedHashSet<>();

    MessageChecks(ContentChecks checks, CheckListener listener) {
        this.checks = checks;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.mime = new MimeState(checks.mimeOptions(), new Parse());
    }

    /** Feeds one physical line, or the last piece of a long one ({@code length} octets at {@code offset}, CRLF removed). */
    public void line(byte[] bytes, int offset, int length, LineSink sink) {
        feed(bytes, offset, length, sink, true);
    }

    /**
     * Feeds a piece of a line longer than line_length_limit: the next input continues the same line. As in
     * Postfix's cleanup, body_checks see each piece; a piece that continues a line is never taken for a MIME
     * boundary, and one inside a header is part of that header. Its output goes to {@link LineSink#piece}.
     */
    public void piece(byte[] bytes, int offset, int length, LineSink sink) {
        feed(bytes, offset, length, sink, false);
    }

    private void feed(byte[] bytes, int offset, int length, LineSink sink, boolean lineEnd) {
        if (ended) throw new IllegalStateException("line after end()");
        out = Objects.requireNonNull(sink, "sink");
        current = bytes;
        currentOffset = offset;
        currentLength = length;
        currentLineEnd = lineEnd;
        MimeState.LineRole role = mime.line(decode(bytes, offset, length), length, continued);
        if (role == MimeState.LineRole.HEADER || role == MimeState.LineRole.CONTINUATION) {
            pendingLines.add(new Pending(Arrays.copyOfRange(bytes, offset, offset + length), lineEnd));
        }
        current = null;
        continued = !lineEnd;
    }

    /** Feeds one line given as text (encoded as UTF-8); for tests and for lines Postern makes itself. */
    public void line(String text, LineSink sink) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        line(b, 0, b.length, sink);
    }

    /** End of content: writes out the last pending header. Call once, after the last line. */
    public void end(LineSink sink) {
        if (ended) return;
        ended = true;
        out = Objects.requireNonNull(sink, "sink");
        mime.end();
    }

    /**
     * True once the message will be refused whatever follows (REJECT, a strict_* MIME error, a table
     * failure): the cleanup may stop writing the queue file but must still read to the end of data.
     */
    public boolean refused() {
        return reply != null || mimeError != null;
    }

    /** The decisions so far; final after {@link #end}. */
    public CheckOutcome outcome() {
        SmtpReply r = reply;
        Origin o = replyOrigin;
        if (r == null && mimeError != null) {
            r = mimeError.reply();
            o = Origin.builtin("cleanup");
        }
        return new CheckOutcome(r, o, discard, hold, filter, redirect, List.copyOf(bcc));
    }

    /** The MIME parser's events, turned into lookups and output. */
    private final class Parse implements MimeState.Listener {
        @Override
        public void header(MimeState.Section section, String header) {
            CheckResult r = lookup(section, CheckResult.Where.HEADER, header);
            CheckAction action = r == null ? CheckAction.DUNNO : r.action();
            switch (action) {
                case IGNORE, STRIP -> { }
                case PREPEND -> {
                    write(r.text(), true);
                    writePending();
                }
                case REPLACE -> write(r.text(), true);
                default -> writePending();
            }
            pendingLines.clear();
        }

        @Override
        public void body(String line, long offset, boolean inserted) {
            if (inserted) {
                out.line(EMPTY, 0, 0);
                return;
            }
            long limit = checks.bodySizeLimit();
            CheckResult r = line.isEmpty() || (limit > 0 && offset >= limit) ? null
                    : lookup(MimeState.Section.BODY, CheckResult.Where.BODY, line);
            CheckAction action = r == null ? CheckAction.DUNNO : r.action();
            switch (action) {
                case IGNORE, STRIP -> { }
                case PREPEND -> {
                    write(r.text(), false);
                    writeCurrent();
                }
                case REPLACE -> write(r.text(), false);
                default -> writeCurrent();
            }
        }

        @Override
        public void error(MimeError error, String text) {
            // Postfix rejects for every reported MIME error but a truncated header.
            if (mimeError == null && error != MimeError.TRUNCATED_HEADER) mimeError = error;
            listener.mimeError(error, text);
        }
    }

    /** The first match in the section's tables, accounted for and reported; null when none or not inspecting. */
    private CheckResult lookup(MimeState.Section section, CheckResult.Where where, String input) {
        if (!inspecting) return null;
        String parameter = ContentChecks.parameter(section);
        for (LookupTable table : checks.tables(section)) {
            Optional<TableEntry> entry;
            try {
                entry = table.find(input);
            } catch (TableLookupException e) {
                inspecting = false;
                if (reply == null) {
                    reply = LOOKUP_FAILURE;
                    replyOrigin = Origin.builtin("cleanup");
                }
                listener.lookupFailed(parameter, e);
                return null;
            }
            if (entry.isPresent()) {
                CheckResult r = account(ResultParser.parse(where, parameter, input, entry.get()));
                listener.matched(r);
                return r;
            }
        }
        return null;
    }

    /** Records what the match decides for the whole message (cleanup_act()). */
    private CheckResult account(CheckResult r) {
        if (r.action().stopsChecks()) inspecting = false;
        switch (r.action()) {
            case REJECT -> {
                reply = r.reply();
                replyOrigin = r.origin();
            }
            case DISCARD -> discard = r;
            case HOLD -> {
                if (hold != null || discard != null) return r.notLogged();
                hold = r;
            }
            case FILTER -> filter = r;
            case REDIRECT -> redirect = r;
            case BCC -> bcc.add(r.text());
            default -> { }
        }
        return r;
    }

    private void writePending() {
        for (Pending p : pendingLines) {
            if (p.lineEnd()) out.line(p.bytes(), 0, p.bytes().length);
            else out.piece(p.bytes(), 0, p.bytes().length);
        }
    }

    private void writeCurrent() {
        if (currentLineEnd) out.line(current, currentOffset, currentLength);
        else out.piece(current, currentOffset, currentLength);
    }

    /**
     * Writes PREPEND/REPLACE text, which has line breaks when it copies a folded header ($1): one
     * line each, header lines after the first indented as Postfix's cleanup_out_header() does.
     */
    private void write(String text, boolean header) {
        int start = 0;
        while (true) {
            int nl = text.indexOf('\n', start);
            String line = text.substring(start, nl < 0 ? text.length() : nl).replace("\r", "");
            if (header && start > 0 && !line.startsWith(" ") && !line.startsWith("\t")) line = "\t" + line;
            byte[] b = line.getBytes(StandardCharsets.UTF_8);
            out.line(b, 0, b.length);
            if (nl < 0) return;
            start = nl + 1;
        }
    }

    /** UTF-8 when valid (patterns are UTF-8 text), else ISO-8859-1 so that every octet stays visible. */
    private String decode(byte[] b, int offset, int length) {
        int end = offset + length;
        int i = offset;
        while (i < end && b[i] >= 0) i++;
        if (i == end) return new String(b, offset, length, StandardCharsets.ISO_8859_1);
        try {
            return utf8.decode(ByteBuffer.wrap(b, offset, length)).toString();
        } catch (CharacterCodingException e) {
            return new String(b, offset, length, StandardCharsets.ISO_8859_1);
        }
    }
}
