// MainCfEditor: `postern config -e name=value` -- edits main.cf in place as `postconf -e` does:
// the last assignment of a name is replaced (with its continuation lines), a new name is appended,
// comments, blank lines and the order of everything else are kept. The write is atomic.
package org.postern.policies.conf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.postern.core.Origin;

public final class MainCfEditor {
    private MainCfEditor() {}

    /**
     * Applies the edits (name to new value) to the text of a main.cf. Each value must fit on one
     * line. Returns the new text.
     */
    public static String edit(String text, Map<String, String> edits) {
        List<String> lines = new ArrayList<>(text.isEmpty() ? List.of() : List.of(text.split("\n", -1)));
        if (text.endsWith("\n")) lines.remove(lines.size() - 1);
        for (Map.Entry<String, String> e : edits.entrySet()) {
            String name = e.getKey();
            if (e.getValue().indexOf('\n') >= 0 || e.getValue().indexOf('\r') >= 0) {
                throw new IllegalArgumentException("value of " + name + " spans lines");
            }
            String assignment = name + " = " + e.getValue();
            int at = lastAssignment(lines, name);
            if (at < 0) {
                lines.add(assignment);
                continue;
            }
            int end = at + 1; // the continuation lines of that logical line go too
            while (end < lines.size() && continues(lines.get(end))) end++;
            // comment and blank lines inside the logical line stay where they are
            List<String> kept = new ArrayList<>();
            for (int i = at + 1; i < end; i++) {
                if (isBlankOrComment(lines.get(i))) kept.add(lines.get(i));
            }
            for (int i = end - 1; i >= at; i--) lines.remove(i);
            lines.add(at, assignment);
            lines.addAll(at + 1, kept);
        }
        return String.join("\n", lines) + "\n";
    }

    /** Edits DIR/main.cf atomically (temporary file, fsync, rename); creates it if missing. Blocking. */
    public static void editFile(Path mainCf, Map<String, String> edits) throws IOException {
        String text = Files.exists(mainCf) ? Files.readString(mainCf, StandardCharsets.UTF_8) : "";
        String updated = edit(text, edits);
        Path tmp = mainCf.resolveSibling(mainCf.getFileName() + ".tmp");
        Files.writeString(tmp, updated, StandardCharsets.UTF_8);
        try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, mainCf, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Parses "name=value" as given to -e; the name must be declared or a Postfix parameter. */
    public static Map.Entry<String, String> parseEdit(String arg) throws ConfigException {
        int eq = arg.indexOf('=');
        String name = eq < 0 ? "" : arg.substring(0, eq).trim();
        if (name.isEmpty()) {
            throw new ConfigException(List.of(Diagnostic.error(new Origin("-e", 0),
                    "expected name=value, got \"" + arg + "\"")));
        }
        return Map.entry(name, arg.substring(eq + 1).trim());
    }

    private static int lastAssignment(List<String> lines, String name) {
        int found = -1;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.isEmpty() || LogicalLines.isSpace(l.charAt(0)) || l.charAt(0) == '#') continue;
            int eq = l.indexOf('=');
            if (eq > 0 && l.substring(0, eq).trim().equals(name)) found = i;
        }
        return found;
    }

    private static boolean continues(String line) {
        return !line.isEmpty() && (LogicalLines.isSpace(line.charAt(0)) || isBlankOrComment(line));
    }

    private static boolean isBlankOrComment(String line) {
        String t = line.strip();
        return t.isEmpty() || t.startsWith("#");
    }
}
