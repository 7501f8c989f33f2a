// AddressForm: what cleanup's address rewriting needs to know about the shape of an address -- the
// "local" rewrite context of trivial-rewrite (append_at_myorigin, append_dot_mydomain), which domains
// are ours (myorigin, mydestination) and the address extension (recipient_delimiter, owner_request_special).
package org.postern.gateway.cleanup;

import java.net.IDN;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.postern.policies.conf.Config;
import org.postern.policies.conf.DomainList;
import org.postern.policies.table.AddressExtension;

/**
 * Immutable. Addresses are in the form Postern keeps them: user@domain with the local part quoted
 * only when RFC 5321 requires it (Postfix's "external" form), the null sender as "".
 */
record AddressForm(String myorigin, String mydomain, DomainList mydestination, boolean appendAtMyorigin,
                   boolean appendDotMydomain, String delimiters, boolean ownerRequestSpecial, String doubleBounce) {

    AddressForm {
        Objects.requireNonNull(myorigin, "myorigin");
        Objects.requireNonNull(mydomain, "mydomain");
        Objects.requireNonNull(mydestination, "mydestination");
        Objects.requireNonNull(delimiters, "delimiters");
        Objects.requireNonNull(doubleBounce, "doubleBounce");
    }

    static AddressForm from(Config c) {
        return new AddressForm(c.get("myorigin"), c.get("mydomain"), c.mydestination(), c.getBool("append_at_myorigin"),
                c.getBool("append_dot_mydomain"), c.get("recipient_delimiter"), c.getBool("owner_request_special"),
                c.get("double_bounce_sender"));
    }

    /**
     * trivial-rewrite's "local" context, as cleanup applies it to every address (and to every table
     * result): a bare user gets @$myorigin (append_at_myorigin), a domain without a dot gets
     * .$mydomain (append_dot_mydomain), a trailing dot is dropped. "" (the null sender) stays "".
     */
    String qualify(String address) {
        if (address.isEmpty()) return address;
        int at = at(address);
        if (at < 0) return appendAtMyorigin ? address + "@" + myorigin : address;
        String domain = address.substring(at + 1);
        if (domain.length() > 1 && domain.endsWith(".") && !domain.endsWith("..")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        if (appendDotMydomain && !domain.isEmpty() && domain.indexOf('.') < 0 && !domain.startsWith("[")) {
            domain = domain + "." + mydomain;
        }
        return address.substring(0, at + 1) + domain;
    }

    /** mail_addr_find's test for the bare-user keys: the domain is $myorigin or matches $mydestination. */
    boolean isLocal(String domain) {
        return domain.equalsIgnoreCase(myorigin) || mydestination.matches(ascii(domain));
    }

    /** Domain lists hold A-labels; an SMTPUTF8 U-label domain is compared in that form. */
    private static String ascii(String domain) {
        try {
            return IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException e) {
            return domain;
        }
    }

    /** The address split at its extension: user+foo@domain gives ("user@domain", "+foo"); empty when none. */
    Optional<Split> split(String address) {
        return AddressExtension.strip(address, delimiters, ownerRequestSpecial, doubleBounce).map(bare -> {
            int bareLocal = localPart(bare).length();
            return new Split(bare, localPart(address).substring(bareLocal));
        });
    }

    /** An address without its extension, and the extension with its delimiter (e.g. "+foo"). */
    record Split(String bare, String extension) {}

    /** The index of the '@' before the domain, or -1 (a quoted local part may hold '@' itself). */
    static int at(String address) {
        int at = address.lastIndexOf('@');
        if (at < 0) return -1;
        int quote = address.lastIndexOf('"');
        return quote > at ? -1 : at;
    }

    static String localPart(String address) {
        int at = at(address);
        return at < 0 ? address : address.substring(0, at);
    }

    /** The domain, lower case; "" without one. */
    static String domain(String address) {
        int at = at(address);
        return at < 0 ? "" : address.substring(at + 1).toLowerCase(Locale.ROOT);
    }

    /** {@code extension} (with its delimiter) put back before the '@' of {@code address}. */
    static String withExtension(String address, String extension) {
        if (extension == null || extension.isEmpty()) return address;
        int at = at(address);
        return at < 0 ? address + extension : address.substring(0, at) + extension + address.substring(at);
    }
}
