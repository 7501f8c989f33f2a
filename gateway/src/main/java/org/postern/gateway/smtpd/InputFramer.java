// InputFramer: cuts the raw byte stream of one SMTP session into commands, DATA content (dot-
// unstuffed) and BDAT chunks. First stage of smtpd's input path; only CRLF ends a line (invariant 7:
// a bare CR or LF never does, so SMTP smuggling cannot split a message). Command lines are bounded.
package org.postern.gateway.smtpd;

import io.vertx.core.buffer.Buffer;

/**
 * Pull-style framer: the session {@link #feed feeds} bytes as they arrive and {@link #next pulls}
 * one event at a time, so it can stop between commands while one is being answered (pipelining).
 * Memory is bounded: a command line longer than the limit is discarded up to its CRLF, and content
 * is handed out in chunks as soon as it is scanned.
 */
final class InputFramer {
    /** What {@link #next} yields. */
    sealed interface Event permits Line, LineTooLong, BareNewline, Content, EndOfData, EndOfChunk {}

    /** A command line, without its CRLF (may hold NUL or bare CR; the session judges that). */
    record Line(byte[] bytes) implements Event {}

    /** A command line over the limit; its bytes up to the CRLF were discarded. */
    record LineTooLong() implements Event {}

    /** A bare LF in command mode: the line is not ended by it and the session must refuse it. */
    record BareNewline() implements Event {}

    /** Message bytes: DATA content after dot-unstuffing (CRLFs kept), or BDAT chunk bytes. */
    record Content(Buffer bytes) implements Event {}

    /** DATA ended with CRLF.CRLF (the final CRLF before the dot belongs to the content). */
    record EndOfData() implements Event {}

    /** A BDAT chunk's announced size has been delivered in full. */
    record EndOfChunk() implements Event {}

    private static final int CHUNK = 64 * 1024;
    private static final byte CR = '\r', LF = '\n', DOT = '.';

    private enum Mode { COMMAND, DATA, BDAT }

    private Buffer pending = Buffer.buffer();
    private int pos; // bytes of pending already consumed
    private Mode mode = Mode.COMMAND;
    private int lineLimit;
    private boolean discarding; // command line over the limit: dropping bytes until CRLF
    private int scanFrom;       // command mode: where the CRLF search resumes
    // DATA state across feeds
    private int dataState;      // 0 = inside a line, 1 = at line start, 2 = line start + '.', 3 = + '.' CR
    private boolean lastWasCr;
    private boolean endQueued;
    private long chunkRemaining;

    /** @param commandLineLimit longest command line accepted, CRLF included (RFC 5321: 512) */
    InputFramer(int commandLineLimit) {
        this.lineLimit = commandLineLimit;
    }

    void feed(Buffer bytes) {
        if (pos > 0 && (pos == pending.length() || pos >= CHUNK)) {
            pending = pending.getBuffer(pos, pending.length()); // drop what was consumed
            scanFrom = Math.max(0, scanFrom - pos);
            pos = 0;
        }
        pending.appendBuffer(bytes);
    }

    /** Bytes received and not yet consumed (to pause the socket when a pipelining client runs ahead). */
    int buffered() {
        return pending.length() - pos;
    }

    /** Up to {@code max} bytes received and not yet consumed, as text (for the improper-pipelining log line). */
    String peek(int max) {
        int n = Math.min(max, buffered());
        return pending.getString(pos, pos + n, "ISO-8859-1");
    }

    /** The limit for the next command lines (512 normally; larger during an AUTH exchange). */
    void commandLineLimit(int limit) {
        this.lineLimit = limit;
    }

    /** Drops everything received so far (STARTTLS: pipelined plaintext must never reach the TLS session). */
    int discardPending() {
        int n = buffered();
        pending = Buffer.buffer();
        pos = 0;
        scanFrom = 0;
        discarding = false;
        return n;
    }

    void startData() {
        mode = Mode.DATA;
        dataState = 1;
        lastWasCr = false;
    }

