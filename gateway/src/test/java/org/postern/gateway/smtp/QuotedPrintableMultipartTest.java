// QuotedPrintableMultipartTest: QuotedPrintableDowngrade on multipart messages (nested mixed/alternative,
// base64 attachment, embedded message/rfc822, preamble/epilogue) in random chunkings; the output is checked
// to be 7-bit and, decoded by Python's email package, to carry exactly the original part payloads.
package org.postern.gateway.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuotedPrintableMultipartTest {
    @TempDir
    Path dir;

    /** Prints "parts=N" and "same" when both messages hold the same leaf payloads (line ends of QP parts as LF). */
    private static final String COMPARE = String.join("\n",
            "import email, sys",
            "def leaves(path):",
            "    m = email.message_from_bytes(open(path, 'rb').read())",
            "    return [p for p in m.walk() if not p.is_multipart()]",
            "a, b = leaves(sys.argv[1]), leaves(sys.argv[2])",
            "print('parts=%d' % len(a))",
            "ok = len(a) == len(b)",
            "for x, y in zip(a, b):",
            "    dx, dy = x.get_payload(decode=True), y.get_payload(decode=True)",
            "    if (y.get('Content-Transfer-Encoding') or '').lower() == 'quoted-printable':",
            "        dx, dy = dx.replace(b'\\r\\n', b'\\n'), dy.replace(b'\\r\\n', b'\\n')",
            "    if dx != dy or x.get_content_type() != y.get_content_type():",
            "        ok = False",
            "        print('DIFF', x.get_content_type(), repr(dx), repr(dy))",
            "print('same' if ok else 'different')",
            "");

    static final byte[] ATTACHMENT = new byte[700];

    static {
        new Random(7).nextBytes(ATTACHMENT);
    }

    static String message(String text, String html, String embedded) {
        String b64 = Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(ATTACHMENT);
        return "From: a@example.test\r\nTo: b@example.test\r\nSubject: test\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed;\r\n boundary=\"outer=_1\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "This is a multi-part message in MIME format.\r\n"
                + "--outer=_1\r\n"
                + "Content-Type: multipart/alternative; boundary=inner\r\n\r\n"
                + "--inner\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + text + "\r\n"
                + "--inner\r\n"
                + "Content-Type: text/html; charset=utf-8\r\n\r\n"
                + html + "\r\n"
                + "--inner--\r\n"
                + "--outer=_1 \r\n"
                + "Content-Type: application/octet-stream; name=a.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + b64 + "\r\n"
                + "--outer=_1\r\n"
                + "Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
                + "plain ascii = seven bit\r\n"
                + "--outer=_1\r\n"
                + "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "From: c@example.test\r\nSubject: fwd\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + embedded + "\r\n"
                + "--outer=_1--\r\n"
                + "epilogue\r\n";
    }

    static final String TEXT = "Grüße aus Köln = 100% \r\n--inner-not-a-boundary\r\n.dot\tend\t\r\n" + "ä".repeat(50)
            + "\r\n" + "x".repeat(120) + "\r\n\r\nlast line";
    static final String HTML = "<p>Ça va? — ünïcödé</p>\r\n--outer=_1x";
    static final String EMBEDDED = "Eingebettet: ÄÖÜ ß\r\nzweite Zeile";

    static byte[] run(byte[] in, Random chunks) {
        QuotedPrintableDowngrade q = new QuotedPrintableDowngrade(ContentEncoder.IDENTITY);
        Buffer out = Buffer.buffer();
        for (int i = 0; i < in.length; ) {
            int n = chunks == null ? in.length - i : Math.min(1 + chunks.nextInt(40), in.length - i);
            out.appendBuffer(q.encode(in, i, n));
            i += n;
        }
        return out.appendBuffer(q.finish()).getBytes();
    }

    private String pythonCompare(byte[] original, byte[] converted) throws IOException, InterruptedException {
        Path a = Files.write(dir.resolve("a.eml"), original);
        Path b = Files.write(dir.resolve("b.eml"), converted);
        Path script = Files.writeString(dir.resolve("compare.py"), COMPARE);
        Process p = new ProcessBuilder("python3", script.toString(), a.toString(), b.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static boolean sevenBit(byte[] b) {
        for (byte x : b) if (x < 0) return false;
        return true;
    }

    @Test
    void nestedMultipartBecomesSevenBitAndDecodesToTheOriginalPayloads() throws Exception {
        byte[] in = message(TEXT, HTML, EMBEDDED).getBytes(StandardCharsets.UTF_8);
        assertThat(sevenBit(in)).isFalse();
        byte[] out = run(in, null);
        String s = new String(out, StandardCharsets.US_ASCII);
        assertThat(sevenBit(out)).as(s).isTrue();
        assertThat(pythonCompare(in, out)).isEqualTo("parts=5\nsame\n");
        for (String line : s.split("\r\n")) assertThat(line.length()).isLessThanOrEqualTo(78);
        // top level and message/rfc822 relabelled 7bit; the two 8-bit text parts and the embedded body encoded
        assertThat(s).doesNotContain("8bit").contains("boundary=\"outer=_1\"\r\nContent-Transfer-Encoding: 7bit\r\n\r\n")
                .contains("Content-Type: message/rfc822\r\nContent-Transfer-Encoding: 7bit\r\n\r\nFrom: c@example.test")
                .contains("Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p>=C3=87a va?")
                .contains("\r\nEingebettet: =C3=84=C3=96=C3=9C =C3=9F\r\nzweite Zeile\r\n--outer=_1--\r\nepilogue\r\n")
                .contains("Gr=C3=BC=C3=9Fe aus K=C3=B6ln =3D 100%=20\r\n--inner-not-a-boundary\r\n.dot\tend=09\r\n")
                .contains("=C3=A4=C3=A4=\r\n")
                .contains("Content-Transfer-Encoding: 7bit\r\n\r\nplain ascii = seven bit\r\n--outer=_1\r\n")
                .contains("--outer=_1 \r\n");
        // the base64 attachment passes byte for byte
        String b64 = Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(ATTACHMENT);
        assertThat(s).contains("Content-Transfer-Encoding: base64\r\n\r\n" + b64 + "\r\n--outer=_1\r\n");
    }

    @Test
    void chunkingDoesNotMatter() {
        byte[] in = message(TEXT, HTML, EMBEDDED).getBytes(StandardCharsets.UTF_8);
        byte[] whole = run(in, null);
        for (int seed = 0; seed < 30; seed++) assertThat(run(in, new Random(seed))).as("seed " + seed).isEqualTo(whole);
    }

    @Test
    void eightBitDeclaredPartsWithoutEightBitDataStayValid() throws Exception {
        byte[] in = message("only ascii here\r\nline two", "<p>ascii</p>", "embedded ascii").getBytes(StandardCharsets.UTF_8);
        assertThat(sevenBit(in)).isTrue();
        byte[] out = run(in, new Random(42));
        assertThat(sevenBit(out)).isTrue();
        assertThat(pythonCompare(in, out)).isEqualTo("parts=5\nsame\n");
        assertThat(new String(out, StandardCharsets.US_ASCII)).contains("Content-Transfer-Encoding: quoted-printable\r\n\r\nonly ascii here\r\n");
    }

    @Test
    void preambleAndEpilogueWithEightBitPassUnchangedAsPostfixDoes() {
        String in = "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\nPräambel\r\n--b\r\n\r\nü\r\n--b--\r\nÉpilogue\r\n";
        String out = new String(run(in.getBytes(StandardCharsets.UTF_8), new Random(1)), StandardCharsets.UTF_8);
        assertThat(out).isEqualTo("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\nPräambel\r\n--b\r\n"
                + "Content-Transfer-Encoding: quoted-printable\r\n\r\n=C3=BC\r\n--b--\r\nÉpilogue\r\n");
    }

    @Test
    void partHeaderCutShortByABoundaryAndAnUnterminatedPart() {
        String in = "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n"
                + "--b\r\nContent-Type: text/plain\r\n\r\nö";
        String out = new String(run(in.getBytes(StandardCharsets.UTF_8), new Random(3)), StandardCharsets.UTF_8);
        assertThat(out).isEqualTo("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n"
                + "--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=C3=B6");
    }

    @Test
    void multipartWithEightBitTopHeaderPassesUnchanged() {
        String in = "MIME-Version: 1.0\r\nSubject: Grüße\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nü\r\n--b--\r\n";
        assertThat(run(in.getBytes(StandardCharsets.UTF_8), new Random(5))).isEqualTo(in.getBytes(StandardCharsets.UTF_8));
    }
}
