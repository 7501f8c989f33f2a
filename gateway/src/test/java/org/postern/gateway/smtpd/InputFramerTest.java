package org.postern.gateway.smtpd;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InputFramerTest {
    private final InputFramer f = new InputFramer(512);

    private List<String> drain() {
        List<String> out = new ArrayList<>();
        InputFramer.Event e;
        while ((e = f.next()) != null) out.add(describe(e));
        return out;
    }

    private static String describe(InputFramer.Event e) {
        if (e instanceof InputFramer.Line l) return "LINE:" + new String(l.bytes(), StandardCharsets.ISO_8859_1);
        if (e instanceof InputFramer.Content c) return "CONTENT:" + c.bytes().toString(StandardCharsets.ISO_8859_1);
        return e.getClass().getSimpleName();
    }

    private void feed(String s) {
        f.feed(Buffer.buffer(s.getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Test
    void pipelinedCommandsComeOutOneByOne() {
        feed("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDA");
        assertThat(drain()).containsExactly("LINE:MAIL FROM:<a@b>", "LINE:RCPT TO:<c@d>");
        feed("TA\r\n");
        assertThat(drain()).containsExactly("LINE:DATA");
    }

    @Test
    void crlfSplitAcrossPackets() {
        feed("NOOP\r");
        assertThat(drain()).isEmpty();
        feed("\n");
        assertThat(drain()).containsExactly("LINE:NOOP");
    }

    @Test
    void bareLfInCommandIsNeverALineEnd() {
        feed("HELO x\nQUIT\r\n");
        assertThat(drain()).containsExactly("BareNewline", "LINE:QUIT");
    }

    @Test
    void commandOver512OctetsIsDiscardedWithoutBuffering() {
        String ok = "X".repeat(510);
        feed(ok + "\r\n");
        assertThat(drain()).containsExactly("LINE:" + ok);
        feed("Y".repeat(511) + "\r\n");
        assertThat(drain()).containsExactly("LineTooLong");
        for (int i = 0; i < 1000; i++) {
            feed("Z".repeat(10_000));
            assertThat(drain()).isEmpty();
            assertThat(f.buffered()).isLessThan(20_000); // nothing accumulates while discarding
        }
        feed("\r\nNOOP\r\n");
        assertThat(drain()).containsExactly("LineTooLong", "LINE:NOOP");
    }

    @Test
    void dataIsDotUnstuffedAndEndsOnlyAtCrlfDotCrlf() {
        feed("DATA\r\n");
        assertThat(drain()).containsExactly("LINE:DATA");
        f.startData();
        feed("Subject: x\r\n\r\n..leading dot\r\nbody\r\n.\r\nQUIT\r\n");
        assertThat(drain()).containsExactly(
                "CONTENT:Subject: x\r\n\r\n.leading dot\r\nbody\r\n", "EndOfData", "LINE:QUIT");
    }

    @Test
    void smugglingSequencesDoNotEndData() {
        f.startData();
        // CVE-2023-51764 class: <LF>.<LF>, <LF>.<CR><LF>, <CR>.<CR><LF> are not the end of data
        feed("a\n.\nMAIL FROM:<x>\r\nb\n.\r\nRCPT TO:<y>\r\nc\r.\r\nDATA\r\n");
        List<String> ev = drain();
        assertThat(ev).noneMatch(e -> e.equals("EndOfData") || e.startsWith("LINE:"));
        feed(".\r\n");
        ev = drain();
        assertThat(ev).last().isEqualTo("EndOfData");
    }

    @Test
    void endMarkerSplitAcrossPackets() {
        f.startData();
        feed("x\r\n");
        feed(".");
        feed("\r");
        List<String> ev = drain();
        assertThat(ev).containsExactly("CONTENT:x\r\n");
        feed("\nNOOP\r\n");
        assertThat(drain()).containsExactly("EndOfData", "LINE:NOOP");
    }

    @Test
    void emptyMessage() {
        f.startData();
        feed(".\r\n");
        assertThat(drain()).containsExactly("EndOfData");
    }

    @Test
    void bdatChunkIsCountedNotParsed() {
        feed("BDAT 10 LAST\r\n");
        assertThat(drain()).containsExactly("LINE:BDAT 10 LAST");
        f.startChunk(10);
        feed("a\r\n.\r\nb\nQUIT\r\n");
        assertThat(drain()).containsExactly("CONTENT:a\r\n.\r\nb\nQU", "EndOfChunk", "LINE:IT");
    }

    @Test
    void zeroChunk() {
        f.startChunk(0);
        assertThat(drain()).containsExactly("EndOfChunk");
    }

    @Test
    void discardPendingDropsPipelinedPlaintext() {
        feed("STARTTLS\r\nRSET\r\nMAIL FROM:<a@b>\r\n");
        assertThat(f.next()).isInstanceOf(InputFramer.Line.class);
        assertThat(f.discardPending()).isEqualTo("RSET\r\nMAIL FROM:<a@b>\r\n".length());
        assertThat(drain()).isEmpty();
    }
}
