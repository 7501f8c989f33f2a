// DotStufferTest: the DATA encoder -- leading dots doubled (also across chunk boundaries), a line that is
// just ".", the terminating CRLF.CRLF with and without a final CRLF, bare LF normalised, bare CR kept.
package org.postern.gateway.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DotStufferTest {
    /** Encodes {@code content} in chunks of {@code chunk} bytes and finishes. */
    static String stuff(String content, int chunk) {
        byte[] b = content.getBytes(StandardCharsets.ISO_8859_1);
        DotStuffer d = new DotStuffer();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < b.length; i += chunk) {
            out.append(d.encode(b, i, Math.min(chunk, b.length - i)).toString(StandardCharsets.ISO_8859_1));
        }
        return out.append(d.finish().toString(StandardCharsets.ISO_8859_1)).toString();
    }

    @Test
    void leadingDotsAreDoubledAndTheEndIsMarked() {
        String in = ".hidden\r\nmiddle . dot\r\n..two\r\n";
        assertThat(stuff(in, 1000)).isEqualTo("..hidden\r\nmiddle . dot\r\n...two\r\n.\r\n");
    }

    @Test
    void aLineThatIsJustADotCannotEndTheMessage() {
        assertThat(stuff("a\r\n.\r\nb\r\n", 1000)).isEqualTo("a\r\n..\r\nb\r\n.\r\n");
        assertThat(stuff(".\r\n", 1000)).isEqualTo("..\r\n.\r\n");
    }

    @Test
    void finalLineWithoutCrlfGetsOne() {
        assertThat(stuff("Subject: x\r\n\r\nlast line", 1000)).isEqualTo("Subject: x\r\n\r\nlast line\r\n.\r\n");
        assertThat(stuff("ends in dot\r\n.", 1000)).isEqualTo("ends in dot\r\n..\r\n.\r\n");
        assertThat(stuff("", 1000)).isEqualTo(".\r\n");
    }

    @Test
    void sameOutputWhateverTheChunking() {
        String in = ".a\r\n.\r\n..\r\nx.\r\n.\r\n.";
        String whole = stuff(in, 1000);
        for (int chunk = 1; chunk <= in.length(); chunk++) {
            assertThat(stuff(in, chunk)).as("chunk " + chunk).isEqualTo(whole);
        }
    }

    @Test
    void bareLineFeedBecomesCrlfAndIsALineStart() {
        // A bare LF would let a peer that takes it as a line end see "\n.\r\n" as end of data (smuggling).
        assertThat(stuff("a\n.\r\nb\n", 1)).isEqualTo("a\r\n..\r\nb\r\n.\r\n");
    }

    @Test
    void bareCarriageReturnIsDataNotALineEnd() {
        assertThat(stuff("a\r.b\r\n", 1000)).isEqualTo("a\r.b\r\n.\r\n");
    }
}
