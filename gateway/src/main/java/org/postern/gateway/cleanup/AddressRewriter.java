// AddressRewriter: the one-to-one rewriting cleanup applies to every envelope address before virtual
// aliasing, in Postfix's order -- append_at_myorigin, sender_canonical_maps or recipient_canonical_maps,
// canonical_maps, masquerade_domains -- each only for the address classes its *_classes parameter names.
package org.postern.gateway.cleanup;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.postern.core.Origin;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.Diagnostic;
import org.postern.policies.table.TableLookupException;

/** Immutable; safe to share between sessions. */
final class AddressRewriter {
    /** Postfix's cleanup_map11 gives up after this many successive rewrites of one address. */
    static final int CANONICAL_NESTING_LIMIT = 10;

    /** The address classes of canonical_classes, masquerade_classes, ... */
    enum AddressClass {
        ENVELOPE_SENDER, ENVELOPE_RECIPIENT, HEADER_SENDER, HEADER_RECIPIENT;

        /** A *_classes value, e.g. "envelope_sender, header_sender"; an unknown name is an error at {@code at}. */
        static Set<AddressClass> parse(String parameter, List<String> names, Origin at) throws ConfigException {
            Set<AddressClass> out = EnumSet.noneOf(AddressClass.class);
            for (String n : names) {
                try {
                    out.add(valueOf(n.toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(List.of(Diagnostic.error(at, parameter + ": unknown address class \""
                            + n + "\"; expected envelope_sender, envelope_recipient, header_sender or header_recipient")));
                }
            }
            return out;
        }
    }

    /** A canonical table and the classes it applies to. */
    record Canonical(AddressMap map, Set<AddressClass> classes) {
        Canonical {
            classes = Set.copyOf(classes);
        }

        boolean appliesTo(AddressClass c) {
            return !map.isEmpty() && classes.contains(c);
        }
    }

    private final AddressForm form;
    private final Canonical senderCanonical;
    private final Canonical recipientCanonical;
    private final Canonical canonical;
    private final Masquerade masquerade;
    private final Set<AddressClass> masqueradeClasses;
    private final boolean propagate;

    /**
     * @param propagate "canonical" is in propagate_unmatched_extensions
     */
    AddressRewriter(AddressForm form, Canonical senderCanonical, Canonical recipientCanonical, Canonical canonical,
                    Masquerade masquerade, Set<AddressClass> masqueradeClasses, boolean propagate) {
        this.form = form;
        this.senderCanonical = senderCanonical;
        this.recipientCanonical = recipientCanonical;
        this.canonical = canonical;
        this.masquerade = masquerade;
        this.masqueradeClasses = Set.copyOf(masqueradeClasses);
        this.propagate = propagate;
    }

    AddressForm form() {
        return form;
    }

    /**
     * The envelope sender as cleanup writes it: qualified, MAILER-DAEMON@$myorigin turned into the null
     * sender (as Postfix's cleanup does), then sender_canonical_maps, canonical_maps, masquerading.
     */
    String sender(String address, List<String> warnings) throws RewriteFailure {
        String a = form.qualify(address);
        if (a.equalsIgnoreCase(form.qualify("MAILER-DAEMON"))) return "";
        if (a.isEmpty()) return a;
        a = apply(senderCanonical, AddressClass.ENVELOPE_SENDER, a, warnings);
        a = apply(canonical, AddressClass.ENVELOPE_SENDER, a, warnings);
        return masquerade(AddressClass.ENVELOPE_SENDER, a);
    }

    /** An envelope recipient: qualified, then recipient_canonical_maps, canonical_maps, masquerading. */
    String recipient(String address, List<String> warnings) throws RewriteFailure {
        String a = form.qualify(address);
        if (a.isEmpty()) return a;
        a = apply(recipientCanonical, AddressClass.ENVELOPE_RECIPIENT, a, warnings);
        a = apply(canonical, AddressClass.ENVELOPE_RECIPIENT, a, warnings);
        return masquerade(AddressClass.ENVELOPE_RECIPIENT, a);
    }

    private String masquerade(AddressClass c, String address) throws RewriteFailure {
        if (masquerade.isEmpty() || !masqueradeClasses.contains(c)) return address;
        try {
            return masquerade.apply(address);
        } catch (TableLookupException e) {
            throw RewriteFailure.lookup("masquerade_exceptions", address, e);
        }
    }

    /**
     * cleanup_map11: rewrite until the table maps the address to itself, at most
     * {@value #CANONICAL_NESTING_LIMIT} times; of several addresses only the first counts. Running
     * out of rounds only logs a warning and keeps the last result, exactly as Postfix 3.7 does.
     */
    private String apply(Canonical c, AddressClass cls, String address, List<String> warnings) throws RewriteFailure {
        if (!c.appliesTo(cls)) return address;
        String a = address;
        for (int round = 0; round < CANONICAL_NESTING_LIMIT; round++) {
            Optional<AddressMap.Mapped> m;
            try {
                m = c.map().map(a, propagate);
            } catch (TableLookupException e) {
                throw RewriteFailure.lookup(c.map().parameter(), a, e);
            }
            if (m.isEmpty()) return a;
            List<String> to = m.get().addresses();
            if (to.size() > 1) warnings.add("multi-valued " + c.map().parameter() + " entry for " + a);
            String before = a;
            a = to.get(0);
            if (before.equalsIgnoreCase(a)) return a;
        }
        warnings.add("unreasonable " + c.map().parameter() + " map nesting for " + a
                + " -- message not accepted, try again later"); // Postfix's words, though it accepts the message
        return a;
    }
}
