// QuotedPrintableDowngradeTest: 8-bit single-part text to quoted-printable for a peer without 8BITMIME:
// header rewritten, body encoded (=XX, trailing blanks, soft breaks at 76, dots still stuffed), chunking independent;
// untouched: base64 and 7bit parts, 8-bit header, no MIME-Version. Multipart: QuotedPrintableMultipartTest.
package org.postern.gateway.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class QuotedPrintableDowngradeTest {
    static String run(String content, int chunk) {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        QuotedPrintableDowngrade q = new QuotedPrintableDowngrade(new DotStuffer());
        io.vertx.core.buffer.Buffer out = io.vertx.core.buffer.Buffer.buffer();
        for (int i = 0; i < b.length; i += chunk) out.appendBuffer(q.encode(b, i, Math.min(chunk, b.length - i)));
        return out.appendBuffer(q.finish()).toString(StandardCharsets.UTF_8);
    }

    static final String HEADER = "From: a@example.test\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\nSubject: x\r\n\r\n";

    @Test
    void eightBitTextBecomesQuotedPrintable() {
        String out = run(HEADER + "Grüße = 100%\r\n.dot first \r\nend\t", 1000);
        assertThat(out).isEqualTo("From: a@example.test\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Subject: x\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                + "Gr=C3=BC=C3=9Fe =3D 100%\r\n..dot first=20\r\nend=09\r\n.\r\n");
        assertThat(out.chars().allMatch(c -> c < 128)).isTrue();
    }

    @Test
    void longLinesGetSoftBreaksAndChunkingDoesNotMatter() {
        String body = "ä".repeat(60) + "\r\n" + "x".repeat(200) + "\r\n";
        String whole = run(HEADER + body, 100_000);
        for (String line : whole.split("\r\n")) assertThat(line.length()).isLessThanOrEqualTo(76);
        for (int chunk : new int[] {1, 2, 3, 7, 64}) assertThat(run(HEADER + body, chunk)).isEqualTo(whole);
        String decoded = whole.substring(whole.indexOf("\r\n\r\n") + 4).replace("=\r\n", "");
        assertThat(decoded).startsWith("=C3=A4=C3=A4").contains("x".repeat(200) + "\r\n");
    }

    @Test
    void foldedEncodingHeaderIsReplacedWhole() {
        String in = "MIME-Version: 1.0\r\nContent-Transfer-Encoding:\r\n 8bit\r\nX: y\r\n\r\nü\r\n";
        assertThat(run(in, 5)).isEqualTo("MIME-Version: 1.0\r\nX: y\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=C3=BC\r\n.\r\n");
    }

    @Test
    void whatCannotBeConvertedSimplyPassesUnchanged() {
        String multipart = "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\nAAAA\r\n--b--\r\n";
        assertThat(run(multipart, 7)).isEqualTo(multipart + ".\r\n");
        String seven = "MIME-Version: 1.0\r\nContent-Transfer-Encoding: 7bit\r\n\r\nplain\r\n";
        assertThat(run(seven, 4)).isEqualTo(seven + ".\r\n");
        String utf8Header = "MIME-Version: 1.0\r\nSubject: Grüße\r\n\r\nü\r\n";
        assertThat(run(utf8Header, 3)).isEqualTo(utf8Header + ".\r\n");
        String noMime = "Subject: x\r\n\r\nü\r\n";
        assertThat(run(noMime, 1000)).isEqualTo(noMime + ".\r\n");
        String base64 = "MIME-Version: 1.0\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n";
        assertThat(run(base64, 1000)).isEqualTo(base64 + ".\r\n");
        String headerOnly = "MIME-Version: 1.0\r\nSubject: x\r\n";
        assertThat(run(headerOnly, 1000)).isEqualTo(headerOnly + ".\r\n");
    }
}
