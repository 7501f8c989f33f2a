// TableSource: the logical lines of a lookup-table source file, read as Postfix's readlline()
// does (blank and #-comment lines skipped, a line starting with whitespace continues the previous
// one), each with the file:line where it starts; also the {rule} lines of an inline regexp:{...}.
package org.postern.policies.table;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.postern.core.Origin;
import org.postern.policies.conf.Diagnostic;

/** Logical-line reader for table sources (postmap(1) input, regexp/pcre/cidr tables). */
final class TableSource {
    private TableSource() {}

    /** One logical line: its text (physical lines joined, newlines removed) and where it starts. */
    record Line(Origin origin, String text) {}

    /**
     * Reads {@code file} (UTF-8). Blocking. Errors (non-UTF-8 input, continuation text with nothing
     * to continue) go to {@code sink} at their file:line.
     */
    static List<Line> read(Path file, List<Diagnostic> sink) throws IOException {
        return lines(Files.readAllBytes(file), file.toString(), sink);
    }

    /** Splits {@code content} into logical lines; {@code file} names them in Origins. */
    static List<Line> lines(byte[] content, String file, List<Diagnostic> sink) {
        List<Line> out = new ArrayList<>();
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        StringBuilder current = null;
        int currentLine = 0;
        boolean orphanReported = false;
        int start = 0;
        for (int number = 1; start < content.length; number++) {
            int end = start;
            while (end < content.length && content[end] != '\n') end++;
            String line;
            try {
                line = utf8.decode(ByteBuffer.wrap(content, start, end - start)).toString();
            } catch (CharacterCodingException e) {
                sink.add(Diagnostic.error(new Origin(file, number), "non-UTF-8 input: save the file as UTF-8"));
                line = "#";
            }
            start = end + 1;
            if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
            int first = 0;
            while (first < line.length() && isSpace(line.charAt(first))) first++;
            if (first == line.length() || line.charAt(first) == '#') continue;
            if (first > 0) {
                if (current != null) {
                    current.append(line);
                } else if (!orphanReported) {
                    orphanReported = true;
                    sink.add(Diagnostic.error(new Origin(file, number),
                            "logical line must not start with whitespace: \"" + abbreviate(line) + "\""));
                }
                continue;
            }
            if (current != null) out.add(new Line(new Origin(file, currentLine), current.toString()));
            current = new StringBuilder(line);
            currentLine = number;
        }
        if (current != null) out.add(new Line(new Origin(file, currentLine), current.toString()));
        return out;
    }

    /**
     * The rules of an inline pattern table, {@code { {rule-1}, {rule-2} }} (Postfix 3.7
     * dict_stream): each {rule} becomes one line, all with the main.cf origin that named the table.
     *
     * @throws IllegalArgumentException naming the offending text
     */
    static List<Line> inlineRules(String braced, Origin origin) {
        String inside = BraceSyntax.strip(braced);
        List<Line> out = new ArrayList<>();
        for (String token : BraceSyntax.tokens(inside)) {
            String rule = BraceSyntax.strip(token);
            if (!rule.isEmpty()) out.add(new Line(origin, rule));
        }
        return out;
    }

    /** Postfix's ISSPACE: blank, tab, CR, LF, VT, FF. */
    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0x0b || c == '\f';
    }

    /** Postfix's ISALNUM (ASCII letters and digits). */
    static boolean isAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    /** Index of the first non-space character at or after {@code i}. */
    static int skipSpace(String s, int i) {
        while (i < s.length() && isSpace(s.charAt(i))) i++;
        return i;
    }

    /** {@code s} without trailing whitespace (Postfix trimblanks). */
    static String trimEnd(String s) {
        int e = s.length();
        while (e > 0 && isSpace(s.charAt(e - 1))) e--;
        return s.substring(0, e);
    }

    static String abbreviate(String s) {
        return s.length() > 30 ? s.substring(0, 30) + "..." : s;
    }
}
