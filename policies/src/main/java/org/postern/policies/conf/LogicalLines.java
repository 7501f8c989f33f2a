// LogicalLines: joins main.cf/master.cf physical lines into logical lines as Postfix's readlline()
// does: blank and #-comment lines are skipped (also between continuation lines), a line starting
// with whitespace continues the previous one, and each logical line keeps its first line number.
package org.postern.policies.conf;

import java.util.ArrayList;
import java.util.List;
import org.postern.core.Origin;

/** Logical-line reader shared by the main.cf and master.cf parsers. */
final class LogicalLines {
    private LogicalLines() {}

    /** One logical line: the physical lines concatenated (newlines removed), and where it starts. */
    record Line(int number, String text) {}

    /**
     * Splits {@code content} into logical lines. Continuation text with nothing to continue (at the
     * start of the file) is an error at its line, and is dropped.
     */
    static List<Line> read(String content, String file, List<Diagnostic> sink) {
        List<Line> out = new ArrayList<>();
        String[] physical = content.split("\n", -1);
        StringBuilder current = null;
        int currentNumber = 0;
        boolean orphan = false;
        for (int i = 0; i < physical.length; i++) {
            String line = physical[i];
            if (line.endsWith("\r")) line = line.substring(0, line.length() - 1); // CRLF files: no CR inside values
            int first = 0;
            while (first < line.length() && isSpace(line.charAt(first))) first++;
            if (first == line.length() || line.charAt(first) == '#') continue;
            if (first > 0) {
                if (current != null) {
                    current.append(line);
                } else if (!orphan) {
                    orphan = true;
                    String shown = line.length() > 30 ? line.substring(0, 30) + "..." : line;
                    sink.add(Diagnostic.error(new Origin(file, i + 1),
                            "logical line must not start with whitespace: \"" + shown + "\""));
                }
                continue;
            }
            if (current != null) out.add(new Line(currentNumber, current.toString()));
            current = new StringBuilder(line);
            currentNumber = i + 1;
            orphan = false;
        }
        if (current != null) out.add(new Line(currentNumber, current.toString()));
        return out;
    }

    /** Postfix's ISSPACE: blank, tab, CR, LF, VT, FF. */
    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0x0b || c == '\f';
    }

    static String trim(String s) {
        int b = 0;
        int e = s.length();
        while (b < e && isSpace(s.charAt(b))) b++;
        while (e > b && isSpace(s.charAt(e - 1))) e--;
        return s.substring(b, e);
    }
}
