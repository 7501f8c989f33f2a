// PostmapSource: parses the text a postmaster feeds to postmap(1) -- "key whitespace value" per
// logical line, a key with "quoted parts" or \-escapes kept as written -- into the entries of an
// IndexedTable (hash:, btree:, texthash:, ...). Errors and warnings name file:line and the token.
package org.postern.policies.table;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postern.policies.conf.Diagnostic;

/** postmap(1) source syntax, as Postfix 3.7 postmap.c and dict_thash.c read it. */
final class PostmapSource {
    private PostmapSource() {}

    /**
     * The entries of {@code lines}, keyed by the folded key. Stricter than postmap where postmap
     * drops a line with a warning (no value, unbalanced quote): those are errors here. A duplicate
     * key is a warning and the first entry stays, as postmap keeps it.
     */
    static Map<String, TableEntry> parse(List<TableSource.Line> lines, List<Diagnostic> sink) {
        Map<String, TableEntry> entries = new LinkedHashMap<>();
        for (TableSource.Line line : lines) {
            String text = line.text();
            int end = keyEnd(text);
            if (end < 0) {
                sink.add(Diagnostic.error(line.origin(), "unbalanced '\"' in \"" + TableSource.abbreviate(text) + "\""));
                continue;
            }
            String key = text.substring(0, end);
            String value = TableSource.trimEnd(text.substring(TableSource.skipSpace(text, end)));
            if (value.isEmpty()) {
                sink.add(Diagnostic.error(line.origin(), "expected format: key whitespace value; \"" + key
                        + "\" has no value"));
                continue;
            }
            if (key.endsWith(":")) {
                sink.add(Diagnostic.warning(line.origin(), "record is in \"key: value\" format; is this an alias file?"));
            }
            String folded = IndexedTable.fold(key);
            TableEntry first = entries.get(folded);
            if (first != null) {
                sink.add(Diagnostic.warning(line.origin(), "duplicate entry: \"" + key + "\"; the entry at "
                        + first.origin() + " is used"));
                continue;
            }
            entries.put(folded, new TableEntry(value, line.origin()));
        }
        return entries;
    }

    /** Index of the first unquoted whitespace (or the end); -1 when a '"' is not closed. */
    private static int keyEnd(String text) {
        boolean inQuotes = false;
        int i = 0;
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                if (++i == text.length()) break;
            } else if (TableSource.isSpace(c)) {
                if (!inQuotes) break;
            } else if (c == '"') {
                inQuotes = !inQuotes;
            }
        }
        return inQuotes ? -1 : Math.min(i, text.length());
    }
}