    void startChunk(long size) {
        if (size < 0) throw new IllegalArgumentException("chunk size " + size);
        mode = Mode.BDAT;
        chunkRemaining = size;
    }

    boolean inCommandMode() {
        return mode == Mode.COMMAND;
    }

    /** The next event, or null when more input is needed. */
    Event next() {
        switch (mode) {
            case COMMAND: return nextCommand();
            case DATA: return nextData();
            default: return nextChunk();
        }
    }

    private Event nextCommand() {
        int end = pending.length();
        for (int i = Math.max(scanFrom, pos); i < end; i++) {
            byte b = pending.getByte(i);
            if (b == LF) {
                boolean crlf = i > pos && pending.getByte(i - 1) == CR;
                boolean tooLong = discarding || i + 1 - pos > lineLimit;
                byte[] line = crlf && !tooLong ? pending.getBytes(pos, i - 1) : null;
                discarding = false;
                consume(i + 1);
                if (!crlf) return new BareNewline();
                return tooLong ? new LineTooLong() : new Line(line);
            }
            if (discarding) {
                consume(i); // keep only this byte: it may be the CR of the CRLF we wait for
            } else if (i - pos + 2 > lineLimit) {
                discarding = true; // even a CRLF right now would make it too long
            }
        }
        scanFrom = end;
        return null;
    }

    private void consume(int upTo) {
        pos = upTo;
        scanFrom = upTo;
    }

    private Event nextData() {
        if (endQueued) {
            endQueued = false;
            mode = Mode.COMMAND;
            return new EndOfData();
        }
        int end = pending.length();
        if (pos >= end) return null;
        Buffer out = Buffer.buffer(Math.min(end - pos, CHUNK) + 2);
        int i = pos;
        for (; i < end && out.length() < CHUNK; i++) {
            if (dataState == 0) {
                // inside a line: copy the run up to the next CR or LF in one go (the byte-by-byte
                // path below would only append each byte and clear lastWasCr)
                int stop = Math.min(end, i + (CHUNK - out.length()));
                int j = i;
                while (j < stop) {
                    byte c = pending.getByte(j);
                    if (c == CR || c == LF) break;
                    j++;
                }
                if (j > i) {
                    out.appendBuffer(pending, i, j - i);
                    lastWasCr = false;
                    i = j - 1; // the loop's i++ moves to the CR/LF (or the limit)
                    continue;
                }
            }
            byte b = pending.getByte(i);
            switch (dataState) {
                case 1: // at the start of a line
                    if (b == DOT) {
                        dataState = 2; // the dot is held back: stuffing or the end marker
                        continue;
                    }
                    dataState = 0;
                    break;
                case 2: // line start and a dot
                    if (b == CR) {
                        dataState = 3;
                        continue;
                    }
                    dataState = 0; // dot-stuffing: the dot is dropped
                    break;
                case 3: // line start, dot, CR
                    if (b == LF) {
                        consume(i + 1);
                        if (out.length() == 0) {
                            mode = Mode.COMMAND;
                            return new EndOfData();
                        }
                        endQueued = true; // hand out the last bytes first, EndOfData on the next call
                        return new Content(out);
                    }
                    // ".\r" then not LF: not the end; the dot was stuffing, the CR is a bare CR
                    out.appendByte(CR);
                    lastWasCr = true;
                    dataState = 0;
                    break;
                default:
                    break;
            }
            out.appendByte(b);
            if (b == LF && lastWasCr) dataState = 1;
            lastWasCr = b == CR;
        }
        consume(i);
        return out.length() > 0 ? new Content(out) : null;
    }

    private Event nextChunk() {
        if (chunkRemaining == 0) {
            mode = Mode.COMMAND;
            return new EndOfChunk();
        }
        int avail = pending.length() - pos;
        if (avail == 0) return null;
        int n = (int) Math.min(Math.min(avail, chunkRemaining), CHUNK);
        Buffer out = pending.getBuffer(pos, pos + n);
        consume(pos + n);
        chunkRemaining -= n;
        return new Content(out);
    }
}
