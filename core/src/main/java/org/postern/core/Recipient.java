// Recipient: one envelope recipient with its DSN parameters (RFC 3461 NOTIFY, ORCPT), as smtpd
// accepted it. Its delivery outcome is recorded in the queue file, not here (this is immutable).
package org.postern.core;

import java.util.Objects;
import java.util.Set;

/**
 * @param address the recipient address as accepted (no angle brackets; may be UTF-8 under SMTPUTF8)
 * @param notifyOnRFC 3461 NOTIFY values; empty when the client gave none (then the default applies)
 * @param orcpt   RFC 3461 ORCPT, decoded, as "addr-type;address" (e.g. "rfc822;a@b"), or null
 */
public record Recipient(String address, Set<Notify> notifyOn, String orcpt) {
    public Recipient {
        Objects.requireNonNull(address, "address");
        notifyOn = Set.copyOf(notifyOn);
        if (notifyOn.contains(Notify.NEVER) && notifyOn.size() > 1) {
            throw new IllegalArgumentException("NOTIFY=NEVER with other values");
        }
    }

    public static Recipient of(String address) {
        return new Recipient(address, Set.of(), null);
    }

    /** RFC 3461 NOTIFY keywords. */
    public enum Notify { SUCCESS, FAILURE, DELAY, NEVER }
}
