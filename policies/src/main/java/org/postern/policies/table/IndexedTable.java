// IndexedTable: an exact-key table -- hash:, btree:, dbm:, lmdb:, cdb:, sdbm:, texthash: (read from
// the text file a postmaster runs postmap(1) on) and inline:{...}. Keys are folded to lower case at
// load and at lookup, as Postfix does for these "fixed" tables (DICT_FLAG_FOLD_FIX).
package org.postern.policies.table;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** An in-memory map from folded key to entry. */
final class IndexedTable implements LookupTable {
    private final String spec;
    private final Map<String, TableEntry> entries;

    /** {@code entries} must already have folded keys (see {@link #fold}). */
    IndexedTable(String spec, Map<String, TableEntry> entries) {
        this.spec = spec;
        this.entries = Map.copyOf(entries);
    }

    /** Postfix's lowercase()/casefold() of keys in fixed tables. */
    static String fold(String key) {
        return key.toLowerCase(Locale.ROOT);
    }

    @Override
    public String spec() {
        return spec;
    }

    /** The empty key is never found (Postfix maps_find() refuses it). */
    @Override
    public Optional<TableEntry> find(String key) {
        if (key.isEmpty()) return Optional.empty();
        return Optional.ofNullable(entries.get(fold(key)));
    }

    @Override
    public boolean isPattern() {
        return false;
    }

    int size() {
        return entries.size();
    }

    @Override
    public List<TableEntry> entries() {
        return entries.values().stream().sorted(Comparator.comparingInt((TableEntry e) -> e.origin().line())).toList();
    }

    @Override
    public String toString() {
        return spec + " (" + entries.size() + " entries)";
    }
}
