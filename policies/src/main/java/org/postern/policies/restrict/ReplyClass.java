// ReplyClass: what a restriction reply is about ("Client host", "Sender address", ...) with the name
// it quotes (<name[addr]>, <sender>, ...), as Postfix's SMTPD_NAME_* and reply_name; plus
// smtpd_dsn_fix, which makes address DSN codes in table/RBL replies fit what is being refused.
package org.postern.policies.restrict;

/** Postfix's reply classes, with their exact wording. */
enum ReplyClass {
    CLIENT("Client host"),
    REVERSE_CLIENT("Unverified Client host"),
    HELO("Helo command"),
    SENDER("Sender address"),
    RECIPIENT("Recipient address"),
    SASL_USER("SASL login name"),
    DATA("Data command"),
    END_OF_DATA("End-of-data");

    private final String text;

    ReplyClass(String text) {
        this.text = text;
    }

    String text() {
        return text;
    }

    /** The name in {@code <NAME>: CLASS rejected: ...}; "" for something the session lacks. */
    String replyName(SessionFacts f) {
        String name = switch (this) {
            case CLIENT -> f.clientNamaddr();
            case REVERSE_CLIENT -> f.reverseClientName();
            case HELO -> f.heloName();
            case SENDER -> f.sender();
            case RECIPIENT -> f.recipient();
            case SASL_USER -> f.saslUsername();
            case DATA -> "DATA";
            case END_OF_DATA -> "END-OF-MESSAGE";
        };
        return name == null ? "" : name;
    }

    private static final String[][] DSN_MAP = {
        // final digit of x.1.N, sender DSN, recipient DSN (smtpd_dsn_fix.c; SND_DSN is 4.1.7 since Postfix 3.x,
        // checked against Debian's Postfix 3.7 by AddressRewriteIT)
        {"1", "4.1.7", "4.1.1"}, {"2", "4.1.8", "4.1.2"}, {"3", "4.1.7", "4.1.3"}, {"4", "4.1.7", "4.1.4"},
        {"5", "4.1.0", "4.1.5"}, {"6", "4.1.7", "4.1.6"}, {"7", "4.1.7", "4.1.3"}, {"8", "4.1.8", "4.1.2"},
    };

    /**
     * smtpd_dsn_fix: an address DSN (x.1.y) becomes the matching sender or recipient DSN, or 4.0.0
     * for non-address classes; other DSNs are kept. The first digit is set later, from the reply code.
     */
    String fixDsn(String dsn) {
        if (dsn.length() < 5 || !dsn.startsWith(".1.", 1)) return dsn;
        if (this != SENDER && this != RECIPIENT) return "4.0.0";
        String detail = dsn.substring(4);
        for (String[] m : DSN_MAP) {
            if (m[0].equals(detail)) return this == SENDER ? m[1] : m[2];
        }
        return "4.1.0";
    }
}
