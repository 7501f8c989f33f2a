// FileNames: an attachment or archive entry name as the desktop that opens it sees it -- the base
// name, trailing dots and spaces dropped as Windows does, and the LAST extension (invoice.pdf.exe is
// an .exe). Used by NameRules for vscan_banned_extensions and the vscan_banned_file_maps lookup key.
package org.postern.filters.mime;

import java.util.Locale;
import java.util.Optional;

final class FileNames {
    private static final String NTFS_DATA_STREAM = "::$data";

    private FileNames() {}

    /**
     * The name Windows would open: trailing dots, white space and control characters removed
     * ("a.exe." and "a.exe " are a.exe), and an NTFS "::$DATA" stream suffix dropped.
     */
    static String normalize(String name) {
        String s = name;
        for (boolean changed = true; changed; ) {
            changed = false;
            int end = s.length();
            while (end > 0 && isIgnoredAtEnd(s.charAt(end - 1))) end--;
            if (end < s.length()) {
                s = s.substring(0, end);
                changed = true;
            }
            if (s.toLowerCase(Locale.ROOT).endsWith(NTFS_DATA_STREAM)) {
                s = s.substring(0, s.length() - NTFS_DATA_STREAM.length());
                changed = true;
            }
        }
        return s;
    }

    /** The part after the last '/' or '\' (archive entries and careless senders use paths). */
    static String baseName(String name) {
        int cut = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        return name.substring(cut + 1);
    }

    /** The last extension of the normalized base name, lower case without the dot; empty when none. */
    static Optional<String> lastExtension(String name) {
        String base = baseName(normalize(name));
        int dot = base.lastIndexOf('.');
        if (dot < 0 || dot == base.length() - 1) return Optional.empty();
        return Optional.of(base.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** The name shown in a verdict: control characters (CR, LF, NUL, ...) made visible, length capped. */
    static String printable(String name) {
        StringBuilder b = new StringBuilder(Math.min(name.length(), 200));
        for (int i = 0; i < name.length() && b.length() < 200; i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                b.append(String.format("\\x%02x", (int) c & 0xff));
            } else {
                b.append(c);
            }
        }
        if (b.length() >= 200) b.append("...");
        return b.toString();
    }

    private static boolean isIgnoredAtEnd(char c) {
        return c == '.' || Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c);
    }
}
