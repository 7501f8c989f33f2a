// RblClass: what a DNS block list matched, worded as Postfix's $rbl_class in RBL replies
// ("Client host [1.2.3.4] blocked using ..."): reject_rbl_client, reject_rhsbl_reverse_client,
// reject_rhsbl_helo, reject_rhsbl_sender, reject_rhsbl_recipient (and reject_rhsbl_client: CLIENT).
package org.postern.policies.dns;

/** The entity type in an RBL reply, with Postfix's exact wording (smtpd_check.c SMTPD_NAME_*). */
public enum RblClass {
    CLIENT("Client host"),
    REVERSE_CLIENT("Unverified Client host"),
    HELO("Helo command"),
    SENDER("Sender address"),
    RECIPIENT("Recipient address");

    private final String text;

    RblClass(String text) {
        this.text = text;
    }

    /** "Client host", "Helo command", ... */
    public String text() {
        return text;
    }
}
