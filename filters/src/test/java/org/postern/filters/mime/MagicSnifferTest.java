// MagicSnifferTest: the true-type sniffing behind vscan_banned_types -- executables (DOS/PE, ELF,
// Mach-O), archives, documents -- and that text which merely starts like one is not taken for it.
package org.postern.filters.mime;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class MagicSnifferTest {

    private static Optional<String> sniff(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) b[i] = (byte) bytes[i];
        return MagicSniffer.sniff(b, b.length);
    }

    private static Optional<String> sniff(String text) {
        byte[] b = text.getBytes(US_ASCII);
        return MagicSniffer.sniff(b, b.length);
    }

    @Test
    void dosAndPeExecutables() {
        byte[] exe = MimeFixtures.exe();
        assertThat(MagicSniffer.sniff(exe, exe.length)).contains(MagicSniffer.DOSEXEC);
        assertThat(sniff('M', 'Z', 0x90, 0x00, 0x03)).contains(MagicSniffer.DOSEXEC);
    }

    @Test
    void textStartingWithMzIsNotAnExecutable() {
        assertThat(sniff("MZ is how the mail starts, plain text after it.\r\nSecond line.\r\n")).isEmpty();
        assertThat(sniff("MZ")).isEmpty();
    }

    @Test
    void otherExecutables() {
        assertThat(sniff(0x7f, 'E', 'L', 'F', 2, 1, 1)).contains(MagicSniffer.ELF);
        assertThat(sniff(0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1)).contains(MagicSniffer.MACH_O);
        assertThat(sniff(0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2)).contains(MagicSniffer.MACH_O);
        assertThat(sniff(0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 61)).contains(MagicSniffer.JAVA_CLASS);
        assertThat(sniff("#!/bin/sh\necho hi\n")).contains(MagicSniffer.SHELL);
        assertThat(sniff('L', 0, 0, 0, 1, 0x14, 2, 0, 0)).contains(MagicSniffer.LNK);
    }

    @Test
    void archives() {
        assertThat(sniff('P', 'K', 3, 4, 20, 0)).contains(MagicSniffer.ZIP);
        assertThat(sniff('P', 'K', 5, 6, 0, 0)).contains(MagicSniffer.ZIP);
        assertThat(sniff('R', 'a', 'r', '!', 0x1a, 0x07, 0x00)).contains(MagicSniffer.RAR);
        assertThat(sniff('7', 'z', 0xbc, 0xaf, 0x27, 0x1c, 0, 4)).contains(MagicSniffer.SEVEN_ZIP);
        assertThat(sniff(0x1f, 0x8b, 8, 0)).contains(MagicSniffer.GZIP);
        assertThat(sniff('M', 'S', 'C', 'F', 0, 0, 0, 0, 1)).contains(MagicSniffer.CAB);
        assertThat(MagicSniffer.isZip(MagicSniffer.ZIP)).isTrue();
        assertThat(MagicSniffer.isOtherArchive(MagicSniffer.RAR)).isTrue();
        assertThat(MagicSniffer.isOtherArchive(MagicSniffer.ZIP)).isFalse();
    }

    @Test
    void documentsAndImages() {
        assertThat(sniff("%PDF-1.7\n")).contains(MagicSniffer.PDF);
        assertThat(sniff(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0)).contains(MagicSniffer.OLE2);
        assertThat(sniff("{\\rtf1\\ansi")).contains(MagicSniffer.RTF);
        assertThat(sniff(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n')).contains(MagicSniffer.PNG);
        assertThat(sniff(0xff, 0xd8, 0xff, 0xe0)).contains(MagicSniffer.JPEG);
    }

    @Test
    void unknownShortAndLengthBeyondTheArray() {
        assertThat(sniff("Hello, world")).isEmpty();
        assertThat(sniff('P')).isEmpty();
        assertThat(MagicSniffer.sniff(new byte[0], 0)).isEmpty();
        assertThat(MagicSniffer.sniff(new byte[] {'P', 'K', 3, 4}, 2)).isEmpty();
        assertThat(MagicSniffer.sniff(new byte[] {'P', 'K'}, 100)).isEmpty();
    }
}
