// TransportMaps: the transport(5) search order over the tables of transport_maps -- the full address,
// the address without its extension (recipient_delimiter), the domain and its parents (.domain, or
// domain with transport_maps in parent_domain_matches_subdomains), then "*". Used by TransportResolver.
package org.postern.gateway.resolve;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.postern.policies.table.AddressExtension;
import org.postern.policies.table.LookupTable;
import org.postern.policies.table.TableEntry;
import org.postern.policies.table.TableLookupException;

/**
 * As Postfix's transport_lookup(): each key is tried in every table in turn (the first table that has
 * it wins); regexp:, pcre: and cidr: tables see only the full address and "*", never partial keys.
 * Frozen; lookups are in memory and never block.
 */
final class TransportMaps {
    /** recipient_delimiter and the names split_addr() never splits. */
    record Extensions(String delimiters, boolean ownerRequestSpecial, String doubleBounceSender) {}

    private final List<LookupTable> tables;
    private final Extensions extensions;
    private final boolean parentStyle;

    /** {@code parentStyle}: "transport_maps" is in parent_domain_matches_subdomains (key "example.com" for subdomains). */
    TransportMaps(List<LookupTable> tables, Extensions extensions, boolean parentStyle) {
        this.tables = List.copyOf(tables);
        this.extensions = extensions;
        this.parentStyle = parentStyle;
    }

    boolean isEmpty() {
        return tables.isEmpty();
    }

    /**
     * The entry for {@code address} (user@domain), or empty.
     *
     * @throws TableLookupException a table could not answer (fail:): the recipient must be deferred
     */
    Optional<TableEntry> find(String address) throws TableLookupException {
        if (tables.isEmpty()) return Optional.empty();
        int at = address.lastIndexOf('@');
        if (at < 0 || at == address.length() - 1) return Optional.empty();
        Optional<TableEntry> e = find(address, true);
        if (e.isPresent()) return e;
        Optional<String> bare = AddressExtension.strip(address, extensions.delimiters(),
                extensions.ownerRequestSpecial(), extensions.doubleBounceSender());
        if (bare.isPresent() && (e = find(bare.get(), false)).isPresent()) return e;
        for (String key : domainKeys(address.substring(at + 1))) {
            if ((e = find(key, false)).isPresent()) return e;
        }
        return find("*", true);
    }

    /** a.b.c, then .b.c and .c (or b.c and c in parent style), as transport_lookup() walks them. */
    List<String> domainKeys(String domain) {
        List<String> keys = new ArrayList<>();
        String name = domain;
        while (!name.isEmpty()) {
            keys.add(name);
            int next = name.indexOf('.', 1);
            if (next < 0) break;
            name = parentStyle ? name.substring(next + 1) : name.substring(next);
        }
        return keys;
    }

    private Optional<TableEntry> find(String key, boolean full) throws TableLookupException {
        for (LookupTable t : tables) {
            if (!full && t.isPattern()) continue;
            Optional<TableEntry> e = t.find(key);
            if (e.isPresent()) return e;
        }
        return Optional.empty();
    }
}
