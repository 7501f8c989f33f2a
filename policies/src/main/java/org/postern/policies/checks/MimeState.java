// MimeState: the cleanup stage's streaming MIME classifier (Postfix mime_state.c): line by line, it
// tells primary, MIME and nested (message/rfc822) headers from body lines. Governed by header_size_limit,
// mime_nesting_limit, mime_boundary_length_limit, disable_mime_input_processing, strict_* parameters.
package org.postern.policies.checks;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One message's MIME parse, in one pass with bounded memory: at most one logical header
 * (header_size_limit, plus one line) and one boundary per multipart level is kept.
 *
 * <p>Feed every physical line of the content (CRLF removed) to {@link #line}, then call {@link #end}.
 * The {@link Listener} hears, in message order: each logical header once it is complete (that is,
 * when the line after it arrives: a header's continuation lines are joined with '\n' and keep
 * their leading blanks, which is the key header_checks patterns see), the end of the primary
 * headers, and each body line. As in Postfix:
 * <ul>
 *   <li>Content-*, MIME-Version headers are {@link Section#MIME} wherever they are, and so is every
 *       header of a multipart part's header block; the headers of an attached message/rfc822 are
 *       {@link Section#NESTED}; all other headers of the message are {@link Section#PRIMARY}.</li>
 *   <li>Boundary lines, preambles, epilogues and the blank line that ends a header block are body
 *       lines. A primary header section ended by a non-header line gets a blank line inserted
 *       before that line ({@code inserted == true}); part headers do not.</li>
 *   <li>A logical header stops growing at header_size_limit: its further continuation lines are
 *       {@link LineRole#DROPPED} (Postfix truncates them away).</li>
 *   <li>"Name :" is normalized to "Name:" in the logical header.</li>
 * </ul>
 * Not thread-safe; one instance per message.
 */
public final class MimeState {

    /** Which content checks apply: header_checks, mime_header_checks, nested_header_checks or body_checks. */
    public enum Section { PRIMARY, MIME, NESTED, BODY }

    /** What became of the line just fed. */
    public enum LineRole {
        /** It starts a logical header, which is reported once complete. */
        HEADER,
        /** It continues the pending logical header. */
        CONTINUATION,
        /** It continued a header already at header_size_limit and was dropped. */
        DROPPED,
        /** It is a body line and has been reported. */
        BODY
    }

    /** Receives the parse, in message order. */
    public interface Listener {
        /** One complete logical header ("Name:value", continuation lines joined with '\n'). */
        void header(Section section, String header);

        /**
         * One body line; {@code offset} counts the octets (line end = 1) before it in this body part.
         * {@code inserted} marks the blank line added between primary headers and a non-header line.
         */
        void body(String line, long offset, boolean inserted);

        /** After the last primary header (also at the end of a message that has no body). */
        default void endOfPrimaryHeaders() {}

        /** The first occurrence of each error the options ask to report, with the offending text. */
        default void error(MimeError error, String text) {}
    }

    /**
     * @param headerSizeLimit     header_size_limit: octets kept of one logical header
     * @param nestingLimit        mime_nesting_limit: multipart levels followed
     * @param boundaryLengthLimit mime_boundary_length_limit: characters of a boundary kept
     * @param disableMime         disable_mime_input_processing: all after the primary headers is body
     * @param report              which errors to report to {@link Listener#error}
     */
    public record Options(int headerSizeLimit, int nestingLimit, int boundaryLengthLimit, boolean disableMime,
                          Set<MimeError> report) {
        public Options {
            report = report.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(report));
        }

        /** Postfix's defaults, reporting nothing. */
        public static Options defaults() {
            return new Options(102400, 100, 2048, false, Set.of());
        }
    }

    private enum State { PRIMARY, MULTIPART, NESTED, BODY }

    private enum Type { TEXT, MESSAGE, MULTIPART, OTHER }

    private enum Subtype { PLAIN, RFC822, PARTIAL, EXTERNAL_BODY, OTHER }

    /** RFC 2045 encodings; 7bit, 8bit and binary are also the domains of the others. */
    private enum Encoding {
        SEVEN_BIT("7bit"), EIGHT_BIT("8bit"), BINARY("binary"), BASE64("base64"), QUOTED_PRINTABLE("quoted-printable");

        final String label;

        Encoding(String label) {
            this.label = label;
        }

        Encoding domain() {
            return this == BASE64 || this == QUOTED_PRINTABLE ? SEVEN_BIT : this;
        }
    }

    /** An open multipart level: its boundary and the default type of its parts. */
    private record Boundary(Type defaultType, Subtype defaultSubtype, String text) {}

    private final Options options;
    private final Listener listener;
    private final Deque<Boundary> stack = new ArrayDeque<>();
    private final Set<MimeError> reported = EnumSet.noneOf(MimeError.class);
    private State state = State.PRIMARY;
    private Type type = Type.TEXT;
    private Subtype subtype = Subtype.PLAIN;
    private Encoding encoding = Encoding.SEVEN_BIT;
    private StringBuilder pending;
    private long pendingOctets;
    private long bodyOffset;

    public MimeState(Options options, Listener listener) {
        this.options = Objects.requireNonNull(options, "options");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Feeds one line whose size on the wire is its length in characters (ASCII, tests). */
    public LineRole line(String text) {
        return line(text, text.length());
    }

    /**
     * Feeds one physical line without its line end.
     *
     * @param octets the line's length in octets (body offsets and header_size_limit count octets)
     */
    public LineRole line(String text, int octets) {
        return line(text, octets, false);
    }

    /**
     * As {@link #line(String, int)}; {@code continued}: the text goes on from the previous input, a line longer
     * than line_length_limit fed in pieces. As Postfix's mime_state (REC_TYPE_CONT), such a piece is part of the
     * header it continues, and in a body it is never a boundary -- a long line cannot end a multipart early.
     */
    public LineRole line(String text, int octets, boolean continued) {
        if (continued && state != State.BODY && pending != null) return continueHeader("", text, octets);
        if (continued && state == State.BODY) {
            bodyLine(text, octets, false);
            return LineRole.BODY;
        }
        if (state != State.BODY) {
            if (pending != null) {
                if (!text.isEmpty() && (text.charAt(0) == ' ' || text.charAt(0) == '\t')) {
                    return continueHeader("\n", text, octets); // a folded header's next line
                }
                flushHeader();
            }
            int nameLength = HeaderSyntax.nameLength(text);
            if (nameLength > 0) {
                int value = nameLength;
                while (value < text.length() && (text.charAt(value) == ' ' || text.charAt(value) == '\t')) value++;
                pending = new StringBuilder(text.length() + 64).append(text, 0, nameLength).append(text, value,
                        text.length());
                pendingOctets = octets - (value - nameLength);
                return LineRole.HEADER;
            }
            endOfHeaderBlock(text);
        }
        bodyLine(text, octets, true);
        return LineRole.BODY;
    }

    /**
     * Adds {@code text} to the pending header after {@code separator} ("\n" for a folded line, "" for a piece
     * of a long line), or drops it when the header is already at header_size_limit.
     */
    private LineRole continueHeader(String separator, String text, int octets) {
        if (pendingOctets >= options.headerSizeLimit()) {
            report(MimeError.TRUNCATED_HEADER, pending);
            return LineRole.DROPPED;
        }
        pending.append(separator).append(text);
        pendingOctets += separator.length() + octets;
        return LineRole.CONTINUATION;
    }

    /** End of content: reports a pending header (and the end of the primary headers if still in them). */
    public void end() {
        if (state == State.BODY) return;
        if (pending != null) flushHeader();
        endOfHeaderBlock(null);
    }

    /** Open multipart levels right now (0 outside any multipart). */
    public int depth() {
        return stack.size();
    }

    private void flushHeader() {
        String header = pending.toString();
        pending = null;
        String name = HeaderSyntax.lowerName(header);
        if (!options.disableMime()) {
            String value = header.substring(name.length() + 1);
            if (name.equals("content-type")) contentType(header, value);
            if (name.equals("content-transfer-encoding")) contentEncoding(value);
        }
        if (reportsAny(MimeError.EIGHT_BIT_IN_HEADER) && has8bit(header)) report(MimeError.EIGHT_BIT_IN_HEADER, header);
        Section section = HeaderSyntax.isMimeHeader(name) || state == State.MULTIPART ? Section.MIME
                : state == State.NESTED ? Section.NESTED : Section.PRIMARY;
        listener.header(section, header);
    }

    /** A header block ends with {@code text} (null: end of input): pick the state for what follows. */
    private void endOfHeaderBlock(String text) {
        if (state == State.PRIMARY) listener.endOfPrimaryHeaders();
        if (reportsAny(MimeError.ENCODING_DOMAIN) && wrongDomain()) report(MimeError.ENCODING_DOMAIN, encoding.label);
        if (text == null) {
            enter(State.BODY);
        } else if (text.isEmpty()) {
            bodyOffset = 0;
            if (type == Type.MESSAGE && subtype == Subtype.RFC822) {
                enter(State.NESTED, Type.TEXT, Subtype.PLAIN);
            } else if (type == Type.MULTIPART) {
                enter(State.BODY, Type.OTHER, Subtype.OTHER);
            } else {
                enter(State.BODY);
            }
        } else {
            if (state == State.PRIMARY) listener.body("", bodyOffset, true);
            enter(State.BODY);
        }
    }

    private boolean wrongDomain() {
        if (type == Type.MESSAGE) {
            if (subtype == Subtype.PARTIAL || subtype == Subtype.EXTERNAL_BODY) {
                return encoding.domain() != Encoding.SEVEN_BIT;
            }
            return subtype == Subtype.RFC822 && encoding != encoding.domain();
        }
        return type == Type.MULTIPART && encoding != encoding.domain();
    }

    /** A body line: 8-bit check, then boundary recognition (which ends the part), then report it. */
    private void bodyLine(String text, int octets, boolean mayBeBoundary) {
        if (encoding == Encoding.SEVEN_BIT && reportsAny(MimeError.EIGHT_BIT_IN_7BIT_BODY) && has8bit(text)) {
            report(MimeError.EIGHT_BIT_IN_7BIT_BODY, text);
        }
        if (mayBeBoundary && !stack.isEmpty() && text.length() > 2 && text.startsWith("--")) {
            Boundary match = null;
            for (Boundary b : stack) {
                if (text.startsWith(b.text(), 2)) {
                    match = b;
                    break;
                }
            }
            if (match != null) {
                while (stack.peek() != match) stack.pop();
                if (text.startsWith("--", 2 + match.text().length())) {
                    stack.pop();
                    enter(State.BODY, Type.OTHER, Subtype.OTHER);
                } else {
                    enter(State.MULTIPART, match.defaultType(), match.defaultSubtype());
                }
            }
        }
        listener.body(text, bodyOffset, false);
        bodyOffset += octets + 1;
    }

    private void enter(State next) {
        state = next;
        if (next == State.BODY) bodyOffset = 0;
    }

    private void enter(State next, Type t, Subtype s) {
        enter(next);
        type = t;
        subtype = s;
        encoding = Encoding.SEVEN_BIT;
    }

    /** mime_state_content_type(): only text, message and multipart change the state (as in Postfix). */
    private void contentType(String header, String value) {
        HeaderSyntax.Tokenizer tokens = new HeaderSyntax.Tokenizer(value);
        List<HeaderSyntax.Token> t = tokens.next(3, HeaderSyntax.TSPECIALS, ';');
        if (t == null || t.isEmpty()) {
            type = Type.OTHER;
            return;
        }
        boolean slash = t.size() >= 3 && t.get(1).special() == '/';
        if (t.get(0).isWord("text")) {
            type = Type.TEXT;
            subtype = slash && t.get(2).isWord("plain") ? Subtype.PLAIN : Subtype.OTHER;
        } else if (t.get(0).isWord("message")) {
            type = Type.MESSAGE;
            subtype = !slash ? Subtype.OTHER : t.get(2).isWord("rfc822") ? Subtype.RFC822
                    : t.get(2).isWord("partial") ? Subtype.PARTIAL
                    : t.get(2).isWord("external-body") ? Subtype.EXTERNAL_BODY : Subtype.OTHER;
        } else if (t.get(0).isWord("multipart")) {
            type = Type.MULTIPART;
            boolean digest = slash && t.get(2).isWord("digest");
            // Every boundary= parameter is pushed: illegal duplicates cannot hide a part this way.
            while ((t = tokens.next(3, HeaderSyntax.TSPECIALS, ';')) != null) {
                if (t.size() >= 3 && t.get(0).isWord("boundary") && t.get(1).special() == '=') {
                    if (stack.size() > options.nestingLimit()) {
                        if (reportsAny(MimeError.NESTING)) report(MimeError.NESTING, header);
                    } else {
                        String b = t.get(2).value();
                        int limit = options.boundaryLengthLimit();
                        if (b.length() > limit) b = b.substring(0, limit);
                        stack.push(new Boundary(digest ? Type.MESSAGE : Type.TEXT,
                                digest ? Subtype.RFC822 : Subtype.PLAIN, b));
                    }
                }
            }
        }
    }

    private void contentEncoding(String value) {
        List<HeaderSyntax.Token> t = new HeaderSyntax.Tokenizer(value).next(1, HeaderSyntax.RFC822_SPECIALS, (char) 0);
        if (t == null || t.isEmpty() || t.get(0).special() != HeaderSyntax.Token.WORD) return;
        for (Encoding e : Encoding.values()) {
            if (e.label.equalsIgnoreCase(t.get(0).value())) encoding = e;
        }
    }

    private boolean reportsAny(MimeError error) {
        return options.report().contains(error) && !reported.contains(error);
    }

    private void report(MimeError error, CharSequence text) {
        if (reportsAny(error)) {
            reported.add(error);
            listener.error(error, text.toString());
        }
    }

    private static boolean has8bit(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 127) return true;
        }
        return false;
    }
}
