// HeaderRewriterStreamTest: the streaming form of the header rewrite that content-filter copies are sent
// with gives the same bytes, and the same length, as the copy written to active/ after the queue.
package org.postern.gateway.vscan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postern.filters.HeaderEdit;

class HeaderRewriterStreamTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void sameAsCopy(HeaderRewriter r, byte[] message) throws Exception {
        ByteArrayOutputStream copied = new ByteArrayOutputStream();
        r.copy(new ByteArrayInputStream(message), copied);
        byte[] streamed;
        try (InputStream in = r.open(new ByteArrayInputStream(message))) {
            streamed = in.readAllBytes();
        }
        assertThat(streamed).isEqualTo(copied.toByteArray());
        assertThat(r.length(new ByteArrayInputStream(message), message.length)).isEqualTo(streamed.length);
    }

    @Test
    void taggedCopyStreamsLikeTheWrittenOne() throws Exception {
        HeaderRewriter r = new HeaderRewriter(List.of(HeaderEdit.remove("X-Spam-Flag"), HeaderEdit.add("X-Spam-Flag", "YES")),
                "[SPAM] ");
        sameAsCopy(r, bytes("Received: from x\r\n\tby y\r\nX-Spam-Flag: NO\r\nSubject: hi\r\n\r\nbody line\r\n.dot\r\n"));
    }

    @Test
    void messageWithoutBodyOrSubject() throws Exception {
        HeaderRewriter r = new HeaderRewriter(List.of(HeaderEdit.add("X-Spam-Flag", "YES")), "[SPAM] ");
        sameAsCopy(r, bytes("From: a@b\r\n"));
        sameAsCopy(r, bytes("From: a@b\r\n\r\n"));
    }

    @Test
    void unchangedHeaderKeepsTheLength() throws Exception {
        byte[] m = bytes("From: a@b\r\nSubject: s\r\n\r\n" + "x".repeat(100_000) + "\r\n");
        HeaderRewriter r = new HeaderRewriter(List.of(), null);
        assertThat(r.length(new ByteArrayInputStream(m), m.length)).isEqualTo(m.length);
        sameAsCopy(r, m);
    }
}
