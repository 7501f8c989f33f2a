// InputFramerDifferentialTest: the DATA fast path of InputFramer (bulk copy inside a line) must
// frame exactly like the byte-by-byte algorithm it replaced, kept here as the reference, for random
// input (CR, LF, dots at line starts, runs past the 64 KiB chunk) cut into random packets.
package org.postern.gateway.smtpd;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InputFramerDifferentialTest {
    private static final byte[] ALPHABET = {'a', 'b', '.', '.', '\r', '\n', '\r', '\n', ' ', 0, (byte) 0xff};

    @Test
    void randomSessionsFrameExactlyAsTheByteByByteReference() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        for (int round = 0; round < 400; round++) {
            byte[] input = session(rnd);
            List<String> expected = run(new Reference(new ReferenceFramer(512)), input, new Random(seed + round));
            List<String> actual = run(new Current(new InputFramer(512)), input, new Random(seed + round));
            assertThat(actual).as("seed %d round %d", seed, round).isEqualTo(expected);
        }
    }

    @Test
    void theReferenceSeesDataEventsAtAll() { // guards the test above against framing only commands
        byte[] input = "DATA\r\nab\r\n..c\r\n.\r\n".getBytes(StandardCharsets.ISO_8859_1);
        List<String> events = run(new Reference(new ReferenceFramer(512)), input, new Random(1));
        assertThat(events).startsWith("LINE:DATA").endsWith("EndOfData");
        assertThat(String.join("", events.subList(1, events.size() - 1)).replace("CONTENT:", ""))
                .isEqualTo("ab\r\n.c\r\n");
    }

    /** Commands, DATA with random content and sometimes a BDAT chunk, in one byte stream. */
    private static byte[] session(Random rnd) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int parts = 1 + rnd.nextInt(4);
        for (int p = 0; p < parts; p++) {
            if (rnd.nextInt(5) == 0) {
                int n = rnd.nextInt(300);
                out.writeBytes(("BDAT " + n + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                for (int i = 0; i < n; i++) out.write(ALPHABET[rnd.nextInt(ALPHABET.length)]);
                continue;
            }
            out.writeBytes("DATA\r\n".getBytes(StandardCharsets.ISO_8859_1));
            int pieces = rnd.nextInt(60);
            for (int k = 0; k < pieces; k++) {
                switch (rnd.nextInt(10)) {
                    case 0 -> out.writeBytes("\r\n.\r\n".getBytes(StandardCharsets.ISO_8859_1)); // end marker
                    case 1 -> out.writeBytes("\r\n..".getBytes(StandardCharsets.ISO_8859_1));
                    case 2 -> out.writeBytes(".\r".getBytes(StandardCharsets.ISO_8859_1));
                    case 3 -> { // a long run, sometimes past the 64 KiB chunk
                        int n = rnd.nextInt(4) == 0 ? 60_000 + rnd.nextInt(80_000) : rnd.nextInt(2_000);
                        byte c = (byte) ('A' + rnd.nextInt(26));
                        for (int i = 0; i < n; i++) out.write(c);
                    }
                    default -> {
                        int n = rnd.nextInt(40);
                        for (int i = 0; i < n; i++) out.write(ALPHABET[rnd.nextInt(ALPHABET.length)]);
                    }
                }
            }
            out.writeBytes("\r\n.\r\nNOOP\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        return out.toByteArray();
    }

    /**
     * Feeds {@code input} in random packets and pulls events as smtpd would: a DATA line starts DATA,
     * a BDAT line starts a chunk. Sometimes stops pulling early (a pipelining pause) before feeding more.
     */
    private static List<String> run(Framer f, byte[] input, Random cuts) {
        List<String> events = new ArrayList<>();
        int at = 0;
        while (at < input.length) {
            int n = Math.min(input.length - at, cuts.nextInt(4) == 0 ? 1 + cuts.nextInt(100_000) : 1 + cuts.nextInt(64));
            f.feed(Buffer.buffer().appendBytes(input, at, n));
            at += n;
            int budget = cuts.nextInt(6) == 0 ? cuts.nextInt(3) : Integer.MAX_VALUE;
            pull(f, events, at < input.length ? budget : Integer.MAX_VALUE);
        }
        return events;
    }

    private static void pull(Framer f, List<String> events, int budget) {
        for (int k = 0; k < budget; k++) {
            InputFramer.Event e = f.next();
            if (e == null) return;
            String d = describe(e);
            events.add(d);
            if (d.equals("LINE:DATA")) f.startData();
            else if (d.startsWith("LINE:BDAT ")) f.startChunk(Long.parseLong(d.substring(10)));
        }
    }

    private static String describe(InputFramer.Event e) {
        if (e instanceof InputFramer.Line l) return "LINE:" + new String(l.bytes(), StandardCharsets.ISO_8859_1);
        if (e instanceof InputFramer.Content c) return "CONTENT:" + c.bytes().toString(StandardCharsets.ISO_8859_1);
        return e.getClass().getSimpleName();
    }

    private interface Framer {
        void feed(Buffer b);

        InputFramer.Event next();

        void startData();

        void startChunk(long size);
    }

    private record Current(InputFramer f) implements Framer {
        public void feed(Buffer b) {
            f.feed(b);
        }

        public InputFramer.Event next() {
            return f.next();
        }

        public void startData() {
            f.startData();
        }

        public void startChunk(long size) {
            f.startChunk(size);
        }
    }

    private record Reference(ReferenceFramer f) implements Framer {
        public void feed(Buffer b) {
            f.feed(b);
        }

        public InputFramer.Event next() {
            return f.next();
        }

        public void startData() {
            f.startData();
        }

        public void startChunk(long size) {
            f.startChunk(size);
        }
    }

    /** InputFramer's framing before the DATA fast path, unchanged: the reference. */
    private static final class ReferenceFramer {
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
        ReferenceFramer(int commandLineLimit) {
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
        InputFramer.Event next() {
            switch (mode) {
                case COMMAND: return nextCommand();
                case DATA: return nextData();
                default: return nextChunk();
            }
        }

        private InputFramer.Event nextCommand() {
            int end = pending.length();
            for (int i = Math.max(scanFrom, pos); i < end; i++) {
                byte b = pending.getByte(i);
                if (b == LF) {
                    boolean crlf = i > pos && pending.getByte(i - 1) == CR;
                    boolean tooLong = discarding || i + 1 - pos > lineLimit;
                    byte[] line = crlf && !tooLong ? pending.getBytes(pos, i - 1) : null;
                    discarding = false;
                    consume(i + 1);
                    if (!crlf) return new InputFramer.BareNewline();
                    return tooLong ? new InputFramer.LineTooLong() : new InputFramer.Line(line);
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

        private InputFramer.Event nextData() {
            if (endQueued) {
                endQueued = false;
                mode = Mode.COMMAND;
                return new InputFramer.EndOfData();
            }
            int end = pending.length();
            if (pos >= end) return null;
            Buffer out = Buffer.buffer(Math.min(end - pos, CHUNK) + 2);
            int i = pos;
            for (; i < end && out.length() < CHUNK; i++) {
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
                                return new InputFramer.EndOfData();
                            }
                            endQueued = true; // hand out the last bytes first, EndOfData on the next call
                            return new InputFramer.Content(out);
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
            return out.length() > 0 ? new InputFramer.Content(out) : null;
        }

        private InputFramer.Event nextChunk() {
            if (chunkRemaining == 0) {
                mode = Mode.COMMAND;
                return new InputFramer.EndOfChunk();
            }
            int avail = pending.length() - pos;
            if (avail == 0) return null;
            int n = (int) Math.min(Math.min(avail, chunkRemaining), CHUNK);
            Buffer out = pending.getBuffer(pos, pos + n);
            consume(pos + n);
            chunkRemaining -= n;
            return new InputFramer.Content(out);
        }
    }
}
