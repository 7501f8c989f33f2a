// AddressExtension: removes the address extension (user+foo@domain -> user@domain) as Postfix's
// strip_addr()/split_addr() do for recipient_delimiter, so access maps can try the bare address
// after the full one. Reserved names (postmaster, MAILER-DAEMON, double-bounce) are never split.
package org.postern.policies.table;

import java.util.Optional;

/** recipient_delimiter handling for table lookups. */
public final class AddressExtension {
    private AddressExtension() {}

    /**
     * {@code address} (user@domain, or a bare localpart) without its extension, or empty when it has
     * none.
     *
     * @param delimiters          recipient_delimiter: a set of characters (empty: no extensions)
     * @param ownerRequestSpecial owner_request_special: with '-' a delimiter, owner-foo and
     *                            foo-request are not split
     * @param doubleBounce        double_bounce_sender, never split
     */
    public static Optional<String> strip(String address, String delimiters, boolean ownerRequestSpecial,
                                         String doubleBounce) {
        if (delimiters.isEmpty()) return Optional.empty();
        int at = address.lastIndexOf('@');
        String local = at < 0 ? address : address.substring(0, at);
        if (local.equalsIgnoreCase("postmaster") || local.equalsIgnoreCase("MAILER-DAEMON")
                || local.equalsIgnoreCase(doubleBounce)) {
            return Optional.empty();
        }
        if (delimiters.indexOf('-') >= 0 && ownerRequestSpecial) {
            if (local.regionMatches(true, 0, "owner-", 0, 6)) return Optional.empty();
            if (local.length() > 8 && local.regionMatches(true, local.length() - 8, "-request", 0, 8)) {
                return Optional.empty();
            }
        }
        int split = 0;
        while (split < local.length() && delimiters.indexOf(local.charAt(split)) < 0) split++;
        if (split == 0 || split == local.length()) return Optional.empty();
        return Optional.of(local.substring(0, split) + (at < 0 ? "" : address.substring(at)));
    }
}
