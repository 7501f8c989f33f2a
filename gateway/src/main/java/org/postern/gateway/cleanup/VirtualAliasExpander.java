// VirtualAliasExpander: one-to-many virtual_alias_maps expansion of an envelope recipient as Postfix's
// cleanup_map1n_internal -- recursive, an address may expand into itself once (a -> a, b), and
// virtual_alias_expansion_limit, virtual_alias_recursion_limit, virtual_alias_address_length_limit.
package org.postern.gateway.cleanup;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.postern.policies.table.TableLookupException;

/** Immutable; safe to share between sessions. */
final class VirtualAliasExpander {
    private final AddressMap map;
    private final int expansionLimit;
    private final int recursionLimit;
    private final int addressLengthLimit;
    private final boolean propagate;

    /**
     * @param propagate "virtual" is in propagate_unmatched_extensions
     */
    VirtualAliasExpander(AddressMap map, int expansionLimit, int recursionLimit, int addressLengthLimit,
                         boolean propagate) {
        this.map = map;
        this.expansionLimit = expansionLimit;
        this.recursionLimit = recursionLimit;
        this.addressLengthLimit = addressLengthLimit;
        this.propagate = propagate;
    }

    boolean isEmpty() {
        return map.isEmpty();
    }

    /**
     * The addresses {@code address} expands to, in Postfix's order: each result replaces the address in
     * place and is expanded again (depth first), further results are appended and expanded when their
     * turn comes. Unknown addresses stay as they are; an address found in its own expansion is not
     * expanded again. May hold duplicates (the caller removes them).
     *
     * @throws RewriteFailure 451 4.6.0 when the expansion has more than virtual_alias_expansion_limit
     *         addresses, nests deeper than virtual_alias_recursion_limit (a loop does), or yields an
     *         address longer than virtual_alias_address_length_limit; 451 4.3.0 when a table fails
     */
    List<String> expand(String address) throws RewriteFailure {
        List<String> argv = new ArrayList<>(List.of(address));
        if (map.isEmpty()) return argv;
        Set<String> expandedIntoItself = new HashSet<>(); // been_here, case-insensitive
        for (int arg = 0; arg < argv.size(); arg++) {
            if (argv.size() > expansionLimit) {
                throw new RewriteFailure(RewriteFailure.ALIAS_ERROR, "unreasonable " + map.parameter()
                        + " map expansion size for " + address + " -- message not accepted, try again later");
            }
            for (int count = 0; ; count++) {
                String current = argv.get(arg);
                if (expandedIntoItself.contains(fold(current))) break;
                if (count >= recursionLimit) {
                    throw new RewriteFailure(RewriteFailure.ALIAS_ERROR, "unreasonable " + map.parameter()
                            + " map nesting for " + address + " -- message not accepted, try again later");
                }
                Optional<AddressMap.Mapped> m;
                try {
                    m = map.map(current, propagate);
                } catch (TableLookupException e) {
                    throw RewriteFailure.lookup(map.parameter(), address, e);
                }
                if (m.isEmpty()) break;
                List<String> results = m.get().addresses();
                for (int i = 0; i < results.size(); i++) {
                    String r = results.get(i);
                    if (r.length() > addressLengthLimit) {
                        throw new RewriteFailure(RewriteFailure.ALIAS_ERROR, "unreasonable " + map.parameter()
                                + " result " + abbreviate(r) + "... -- message not accepted, try again later");
                    }
                    if (i == 0) argv.set(arg, r);
                    else argv.add(r);
                    if (current.equalsIgnoreCase(r)) expandedIntoItself.add(fold(current));
                }
            }
        }
        return argv;
    }

    private static String fold(String address) {
        return address.toLowerCase(Locale.ROOT);
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) : s;
    }
}
