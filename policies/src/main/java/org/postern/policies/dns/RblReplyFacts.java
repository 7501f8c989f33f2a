// RblReplyFacts: the values an RBL reply template may name ($rbl_code, $rbl_class, $rbl_what,
// $rbl_domain, $rbl_reason, $client..., $helo_name, $sender..., $recipient...), gathered by the
// restriction that found the listing. Input to RblReplyTemplate (default_rbl_reply, rbl_reply_maps).
package org.postern.policies.dns;

import java.util.Objects;

/**
 * Immutable. {@code code} is maps_rbl_reject_code (554 by default) or another 4xx/5xx. Session
 * fields may be null when not known yet: a null client name expands to "unknown", a null sender or
 * recipient to "" (no MAIL FROM / RCPT TO yet), an empty one to "&lt;&gt;" (the null address).
 */
public record RblReplyFacts(int code, RblClass rblClass, String what, String domain, String reason,
                            String clientAddress, String clientName, String reverseClientName,
                            String heloName, String sender, String recipient) {

    public RblReplyFacts {
        if (code < 400 || code > 599) throw new IllegalArgumentException("RBL reply code " + code + " is not 4xx or 5xx");
        Objects.requireNonNull(rblClass, "rblClass");
        Objects.requireNonNull(what, "what");
        Objects.requireNonNull(domain, "domain");
        reason = reason == null ? "" : reason;
    }

    /** Facts for a LISTED result: zone and TXT text come from it; session fields start empty. */
    public static RblReplyFacts of(int code, RblClass rblClass, String what, DnsblResult listed) {
        return new RblReplyFacts(code, rblClass, what, listed.zone(), listed.txt(), null, null, null, null, null, null);
    }

    public RblReplyFacts withClient(String name, String address) {
        return new RblReplyFacts(code, rblClass, what, domain, reason, address, name, reverseClientName, heloName,
                sender, recipient);
    }

    public RblReplyFacts withReverseClientName(String name) {
        return new RblReplyFacts(code, rblClass, what, domain, reason, clientAddress, clientName, name, heloName,
                sender, recipient);
    }

    public RblReplyFacts withHelo(String helo) {
        return new RblReplyFacts(code, rblClass, what, domain, reason, clientAddress, clientName, reverseClientName,
                helo, sender, recipient);
    }

    public RblReplyFacts withSender(String address) {
        return new RblReplyFacts(code, rblClass, what, domain, reason, clientAddress, clientName, reverseClientName,
                heloName, address, recipient);
    }

    public RblReplyFacts withRecipient(String address) {
        return new RblReplyFacts(code, rblClass, what, domain, reason, clientAddress, clientName, reverseClientName,
                heloName, sender, address);
    }

    /** The value of template variable {@code name}, or null when there is no such variable. */
    String value(String name) {
        return switch (name) {
            case "rbl_code" -> Integer.toString(code);
            case "rbl_class" -> rblClass.text();
            case "rbl_what" -> what;
            case "rbl_domain" -> domain;
            case "rbl_reason", "rbl_txt" -> reason;
            case "client" -> orUnknown(clientName) + "[" + orEmpty(clientAddress) + "]";
            case "client_address" -> orEmpty(clientAddress);
            case "client_name" -> orUnknown(clientName);
            case "reverse_client_name" -> orUnknown(reverseClientName);
            case "helo_name" -> orEmpty(heloName);
            case "sender", "sender_name", "sender_domain" -> addressPart(sender, name.substring(6));
            case "recipient", "recipient_name", "recipient_domain" -> addressPart(recipient, name.substring(9));
            default -> null;
        };
    }

    /** True for every name {@link #value} knows. */
    static boolean isVariable(String name) {
        return new RblReplyFacts(554, RblClass.CLIENT, "", "", "", null, null, null, null, null, null)
                .value(name) != null;
    }

    /** Postfix's smtpd_expand_addr: "" (whole address), "_name" (local part) or "_domain". */
    private static String addressPart(String address, String suffix) {
        if (address == null) return "";
        int at = address.lastIndexOf('@');
        return switch (suffix) {
            case "" -> address.isEmpty() ? "<>" : address;
            case "_name" -> address.isEmpty() ? "<>" : at < 0 ? address : address.substring(0, at);
            default -> at < 0 ? "" : address.substring(at + 1);
        };
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String orUnknown(String s) {
        return s == null || s.isEmpty() ? "unknown" : s;
    }
}
