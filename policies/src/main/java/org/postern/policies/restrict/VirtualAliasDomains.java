// VirtualAliasDomains: virtual_alias_domains as Postfix's string_list matches it -- exact domain names
// (no subdomains), "!name" negation, type:table entries looked up with the domain (the default,
// $virtual_alias_maps, makes every domain key of those tables such a domain). First match decides.
package org.postern.policies.restrict;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.postern.core.Origin;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.Diagnostic;
import org.postern.policies.table.LookupTable;
import org.postern.policies.table.TableLookupException;

/** Immutable after the load; lookups are in memory. */
final class VirtualAliasDomains {
    private record Entry(boolean negated, String name, LookupTable table) {}

    static final VirtualAliasDomains NONE = new VirtualAliasDomains(List.of());

    private final List<Entry> entries;

    private VirtualAliasDomains(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** virtual_alias_domains of the snapshot; each bad entry is an error at its main.cf line. */
    static VirtualAliasDomains load(Env env) throws ConfigException {
        String parameter = "virtual_alias_domains";
        Origin at = env.config.originOf(parameter);
        List<Entry> out = new ArrayList<>();
        List<Diagnostic> errors = new ArrayList<>();
        for (String token : env.config.getList(parameter)) {
            boolean negated = token.startsWith("!");
            String name = negated ? token.substring(1) : token;
            if (name.startsWith("/")) {
                errors.add(Diagnostic.error(at, parameter + ": \"" + token + "\": /file/name patterns are not supported"));
            } else if (name.indexOf(':') > 0 && !name.startsWith("[")) {
                try {
                    out.add(new Entry(negated, name, env.tables.open(name, at)));
                } catch (ConfigException e) {
                    for (Diagnostic d : e.diagnostics()) {
                        errors.add(new Diagnostic(d.origin(), d.severity(), parameter + ": " + d.message()));
                    }
                }
            } else if (!name.isEmpty()) {
                out.add(new Entry(negated, Addresses.dropDot(name).toLowerCase(Locale.ROOT), null));
            }
        }
        if (!errors.isEmpty()) throw new ConfigException(errors);
        return new VirtualAliasDomains(out);
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    /**
     * True when the first entry that matches {@code domain} (lower case, ASCII) is not negated.
     *
     * @throws TableLookupException when a table entry cannot answer (the caller answers 451 4.3.0)
     */
    boolean matches(String domain) throws TableLookupException {
        if (domain.isEmpty()) return false;
        for (Entry e : entries) {
            boolean match = e.table() != null ? e.table().find(domain).isPresent() : e.name().equals(domain);
            if (match) return !e.negated();
        }
        return false;
    }
}
