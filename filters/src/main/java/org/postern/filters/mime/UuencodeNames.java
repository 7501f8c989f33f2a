// UuencodeNames: file names of uuencoded attachments inside a text/plain body ("begin 644 name"
// lines, and "begin-base64"), which some mail clients still show as attachments; their names go
// through the same vscan_banned_extensions / vscan_banned_file_maps rules as MIME attachments.
package org.postern.filters.mime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

final class UuencodeNames {
    private static final Pattern BEGIN = Pattern.compile("begin(?:-base64)? [0-7]{3,4} (.+)");
    /** Only a line's start is kept: a begin line is short, other lines may be huge. */
    private static final int LINE_PREFIX = 1024;
    private static final int MAX_NAMES = 100;

    private UuencodeNames() {}

    /** The names announced by begin lines, in order, reading {@code body} to its end. */
    static List<String> find(InputStream body) throws IOException {
        List<String> names = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        byte[] buf = new byte[8192];
        for (int n; (n = body.read(buf)) > 0; ) {
            for (int i = 0; i < n; i++) {
                byte b = buf[i];
                if (b == '\n') {
                    check(line, names);
                    line.reset();
                } else if (line.size() < LINE_PREFIX) {
                    line.write(b);
                }
            }
        }
        check(line, names);
        return names;
    }

    private static void check(ByteArrayOutputStream line, List<String> names) {
        if (line.size() < 11 || names.size() >= MAX_NAMES) return;
        String s = line.toString(StandardCharsets.UTF_8);
        if (!s.startsWith("begin")) return;
        Matcher m = BEGIN.matcher(s.endsWith("\r") ? s.substring(0, s.length() - 1) : s);
        if (m.matches()) names.add(m.group(1));
    }
}
