// ListKind: which smtpd restriction list a restriction sits in -- client, HELO, sender, relay,
// recipient, DATA, end-of-data -- with its main.cf parameter, the class its generic replies name,
// the check a bare type:table token means there, and the stage it runs at (smtpd_delay_reject).
package org.postern.policies.restrict;

/** The seven smtpd restriction lists. */
enum ListKind {
    CLIENT("smtpd_client_restrictions", ReplyClass.CLIENT, "check_client_access", Stage.CONNECT),
    HELO("smtpd_helo_restrictions", ReplyClass.HELO, "check_helo_access", Stage.HELO),
    SENDER("smtpd_sender_restrictions", ReplyClass.SENDER, "check_sender_access", Stage.MAIL),
    RELAY("smtpd_relay_restrictions", ReplyClass.RECIPIENT, "check_recipient_access", Stage.RCPT),
    RECIPIENT("smtpd_recipient_restrictions", ReplyClass.RECIPIENT, "check_recipient_access", Stage.RCPT),
    DATA("smtpd_data_restrictions", ReplyClass.DATA, null, Stage.DATA),
    END_OF_DATA("smtpd_end_of_data_restrictions", ReplyClass.END_OF_DATA, null, Stage.END_OF_DATA);

    private final String parameter;
    private final ReplyClass replyClass;
    private final String defaultAccess;
    private final Stage stage;

    ListKind(String parameter, ReplyClass replyClass, String defaultAccess, Stage stage) {
        this.parameter = parameter;
        this.replyClass = replyClass;
        this.defaultAccess = defaultAccess;
        this.stage = stage;
    }

    String parameter() {
        return parameter;
    }

    /** The class that reject, defer, defer_if_* and friends name in this list's replies. */
    ReplyClass replyClass() {
        return replyClass;
    }

    /** What "type:table" alone means here (check_client_access in the client list ...); null for DATA. */
    String defaultAccess() {
        return defaultAccess;
    }

    /** The command at which the list is evaluated: client, HELO and sender lists move to RCPT with delay. */
    Stage evaluatedAt(boolean delayReject) {
        return delayReject && stage.ordinal() < Stage.RCPT.ordinal() ? Stage.RCPT : stage;
    }
}
