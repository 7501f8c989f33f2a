// AddressMap: one *_maps parameter (canonical_maps, virtual_alias_maps, ...) searched for an address as
// Postfix's mail_addr_map(): the lookup order of canonical(5)/virtual(5), @domain results, several
// addresses per entry, and propagate_unmatched_extensions. Used by AddressRewriter and VirtualAliasExpander.
package org.postern.gateway.cleanup;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.postern.core.Origin;
import org.postern.policies.table.LookupTable;
import org.postern.policies.table.TableEntry;
import org.postern.policies.table.TableLookupException;

/** Immutable; lookups are in memory and never block. */
final class AddressMap {
    /** What an entry maps an address to: one or more qualified addresses, and the entry's file:line. */
    record Mapped(List<String> addresses, Origin origin) {}

    private final String parameter;
    private final List<LookupTable> tables;
    private final AddressForm form;

    AddressMap(String parameter, List<LookupTable> tables, AddressForm form) {
        this.parameter = parameter;
        this.tables = List.copyOf(tables);
        this.form = form;
    }

    String parameter() {
        return parameter;
    }

    boolean isEmpty() {
        return tables.isEmpty();
    }

    /**
     * The entry for {@code address} (qualified, user@domain). Keys, each tried in every table before
     * the next: user+ext@domain, user@domain, then -- when the domain is $myorigin or in $mydestination
     * -- user+ext and user, then @domain. Pattern tables (regexp:, pcre:) see the full address only.
     * An "@other" result keeps the user part ("user@other"); each result address is qualified; with
     * {@code propagate}, an extension the match did not use is appended to each one.
     *
     * @throws TableLookupException when a table cannot answer, or an entry holds no address
     */
    Optional<Mapped> map(String address, boolean propagate) throws TableLookupException {
        if (tables.isEmpty() || address.isEmpty()) return Optional.empty();
        Optional<AddressForm.Split> split = form.split(address);
        int at = AddressForm.at(address);
        String unmatched = null; // the extension that had to be removed to find the entry
        TableEntry found = find(address, true);
        if (found == null && split.isPresent() && (found = find(split.get().bare(), false)) != null) {
            unmatched = split.get().extension();
        }
        if (found == null && at >= 0 && form.isLocal(AddressForm.domain(address))) {
            found = find(address.substring(0, at), false);
            if (found == null && split.isPresent()) {
                String bare = split.get().bare();
                if ((found = find(AddressForm.localPart(bare), false)) != null) {
                    unmatched = split.get().extension();
                }
            }
        }
        if (found == null && at >= 0) found = find(address.substring(at), false);
        if (found == null) return Optional.empty();

        String value = found.value().strip();
        if (value.startsWith("@")) { // @domain -> @other: user@other
            String local = AddressForm.localPart(address);
            if (unmatched != null) local = local.substring(0, local.length() - unmatched.length());
            value = local + value;
        }
        List<String> out = new ArrayList<>();
        for (String a : AddressList.parse(value)) {
            out.add(AddressForm.withExtension(form.qualify(a), propagate ? unmatched : null));
        }
        if (out.isEmpty()) {
            throw new TableLookupException(parameter, "lookup of " + address + " returns non-address result \""
                    + value + "\" (" + found.origin() + ")");
        }
        return Optional.of(new Mapped(List.copyOf(out), found.origin()));
    }

    /** The first table entry for {@code key}; a partial key is not shown to pattern tables. */
    private TableEntry find(String key, boolean full) throws TableLookupException {
        if (key.isEmpty()) return null;
        for (LookupTable t : tables) {
            if (!full && t.isPattern()) continue;
            Optional<TableEntry> e = t.find(key);
            if (e.isPresent()) return e.get();
        }
        return null;
    }
}
