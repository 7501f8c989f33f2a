// StaticTable: static:value (or static:{ value with spaces }) answers every key with the same
// value -- Postfix dict_static, a "fixed" table, so partial keys (parent domains, user@) find it too.
package org.postern.policies.table;

import java.util.Optional;
import org.postern.core.Origin;

/** A table whose every lookup finds one value. */
final class StaticTable implements LookupTable {
    private final String spec;
    private final TableEntry entry;

    private StaticTable(String spec, TableEntry entry) {
        this.spec = spec;
        this.entry = entry;
    }

    /**
     * {@code name} is the text after "static:"; a {...} group is stripped of braces and the
     * whitespace inside them.
     *
     * @throws IllegalArgumentException for an unbalanced group or an empty value
     */
    static StaticTable of(String spec, String name, Origin origin) {
        String value = name.startsWith("{") ? BraceSyntax.strip(name) : name;
        if (value.isEmpty()) throw new IllegalArgumentException("empty value in \"" + spec + "\"");
        return new StaticTable(spec, new TableEntry(value, origin));
    }

    @Override
    public String spec() {
        return spec;
    }

    @Override
    public Optional<TableEntry> find(String key) {
        return Optional.of(entry);
    }

    @Override
    public boolean isPattern() {
        return false;
    }
}
