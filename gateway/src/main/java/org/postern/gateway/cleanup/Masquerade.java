// Masquerade: address masquerading as Postfix's cleanup_masquerade -- user@host.example.com becomes
// user@example.com when example.com is in masquerade_domains (first listed match wins, "!sub.example.com"
// keeps that subdomain whole), except for the users in masquerade_exceptions (names or type:table).
package org.postern.gateway.cleanup;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.postern.core.Origin;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.table.LookupTable;
import org.postern.policies.table.TableLookupException;
import org.postern.policies.table.Tables;

/** Immutable. */
final class Masquerade {
    /** One masquerade_exceptions entry: a user name, or a table the user name is looked up in. */
    private record UserPattern(boolean negated, String name, LookupTable table) {}

    private final List<String> domains;      // lower case, "!" kept
    private final List<UserPattern> exceptions;

    private Masquerade(List<String> domains, List<UserPattern> exceptions) {
        this.domains = List.copyOf(domains);
        this.exceptions = List.copyOf(exceptions);
    }

    static final Masquerade NONE = new Masquerade(List.of(), List.of());

    /**
     * @param domains    masquerade_domains entries, in order
     * @param exceptions masquerade_exceptions entries (type:table entries are opened from {@code tables})
     */
    static Masquerade of(List<String> domains, List<String> exceptions, Tables tables, Origin exceptionsAt)
            throws ConfigException {
        List<String> d = new ArrayList<>();
        for (String s : domains) d.add(s.toLowerCase(Locale.ROOT));
        List<UserPattern> e = new ArrayList<>();
        for (String s : exceptions) {
            boolean negated = s.startsWith("!");
            String name = negated ? s.substring(1) : s;
            if (name.indexOf(':') > 0) {
                e.add(new UserPattern(negated, name, tables.open(name, exceptionsAt)));
            } else {
                e.add(new UserPattern(negated, name.toLowerCase(Locale.ROOT), null));
            }
        }
        return new Masquerade(d, e);
    }

    boolean isEmpty() {
        return domains.isEmpty();
    }

    /**
     * {@code address} masqueraded, or unchanged: its domain is replaced by the first listed parent
     * domain; a listed domain itself, an address literal, a domain under a "!" entry that comes first,
     * and an excepted user are left alone.
     *
     * @throws TableLookupException when a masquerade_exceptions table cannot answer
     */
    String apply(String address) throws TableLookupException {
        int at = AddressForm.at(address);
        if (domains.isEmpty() || at < 0) return address;
        if (excepted(address.substring(0, at).toLowerCase(Locale.ROOT))) return address;
        String domain = address.substring(at + 1).toLowerCase(Locale.ROOT);
        if (domain.startsWith("[")) return address;
        for (String entry : domains) {
            boolean truncate = !entry.startsWith("!");
            String masq = entry.replaceFirst("^!+", "");
            if (masq.isEmpty()) continue;
            if (masq.equals(domain)) return address;
            if (domain.endsWith("." + masq)) return truncate ? address.substring(0, at + 1) + masq : address;
        }
        return address;
    }

    /** string_list_match over masquerade_exceptions: the first matching entry decides. */
    private boolean excepted(String user) throws TableLookupException {
        for (UserPattern e : exceptions) {
            boolean match = e.table() != null ? lookup(e.table(), user) : e.name().equals(user);
            if (match) return !e.negated();
        }
        return false;
    }

    private static boolean lookup(LookupTable table, String user) throws TableLookupException {
        Optional<?> found = table.find(user);
        return found.isPresent();
    }
}
