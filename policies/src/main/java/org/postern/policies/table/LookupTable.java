// LookupTable: one opened Postfix-style lookup table (hash:, regexp:, cidr:, inline:, ...) as the
// policy stages query it -- access maps, header_checks and any *_maps parameter of main.cf.
// Loaded and frozen at configuration load (Tables); lookups are in memory and never block.
package org.postern.policies.table;

import java.util.List;
import java.util.Optional;

/**
 * A frozen lookup table; safe to share between threads.
 *
 * <p>Indexed tables (hash:, btree:, texthash:, inline:, static:, ...) answer exact keys, folded to
 * lower case as postmap(1) does. Pattern tables (regexp:, pcre:, cidr:) match the whole key against
 * their rules in file order; the first match wins (regexp:/pcre: results get $1.. substituted).
 */
public interface LookupTable {

    /** The table as named in main.cf, e.g. {@code hash:/etc/postern/access}. */
    String spec();

    /**
     * Looks {@code key} up.
     *
     * @return the entry that matched (its value and the file:line it came from), or empty
     * @throws TableLookupException when the table cannot answer (fail:); callers must treat this as
     *         a temporary failure (4xx), never as "not found"
     */
    Optional<TableEntry> find(String key) throws TableLookupException;

    /**
     * True for regexp:, pcre: and cidr: tables. Callers that try partial keys (parent domains,
     * network prefixes, user@) query pattern tables with the whole string only, as Postfix does.
     */
    boolean isPattern();

    /**
     * Every entry, for checks of a whole table ({@code postern check}); empty where the results are not
     * fixed text (pattern tables: their results may hold $1 substitutions).
     */
    default List<TableEntry> entries() {
        return List.of();
    }
}
