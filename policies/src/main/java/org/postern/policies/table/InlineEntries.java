// InlineEntries: parses the table given inside main.cf, inline:{ key=value, { key = text with
// spaces, or commas } } (Postfix dict_inline), into the entries of an IndexedTable. Every entry's
// Origin is the main.cf line that named the table.
package org.postern.policies.table;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postern.core.Origin;
import org.postern.policies.conf.Diagnostic;

/** inline:{...} syntax. */
final class InlineEntries {
    private InlineEntries() {}

    /**
     * The entries of {@code name} (the text after "inline:"), keyed by the folded key. As in Postfix
     * a later duplicate replaces an earlier one (here with a warning).
     *
     * @throws IllegalArgumentException naming the offending text
     */
    static Map<String, TableEntry> parse(String name, Origin origin, List<Diagnostic> sink) {
        String inside;
        try {
            inside = BraceSyntax.strip(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad syntax: \"inline:" + name + "\"; need \"inline:{name=value...}\"");
        }
        Map<String, TableEntry> entries = new LinkedHashMap<>();
        for (String token : BraceSyntax.tokens(inside)) {
            String pair = token.startsWith("{") ? BraceSyntax.strip(token) : token;
            int eq = pair.indexOf('=');
            String key = (eq < 0 ? pair : pair.substring(0, eq)).strip();
            if (key.isEmpty()) throw new IllegalArgumentException("missing attribute name in \"" + token + "\"");
            if (eq < 0 || key.chars().anyMatch(c -> TableSource.isSpace((char) c))) {
                throw new IllegalArgumentException("missing '=' after attribute name in \"" + token + "\"");
            }
            String value = pair.substring(eq + 1).strip();
            if (value.isEmpty()) throw new IllegalArgumentException("empty value in \"" + token + "\"");
            TableEntry old = entries.put(IndexedTable.fold(key), new TableEntry(value, origin));
            if (old != null) {
                sink.add(Diagnostic.warning(origin, "inline:{...}: duplicate key \"" + key + "\": the last value is used"));
            }
        }
        if (entries.isEmpty()) throw new IllegalArgumentException("empty table: \"inline:" + name + "\"");
        return entries;
    }
}
