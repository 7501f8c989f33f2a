// MagicSniffer: the true type of an attachment or archive entry from its first bytes (magic
// numbers), whatever its name or declared Content-Type says -- an MZ executable called report.pdf is
// application/x-dosexec. Checked against vscan_banned_types; also tells which parts are zip archives.
package org.postern.filters.mime;

import java.util.Optional;

/** Stateless; looks at most at the first {@link #HEAD_BYTES} bytes. */
public final class MagicSniffer {
    /** Bytes callers buffer for sniffing. */
    public static final int HEAD_BYTES = 4096;

    public static final String DOSEXEC = "application/x-dosexec";
    public static final String ELF = "application/x-executable";
    public static final String MACH_O = "application/x-mach-binary";
    public static final String JAVA_CLASS = "application/java-vm";
    public static final String ZIP = "application/zip";
    public static final String RAR = "application/x-rar-compressed";
    public static final String SEVEN_ZIP = "application/x-7z-compressed";
    public static final String GZIP = "application/gzip";
    public static final String BZIP2 = "application/x-bzip2";
    public static final String XZ = "application/x-xz";
    public static final String CAB = "application/vnd.ms-cab-compressed";
    public static final String PDF = "application/pdf";
    public static final String OLE2 = "application/x-ole-storage";
    public static final String RTF = "application/rtf";
    public static final String CHM = "application/vnd.ms-htmlhelp";
    public static final String LNK = "application/x-ms-shortcut";
    public static final String SHELL = "text/x-shellscript";
    public static final String PNG = "image/png";
    public static final String JPEG = "image/jpeg";
    public static final String GIF = "image/gif";

    private MagicSniffer() {}

    /** The type the first {@code length} bytes of {@code head} show, or empty when none is known. */
    public static Optional<String> sniff(byte[] head, int length) {
        int n = Math.min(length, head.length);
        if (n < 2) return Optional.empty();
        if (isDosExecutable(head, n)) return Optional.of(DOSEXEC);
        if (starts(head, n, 0x7f, 'E', 'L', 'F')) return Optional.of(ELF);
        if (starts(head, n, 0xfe, 0xed, 0xfa, 0xce) || starts(head, n, 0xfe, 0xed, 0xfa, 0xcf)
                || starts(head, n, 0xce, 0xfa, 0xed, 0xfe) || starts(head, n, 0xcf, 0xfa, 0xed, 0xfe)) {
            return Optional.of(MACH_O);
        }
        if (starts(head, n, 0xca, 0xfe, 0xba, 0xbe) && n >= 8) {
            // Fat Mach-O counts architectures here (a few); a Java class has its version (45 and up).
            long v = ((head[4] & 0xffL) << 24) | ((head[5] & 0xff) << 16) | ((head[6] & 0xff) << 8) | (head[7] & 0xff);
            return Optional.of(v < 45 ? MACH_O : JAVA_CLASS);
        }
        if (starts(head, n, 'P', 'K', 3, 4) || starts(head, n, 'P', 'K', 5, 6) || starts(head, n, 'P', 'K', 7, 8)) {
            return Optional.of(ZIP);
        }
        if (starts(head, n, 'R', 'a', 'r', '!', 0x1a, 0x07)) return Optional.of(RAR);
        if (starts(head, n, '7', 'z', 0xbc, 0xaf, 0x27, 0x1c)) return Optional.of(SEVEN_ZIP);
        if (starts(head, n, 0x1f, 0x8b)) return Optional.of(GZIP);
        if (starts(head, n, 'B', 'Z', 'h')) return Optional.of(BZIP2);
        if (starts(head, n, 0xfd, '7', 'z', 'X', 'Z', 0)) return Optional.of(XZ);
        if (starts(head, n, 'M', 'S', 'C', 'F', 0, 0, 0, 0)) return Optional.of(CAB);
        if (starts(head, n, '%', 'P', 'D', 'F', '-')) return Optional.of(PDF);
        if (starts(head, n, 0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1)) return Optional.of(OLE2);
        if (starts(head, n, '{', '\\', 'r', 't', 'f')) return Optional.of(RTF);
        if (starts(head, n, 'I', 'T', 'S', 'F')) return Optional.of(CHM);
        if (starts(head, n, 'L', 0, 0, 0, 1, 0x14, 2, 0)) return Optional.of(LNK);
        if (starts(head, n, 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n')) return Optional.of(PNG);
        if (starts(head, n, 0xff, 0xd8, 0xff)) return Optional.of(JPEG);
        if (starts(head, n, 'G', 'I', 'F', '8')) return Optional.of(GIF);
        if (starts(head, n, '#', '!') && n > 2 && (head[2] == '/' || head[2] == ' ')) return Optional.of(SHELL);
        return Optional.empty();
    }

    /** Archives whose entry names are read (zip and its descendants: jar, docx, ...). */
    public static boolean isZip(String type) {
        return ZIP.equals(type);
    }

    /** Archive formats recognised but not opened (only the attachment's own name is checked). */
    public static boolean isOtherArchive(String type) {
        return RAR.equals(type) || SEVEN_ZIP.equals(type) || GZIP.equals(type) || BZIP2.equals(type)
                || XZ.equals(type) || CAB.equals(type);
    }

    /**
     * "MZ" followed by a binary DOS header. Plain text that happens to start with "MZ" has no
     * control bytes in its first 64 bytes; every real DOS/PE header has zero bytes there.
     */
    private static boolean isDosExecutable(byte[] h, int n) {
        if (!starts(h, n, 'M', 'Z')) return false;
        for (int i = 2; i < Math.min(n, 64); i++) {
            int b = h[i] & 0xff;
            if (b < 0x09 || (b > 0x0d && b < 0x20) || b == 0x7f) return true;
        }
        return false;
    }

    private static boolean starts(byte[] h, int n, int... magic) {
        if (n < magic.length) return false;
        for (int i = 0; i < magic.length; i++) {
            if ((h[i] & 0xff) != magic[i]) return false;
        }
        return true;
    }
}
