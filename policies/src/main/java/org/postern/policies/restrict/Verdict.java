// Verdict: the outcome of the restriction lists of one SMTP command -- accept, or the reply to send;
// what decided (restriction and Origin); the side effects the mail transaction must apply (HOLD,
// DISCARD, FILTER, REDIRECT, BCC, PREPEND); and the mail-log lines to write. Built by SmtpdRestrictions.
package org.postern.policies.restrict;

import java.util.List;
import java.util.Objects;
import org.postern.core.SmtpReply;

/**
 * Immutable.
 *
 * @param stage           the command checked
 * @param reply           null when the command is accepted; else the 4xx/5xx reply to send
 * @param decidedBy       the decision that ended evaluation (a REJECT, an OK such as permit_mynetworks,
 *                        the DEFER_IF_PERMIT turned into the reply); null when the lists ran out (permit)
 * @param sideEffects     HOLD, DISCARD, FILTER, REDIRECT, BCC and PREPEND decisions in the order they
 *                        fired. They belong to the mail transaction even when this command is refused,
 *                        as in Postfix: HOLD/DISCARD flag the message, the last FILTER and the last
 *                        REDIRECT win, each BCC adds a recipient, each PREPEND adds a header line
 * @param log             the lines to write to the mail log, in order (the reject line included)
 * @param pendingDeferral with smtpd_delay_reject = no, from CONNECT, HELO and MAIL: a deferred verdict
 *                        to pass on in {@link SessionFacts#pendingDeferral()} of the next check; else null
 * @param discard         a DISCARD fired: accept, drop the message, and set {@link SessionFacts#discarded()}
 *                        for the rest of the transaction
 */
public record Verdict(Stage stage, SmtpReply reply, Decision decidedBy, List<Decision> sideEffects,
                      List<LogEvent> log, Deferral pendingDeferral, boolean discard) {

    public Verdict {
        Objects.requireNonNull(stage, "stage");
        sideEffects = List.copyOf(sideEffects);
        log = List.copyOf(log);
    }

    /** Accepted without evaluating anything (e.g. HELO with smtpd_delay_reject = yes). */
    static Verdict accept(Stage stage) {
        return new Verdict(stage, null, null, List.of(), List.of(), null, false);
    }

    public boolean accepted() {
        return reply == null;
    }

    /** Postfix's 421 and 521 replies: send the reply, then close the connection. */
    public boolean disconnect() {
        return reply != null && (reply.code() == 421 || reply.code() == 521);
    }

    /** The side effects of one kind, in order. */
    public List<Decision> effects(Action action) {
        return sideEffects.stream().filter(d -> d.action() == action).toList();
    }
}
