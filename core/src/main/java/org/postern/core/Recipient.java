// Recipient: one envelope recipient with its DSN parameters (RFC 3461 NOTIFY, ORCPT), as smtpd
// accepted it, and -- once cleanup rewrote it (canonical_maps, virtual_alias_maps) -- the address the
// client gave. Its delivery outcome is recorded in the queue file, not here (this is immutable).
package org.postern.core;

import java.util.Objects;
import java.util.Set;

/**
 * @param address  the recipient address to deliver to (no angle brackets; may be UTF-8 under SMTPUTF8)
 * @param notifyOn RFC 3461 NOTIFY values; empty when the client gave none (then the default applies)
 * @param orcpt    RFC 3461 ORCPT, decoded, as "addr-type;address" (e.g. "rfc822;a@b"), or null
 * @param original the address as the client gave it, before address rewriting (Postfix's
 *                 original_recipient, logged as orig_to=); null when the address was not rewritten
 */
public record Recipient(String address, Set<Notify> notifyOn, String orcpt, String original) {
    public Recipient {
        Objects.requireNonNull(address, "address");
        notifyOn = Set.copyOf(notifyOn);
        if (notifyOn.contains(Notify.NEVER) && notifyOn.size() > 1) {
            throw new IllegalArgumentException("NOTIFY=NEVER with other values");
        }
    }

    /** A recipient that was not rewritten (no original address). */
    public Recipient(String address, Set<Notify> notifyOn, String orcpt) {
        this(address, notifyOn, orcpt, null);
    }

    public static Recipient of(String address) {
        return new Recipient(address, Set.of(), null, null);
    }

    /** The address the client gave: {@link #original()} when rewritten, else {@link #address()}. */
    public String givenAddress() {
        return original != null ? original : address;
    }

    /** This recipient with another address; the given address is kept as {@code original} (null if equal). */
    public Recipient rewrittenTo(String newAddress, String newOrcpt) {
        String given = givenAddress();
        return new Recipient(newAddress, notifyOn, newOrcpt, given.equals(newAddress) ? null : given);
    }

    /** RFC 3461 NOTIFY keywords. */
    public enum Notify { SUCCESS, FAILURE, DELAY, NEVER }
}
