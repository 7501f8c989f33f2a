// Stage: the SMTP protocol stage a restriction check happens at (CONNECT .. END-OF-MESSAGE), as
// Postfix's smtpd names it in "reject: RCPT from ..." log lines and in policy protocol_state.
// Chosen by the caller per command; smtpd_delay_reject moves client/HELO/sender lists to RCPT.
package org.postern.policies.restrict;

/** The protocol stages of smtpd restriction lists, in session order. */
public enum Stage {
    CONNECT, HELO, MAIL, RCPT, DATA, END_OF_DATA;

    /**
     * The command name Postfix logs and sends as protocol_state: CONNECT, HELO or EHLO (after
     * ESMTP), MAIL, RCPT, DATA (also for BDAT), END-OF-MESSAGE.
     */
    public String where(String protocol) {
        return switch (this) {
            case HELO -> protocol != null && protocol.toUpperCase(java.util.Locale.ROOT).startsWith("ESMTP") ? "EHLO" : "HELO";
            case END_OF_DATA -> "END-OF-MESSAGE";
            default -> name();
        };
    }

    /** True when this stage comes at or after {@code other}. */
    boolean atLeast(Stage other) {
        return ordinal() >= other.ordinal();
    }
}
