// AddressMaps: lookup tables searched for an e-mail address as Postfix's mail_addr_find() does for
// relay_recipient_maps, smtpd_sender_login_maps, relocated_maps and the canonical/virtual tables:
// user+ext@domain, user@domain, [user+ext, user for local domains,] then @domain, each key in every
// table before the next; pattern tables (regexp:, pcre:) see the full address only.
package org.postern.policies.restrict;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.postern.policies.table.AddressExtension;
import org.postern.policies.table.LookupTable;
import org.postern.policies.table.TableEntry;
import org.postern.policies.table.TableLookupException;

/** Immutable; lookups are in memory. */
final class AddressMaps {
    private final String parameter;
    private final List<LookupTable> tables;
    private final String delimiters;
    private final boolean ownerRequestSpecial;
    private final String doubleBounce;
    private final Predicate<String> localDomain; // null: no bare-user keys

    AddressMaps(String parameter, List<LookupTable> tables, String delimiters, boolean ownerRequestSpecial,
                String doubleBounce) {
        this(parameter, tables, delimiters, ownerRequestSpecial, doubleBounce, null);
    }

    /**
     * @param localDomain true for a domain whose addresses are also looked up as a bare user (and
     *                    user+ext): $myorigin and $mydestination, as mail_addr_find() does
     */
    AddressMaps(String parameter, List<LookupTable> tables, String delimiters, boolean ownerRequestSpecial,
                String doubleBounce, Predicate<String> localDomain) {
        this.localDomain = localDomain;
        this.parameter = parameter;
        this.tables = List.copyOf(tables);
        this.delimiters = delimiters;
        this.ownerRequestSpecial = ownerRequestSpecial;
        this.doubleBounce = doubleBounce;
    }

    String parameter() {
        return parameter;
    }

    boolean isEmpty() {
        return tables.isEmpty();
    }

    /** The first table entry for {@code address} (already qualified: user@domain). */
    Optional<TableEntry> find(String address) throws TableLookupException {
        List<String> keys = new ArrayList<>();
        keys.add(address);
        Optional<String> bare = AddressExtension.strip(address, delimiters, ownerRequestSpecial, doubleBounce);
        bare.ifPresent(keys::add);
        int at = address.lastIndexOf('@');
        if (at >= 0 && localDomain != null && localDomain.test(address.substring(at + 1))) {
            keys.add(address.substring(0, at));
            bare.ifPresent(b -> keys.add(b.substring(0, b.lastIndexOf('@'))));
        }
        if (at >= 0) keys.add(address.substring(at));
        for (int i = 0; i < keys.size(); i++) {
            for (LookupTable t : tables) {
                if (i > 0 && t.isPattern()) continue;
                Optional<TableEntry> e = t.find(keys.get(i));
                if (e.isPresent()) return e;
            }
        }
        return Optional.empty();
    }
}
