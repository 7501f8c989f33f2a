// Mails: sample RFC 5322 messages for tests (plain 7-bit, 8-bit UTF-8, long header, leading dots,
// a big one streamed without being held in memory) and DATA framing (dot-stuffing, terminator).
// Test support only; exercises message_size_limit, header_size_limit, 8BITMIME handling.
package org.postern.testkit;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** All messages use CRLF line ends and end with CRLF; none contains the DATA terminator. */
public final class Mails {
    public static final String DEFAULT_FROM = "sender@sender.test";
    public static final String DEFAULT_TO = "user@example.test";

    private Mails() {}

    /** A short US-ASCII text message. */
    public static byte[] plain7bit() {
        return plain7bit(DEFAULT_FROM, DEFAULT_TO);
    }

    public static byte[] plain7bit(String from, String to) {
        return crlf("From: Sender <" + from + ">\n"
                + "To: <" + to + ">\n"
                + "Subject: plain 7-bit test message\n"
                + "Date: Sat, 21 Nov 2026 12:00:00 +0000\n"
                + "Message-ID: <plain7bit@sender.test>\n"
                + "MIME-Version: 1.0\n"
                + "Content-Type: text/plain; charset=us-ascii\n"
                + "\n"
                + "Hello,\n"
                + "\n"
                + "this is a plain 7-bit test message.\n");
    }

    /** UTF-8 text sent as 8BITMIME: an RFC 2047 encoded Subject, raw 8-bit UTF-8 in the body. */
    public static byte[] eightBitUtf8() {
        return crlf("From: Jörg Müller <" + DEFAULT_FROM + ">\n"
                + "To: <" + DEFAULT_TO + ">\n"
                + "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=\n"
                + "Date: Sat, 21 Nov 2026 12:00:00 +0000\n"
                + "Message-ID: <eightbit@sender.test>\n"
                + "MIME-Version: 1.0\n"
                + "Content-Type: text/plain; charset=UTF-8\n"
                + "Content-Transfer-Encoding: 8bit\n"
                + "\n"
                + "Grüße aus Köln – naïve café, 日本語, emoji 📬.\n");
    }

    /** A message with an unfolded header line {@code X-Long: xxx...} of exactly {@code lineLength} bytes (CRLF excluded). */
    public static byte[] longHeader(int lineLength) {
        String name = "X-Long: ";
        if (lineLength < name.length()) throw new IllegalArgumentException("lineLength < " + name.length());
        return crlf("From: <" + DEFAULT_FROM + ">\n"
                + "To: <" + DEFAULT_TO + ">\n"
                + "Subject: long header\n"
                + name + "x".repeat(lineLength - name.length()) + "\n"
                + "\n"
                + "The X-Long header above is " + lineLength + " bytes long.\n");
    }

    /** A message whose body has lines starting with "." (and one that is just "."): tests transparency. */
    public static byte[] withLeadingDots() {
        return crlf("From: <" + DEFAULT_FROM + ">\n"
                + "To: <" + DEFAULT_TO + ">\n"
                + "Subject: leading dots\n"
                + "\n"
                + ".starts with a dot\n"
                + ".\n"
                + "..two dots\n"
                + "end\n");
    }

    /**
     * A text message of exactly {@code totalBytes} bytes, generated on the fly: headers, then lines of
     * 78 characters + CRLF ("000001 ABCD..."), the last line shortened to fit. At least 400 bytes.
     */
    public static InputStream big(long totalBytes) {
        byte[] head = crlf("From: <" + DEFAULT_FROM + ">\n"
                + "To: <" + DEFAULT_TO + ">\n"
                + "Subject: big message of " + totalBytes + " bytes\n"
                + "Message-ID: <big-" + totalBytes + "@sender.test>\n"
                + "MIME-Version: 1.0\n"
                + "Content-Type: text/plain; charset=us-ascii\n"
                + "\n");
        if (totalBytes < head.length + 200) throw new IllegalArgumentException("big message must be >= " + (head.length + 200) + " bytes");
        return new BigMessageStream(head, totalBytes);
    }

    /**
     * The bytes to send after a 354: {@code message} dot-stuffed (a "." is added before every line that
     * starts with "."), a CRLF appended if it does not end with one, then ".\r\n".
     */
    public static byte[] dataSection(byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + 16);
        boolean lineStart = true;
        for (byte b : message) {
            if (lineStart && b == '.') out.write('.');
            out.write(b);
            lineStart = b == '\n';
        }
        int n = message.length;
        if (n < 2 || message[n - 2] != '\r' || message[n - 1] != '\n') out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(".\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** UTF-8 bytes of {@code text} with every LF turned into CRLF. */
    public static byte[] crlf(String text) {
        return text.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Lines of 78 characters + CRLF after a fixed header block; exact total size. */
    private static final class BigMessageStream extends InputStream {
        private static final int LINE = 80;
        private final byte[] head;
        private final long total;
        private long pos;
        private final byte[] line = new byte[LINE];
        private long lineNo = -1;

        BigMessageStream(byte[] head, long total) {
            this.head = head;
            this.total = total;
        }

        @Override
        public int read() {
            if (pos >= total) return -1;
            int b = byteAt(pos);
            pos++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= total) return -1;
            int n = (int) Math.min(len, total - pos);
            for (int i = 0; i < n; i++) b[off + i] = (byte) byteAt(pos++);
            return n;
        }

        private int byteAt(long p) {
            if (p < head.length) return head[(int) p] & 0xff;
            long bodyPos = p - head.length;
            long bodyLen = total - head.length;
            // every line is LINE bytes; the last one is shorter, or LINE + 1 when only 1 byte would be left
            long lastStart = bodyLen % LINE == 1 ? (bodyLen / LINE - 1) * LINE : bodyLen / LINE * LINE;
            long no = Math.min(bodyPos, lastStart) / LINE;
            int col = (int) (bodyPos - no * LINE);
            int thisLen = bodyPos >= lastStart ? (int) (bodyLen - lastStart) : LINE;
            if (col >= thisLen - 2) return col == thisLen - 2 ? '\r' : '\n';
            if (no != lineNo) fillLine(no);
            return line[col] & 0xff;
        }

        private void fillLine(long no) {
            String num = String.format("%08d ", no + 1);
            for (int i = 0; i < LINE; i++) {
                line[i] = i < num.length() ? (byte) num.charAt(i) : (byte) ('A' + (int) ((i + no) % 26));
            }
            lineNo = no;
        }
    }
}
