// MailsTest: the sample messages are well-formed (CRLF, exact sizes) and DATA framing dot-stuffs.
// Unit test of testkit's Mails.
package org.postern.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MailsTest {
    @ParameterizedTest
    @ValueSource(longs = {600, 1000, 1001, 1002, 4096, 1_000_003})
    void bigMessageHasExactSizeAndOnlyCrlfLinesOfBoundedLength(long size) throws IOException {
        byte[] all;
        try (InputStream in = Mails.big(size)) {
            all = in.readAllBytes();
        }
        assertThat(all).hasSize((int) size);
        assertWellFormed(all);
        String text = new String(all, StandardCharsets.US_ASCII);
        assertThat(text).startsWith("From: <" + Mails.DEFAULT_FROM + ">\r\n").contains("\r\n\r\n00000001 ");
        for (String line : text.split("\r\n")) assertThat(line.length()).isLessThanOrEqualTo(79);
    }

    @Test
    void bigMessageReadByteByByteEqualsBulkRead() throws IOException {
        byte[] bulk = Mails.big(5000).readAllBytes();
        InputStream in = Mails.big(5000);
        byte[] single = new byte[5000];
        for (int i = 0; i < single.length; i++) single[i] = (byte) in.read();
        assertThat(in.read()).isEqualTo(-1);
        assertThat(single).isEqualTo(bulk);
    }

    @Test
    void samplesUseCrlfAndEndWithIt() {
        for (byte[] m : new byte[][] {Mails.plain7bit(), Mails.eightBitUtf8(), Mails.longHeader(2000), Mails.withLeadingDots()}) {
            assertWellFormed(m);
        }
    }

    @Test
    void plainIsSevenBitAndEightBitIsNot() {
        for (byte b : Mails.plain7bit()) assertThat(b).isNotNegative();
        byte[] eight = Mails.eightBitUtf8();
        assertThat(new String(eight, StandardCharsets.UTF_8)).contains("Grüße");
        boolean hasHighBit = false;
        for (byte b : eight) hasHighBit |= b < 0;
        assertThat(hasHighBit).isTrue();
    }

    @Test
    void longHeaderLineHasRequestedLength() {
        String text = new String(Mails.longHeader(5000), StandardCharsets.US_ASCII);
        String line = text.lines().filter(l -> l.startsWith("X-Long: ")).findFirst().orElseThrow();
        assertThat(line).hasSize(5000);
    }

    @Test
    void dataSectionDotStuffsAndTerminates() {
        byte[] framed = Mails.dataSection(Mails.withLeadingDots());
        String s = new String(framed, StandardCharsets.US_ASCII);
        assertThat(s).contains("\r\n..starts with a dot\r\n..\r\n...two dots\r\nend\r\n.\r\n").endsWith("end\r\n.\r\n");
        assertThat(new String(Mails.dataSection("x".getBytes(StandardCharsets.US_ASCII)), StandardCharsets.US_ASCII))
                .isEqualTo("x\r\n.\r\n");
        assertThat(new String(Mails.dataSection(".a\r\n".getBytes(StandardCharsets.US_ASCII)), StandardCharsets.US_ASCII))
                .isEqualTo("..a\r\n.\r\n");
    }

    private static void assertWellFormed(byte[] m) {
        assertThat(m[m.length - 2]).isEqualTo((byte) '\r');
        assertThat(m[m.length - 1]).isEqualTo((byte) '\n');
        for (int i = 0; i < m.length; i++) {
            if (m[i] == '\n') assertThat(m[i - 1]).as("byte before LF at %d", i).isEqualTo((byte) '\r');
            if (m[i] == '\r') assertThat(m[i + 1]).as("byte after CR at %d", i).isEqualTo((byte) '\n');
        }
    }
}
