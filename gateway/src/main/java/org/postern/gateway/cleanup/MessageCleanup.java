// MessageCleanup: the cleanup stage for one message -- streams content from smtpd into the queue
// writer, prepends Received:, runs header_checks/mime_header_checks/nested_header_checks/body_checks
// line by line when configured, then rewrites the addresses in the primary headers (HeaderAddressStage),
// and refuses (without buffering) what breaks message_size_limit, header_size_limit or
// smtpd_forbid_bare_newline (a line over line_length_limit is stored whole; the checks see it in pieces
// of that length, as in Postfix); at the end rewrites the envelope addresses (AddressRewriting:
// canonical_maps, masquerade_domains, virtual_alias_maps). Between smtpd and the queue.
package org.postern.gateway.cleanup;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import org.postern.core.Envelope;
import org.postern.core.SmtpReply;
import org.postern.gateway.queue.QueueName;
import org.postern.gateway.queue.QueueWriter;
import org.postern.policies.checks.CheckOutcome;
import org.postern.policies.checks.MessageChecks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feed with {@link #accept} as content arrives, then {@link #finish} (message durable in incoming/
 * or hold/, or discarded, or refused) or {@link #abort}. Once a {@link #problem} is found the rest
 * is read and dropped and the temporary queue file is removed.
 */
public final class MessageCleanup {
    /** The content limits, from main.cf. */
    public record Limits(long messageSizeLimit, int lineLengthLimit, int headerSizeLimit, boolean forbidBareNewline) {}

    /** What the restriction lists decided for the whole transaction (access(5) HOLD, DISCARD, ...). */
    public record Directives(boolean hold, boolean discard, String redirect, String filter, List<String> bcc) {
        public static final Directives NONE = new Directives(false, false, null, null, List.of());
    }

    /** How the message ended: queued (in incoming/ or hold/), silently discarded, or refused. */
    public record Result(SmtpReply refusal, boolean discarded, QueueName queue, CheckOutcome checks) {}

    private static final Logger LOG = LoggerFactory.getLogger("postern.cleanup");
    /** smtpd pauses its socket when more than this is waiting to be written to the queue file. */
    private static final long HIGH_WATER = 1 << 20;
    private static final byte CR = '\r', LF = '\n';

    private final QueueWriter writer;
    private final Limits limits;
    private final HeaderScanner headers;
    private final MessageChecks checks; // null: no content checks, bytes go straight through
    private final LineBuffer line;
    private final AddressRewriting rewriting;
    private final HeaderAddressStage headerRewrite; // null: headers are not rewritten
    private boolean headerLines; // no content checks: header lines are assembled for headerRewrite
    private long size;
    private boolean prevCr;
    private boolean endsWithCrlf = true;
    private SmtpReply problem;
    private boolean aborted;

    public MessageCleanup(QueueWriter writer, Limits limits, String receivedHeader, MessageChecks checks) {
        this(writer, limits, receivedHeader, checks, AddressRewriting.NONE);
    }

    /**
     * @param rewriting the address rewriting (canonical, masquerade, virtual aliases) applied to the
     *                  envelope at {@link #finish}, and to the address headers as they stream in the
     *                  context it was made for ({@link AddressRewriting#forClient});
     *                  {@link AddressRewriting#NONE} for none
     */
    public MessageCleanup(QueueWriter writer, Limits limits, String receivedHeader, MessageChecks checks,
                          AddressRewriting rewriting) {
        this.rewriting = Objects.requireNonNull(rewriting, "rewriting");
        this.writer = writer;
        this.limits = limits;
        this.headers = new HeaderScanner(limits.headerSizeLimit());
        this.checks = checks;
        HeaderAddressRewriter hr = rewriting.headers();
        this.headerRewrite = hr == null ? null : new HeaderAddressStage(hr, limits.headerSizeLimit(),
                w -> LOG.warn("{}: {}", writer.id().value(), w));
        this.headerLines = checks == null && headerRewrite != null;
        this.line = checks == null && headerRewrite == null ? null
                : new LineBuffer(limits.lineLengthLimit() + 2, Math.max(limits.lineLengthLimit(), limits.headerSizeLimit()) + 2);
        if (checks == null && headerRewrite == null) {
            writer.write(Buffer.buffer(receivedHeader.getBytes(StandardCharsets.UTF_8)));
        } else {
            // As Postfix: header_checks and the header rewriting also see the headers smtpd adds.
            Buffer out = Buffer.buffer();
            for (String l : receivedHeader.split("\r\n")) {
                if (checks != null) {
                    checks.line(l, sink(out));
                } else {
                    byte[] b = l.getBytes(StandardCharsets.UTF_8);
                    headerRewrite.line(b, 0, b.length, out);
                }
            }
            if (out.length() > 0) writer.write(out);
        }
    }

    /** The reply to give at end of data if the message must be refused, else null. */
    public SmtpReply problem() {
        return problem;
    }

    /** Content bytes received (before any header Postern adds). */
    public long size() {
        return size;
    }

    /**
     * Takes the next content bytes. The future completes at once unless the queue writer is behind,
     * in which case the caller should stop reading its socket until it completes.
     */
    public Future<Void> accept(Buffer chunk) {
        if (problem != null) {
            size += chunk.length();
            return Future.succeededFuture();
        }
        Buffer out = checks == null && !headerLines ? chunk : Buffer.buffer(chunk.length() + 64);
        int passFrom = -1; // the header lines ended in this chunk: from here on it goes out as it is
        for (int i = 0; i < chunk.length(); i++) {
            byte b = chunk.getByte(i);
            size++;
            if (b == LF) {
                if (!prevCr && limits.forbidBareNewline()) return refuse(bareNewline("LF"), chunk.length() - i - 1);
                if (checks != null) {
                    checks.line(line.bytes(), 0, Math.max(0, line.length() - (prevCr ? 1 : 0)), sink(out));
                    line.clear();
                    if (checks.refused()) return refuse(checks.outcome().reply(), chunk.length() - i - 1);
                } else if (headerLines) {
                    headerRewrite.line(line.bytes(), 0, Math.max(0, line.length() - (prevCr ? 1 : 0)), out);
                    line.clear();
                    if (headerRewrite.done()) {
                        headerLines = false;
                        passFrom = i + 1;
                    }
                }
                endsWithCrlf = prevCr;
                headers.endOfLine();
            } else {
                if (prevCr && limits.forbidBareNewline()) return refuse(bareNewline("CR"), chunk.length() - i - 1);
                endsWithCrlf = false;
                if (b != CR) headers.octet(b);
                if (checks != null && !headers.inHeaders() && line.length() >= limits.lineLengthLimit()) {
                    piece(out); // a long body line: the checks see it in pieces, as Postfix's cleanup does
                    if (checks.refused()) return refuse(checks.outcome().reply(), chunk.length() - i - 1);
                }
                if ((checks != null || headerLines) && !line.append(b)) { // header_size_limit reached first
                    return refuse(SmtpReply.of(552, "5.3.4", "Error: message header section exceeds "
                            + limits.headerSizeLimit() + " bytes"), chunk.length() - i - 1);
                }
            }
            if (headers.tooBig()) {
                return refuse(SmtpReply.of(552, "5.3.4", "Error: message header section exceeds "
                        + limits.headerSizeLimit() + " bytes"), chunk.length() - i - 1);
            }
            prevCr = b == CR;
        }
        if (size > limits.messageSizeLimit() && limits.messageSizeLimit() > 0) {
            return refuse(SmtpReply.of(552, "5.3.4", "Error: message file too big"), 0);
        }
        if (passFrom >= 0 && passFrom < chunk.length()) out.appendBuffer(chunk, passFrom, chunk.length() - passFrom);
        if (out.length() == 0) return Future.succeededFuture();
        Future<Void> written = writer.write(out);
        return writer.pendingBytes() > HIGH_WATER ? written : Future.succeededFuture();
    }

    /**
     * Hands the first line_length_limit bytes of a long body line to the content checks and writes what they
     * let through without a line end, so the line is stored whole; the rest of the line follows as the next
     * piece. (The header section is over, so header rewriting has nothing more to do with it.)
     */
    private void piece(Buffer out) {
        checks.piece(line.bytes(), 0, line.length(), sink(out));
        line.clear();
    }

    /** Where the content checks put their output lines: the header rewriting, or the queue file. */
    private MessageChecks.LineSink sink(Buffer out) {
        return new MessageChecks.LineSink() {
            @Override
            public void line(byte[] bytes, int offset, int length) {
                if (headerRewrite != null) headerRewrite.line(bytes, offset, length, out);
                else out.appendBytes(bytes, offset, length).appendString("\r\n");
            }

            @Override
            public void piece(byte[] bytes, int offset, int length) { // after the primary headers: no rewriting
                out.appendBytes(bytes, offset, length);
            }
        };
    }

    private static SmtpReply bareNewline(String what) {
        return SmtpReply.of(550, "5.5.2", "Error: bare <" + what + "> received");
    }

    private Future<Void> refuse(SmtpReply reply, int restOfChunk) {
        problem = reply;
        size += restOfChunk;
        return abort();
    }

    /**
     * Ends the message. Refused (a limit, or a REJECT from the checks): nothing is queued. Discarded
     * (a DISCARD): nothing is queued, the client is told it was. Otherwise the message is made durable
     * with {@code envelope} -- in hold/ after a HOLD -- and only then does the future complete.
     */
    public Future<Result> finish(Envelope envelope) {
        return finish(envelope, Directives.NONE);
    }

    /** As {@link #finish(Envelope)}, with what the restriction lists asked for merged in. */
    public Future<Result> finish(Envelope envelope, Directives directives) {
        if (problem != null) return Future.succeededFuture(new Result(problem, false, null, null));
        CheckOutcome outcome = null;
        if (checks != null) {
            Buffer out = Buffer.buffer();
            if (line.length() > 0) checks.line(line.bytes(), 0, line.length(), sink(out)); // BDAT, no final CRLF
            checks.end(sink(out));
            if (headerRewrite != null) headerRewrite.end(out);
            if (out.length() > 0) writer.write(out);
            outcome = checks.outcome();
            if (outcome.refused()) {
                problem = outcome.reply();
                return abort().map(v -> new Result(problem, false, null, null));
            }
            if (outcome.discarded()) {
                CheckOutcome o = outcome;
                return abort().map(v -> new Result(null, true, null, o));
            }
        } else if (headerLines) { // the message ended inside its headers
            Buffer out = Buffer.buffer();
            if (line.length() > 0) headerRewrite.line(line.bytes(), 0, line.length(), out); // BDAT, no final CRLF
            headerRewrite.end(out);
            if (out.length() > 0) writer.write(out);
        } else if (size > 0 && !endsWithCrlf) {
            writer.write(Buffer.buffer("\r\n")); // BDAT without final CRLF
        }
        CheckOutcome o = outcome;
        if (headerRewrite != null && headerRewrite.failure() != null && !directives.discard()) {
            problem = headerRewrite.failure().reply(); // a table failed: 451, try again later (logged already)
            return abort().map(v -> new Result(problem, false, null, o));
        }
        if (directives.discard()) return abort().map(v -> new Result(null, true, null, o));
        boolean hold = directives.hold() || (outcome != null && outcome.held());
        QueueName target = hold ? QueueName.HOLD : QueueName.INCOMING;
        // the content checks came later than the restrictions: their REDIRECT wins; BCCs add up
        String redirect = outcome != null && outcome.redirectAddress() != null ? outcome.redirectAddress()
                : directives.redirect();
        List<String> bcc = new java.util.ArrayList<>(directives.bcc());
        if (outcome != null) bcc.addAll(outcome.bcc());
        // FILTER: the last one wins (the content checks come last); a REDIRECT overrides it, as in Postfix
        String filter = outcome != null && outcome.filterNexthop() != null ? outcome.filterNexthop() : directives.filter();
        AddressRewriting.Result rewritten = rewriting.apply(envelope, redirect, bcc);
        rewritten.warnings().forEach(w -> LOG.warn(w));
        if (rewritten.refusal() != null) { // a table failed or alias expansion broke a limit: 451, try later
            problem = rewritten.refusal();
            return abort().map(v -> new Result(problem, false, null, o));
        }
        Envelope queued = rewritten.envelope().withFilter(redirect != null ? null : filter);
        return writer.commit(queued, target).map(v -> new Result(null, false, target, o));
    }

    /** Drops the temporary queue file; safe to call more than once. */
    public Future<Void> abort() {
        if (aborted) return Future.succeededFuture();
        aborted = true;
        return writer.abort();
    }
}
