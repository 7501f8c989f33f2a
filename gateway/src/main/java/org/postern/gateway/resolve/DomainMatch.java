// DomainMatch: a Postfix string list of domains that may name lookup tables -- virtual_alias_domains,
// whose default $virtual_alias_maps is a list of tables: a domain matches a plain entry (same name,
// any case) or a table that has it as a key; "!" negates; the first match decides. Used by AddressClasses.
package org.postern.gateway.resolve;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.postern.core.Origin;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.Diagnostic;
import org.postern.policies.table.LookupTable;
import org.postern.policies.table.TableLookupException;
import org.postern.policies.table.Tables;

/** Frozen; matching is in memory and never blocks. No parent-domain matching (Postfix's MATCH_FLAG_NONE). */
final class DomainMatch {
    private record Entry(boolean negated, String name, LookupTable table) {}

    static final DomainMatch NONE = new DomainMatch(List.of());

    private final List<Entry> entries;

    private DomainMatch(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Parses list entries (already split); type:table entries are opened through {@code tables}.
     *
     * @throws ConfigException every bad entry and table error, at {@code origin} or the table's file:line
     */
    static DomainMatch parse(List<String> list, Tables tables, Origin origin, String parameter) throws ConfigException {
        List<Entry> out = new ArrayList<>();
        List<Diagnostic> errors = new ArrayList<>();
        for (String token : list) {
            boolean negated = token.startsWith("!");
            String e = negated ? token.substring(1).strip() : token;
            if (e.isEmpty()) {
                errors.add(Diagnostic.error(origin, parameter + ": empty entry \"" + token + "\""));
            } else if (e.startsWith("/")) {
                errors.add(Diagnostic.error(origin, parameter + ": \"" + token + "\": /file/name entries are not supported;"
                        + " use a lookup table (e.g. texthash:" + e + ")"));
            } else if (e.indexOf(':') > 0 && !e.startsWith("[")) {
                try {
                    out.add(new Entry(negated, null, tables.open(e, origin)));
                } catch (ConfigException x) {
                    errors.addAll(x.diagnostics());
                }
            } else {
                out.add(new Entry(negated, normalize(e), null));
            }
        }
        if (errors.stream().anyMatch(Diagnostic::isError)) throw new ConfigException(errors);
        return new DomainMatch(out);
    }

    /**
     * True when the first entry that matches {@code domain} is not negated.
     *
     * @throws TableLookupException a table could not answer: the caller defers
     */
    boolean matches(String domain) throws TableLookupException {
        String d = normalize(domain);
        for (Entry e : entries) {
            boolean hit = e.table() != null ? e.table().find(d).isPresent() : e.name().equals(d);
            if (hit) return !e.negated();
        }
        return false;
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    static String normalize(String domain) {
        String d = domain.strip().toLowerCase(Locale.ROOT);
        while (d.length() > 1 && d.endsWith(".")) d = d.substring(0, d.length() - 1);
        return d;
    }
}
