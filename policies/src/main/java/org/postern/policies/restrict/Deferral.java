// Deferral: a deferred 4xx verdict (defer_if_permit / DEFER_IF_PERMIT, a DNS failure of a reject_*
// restriction): it replaces the permit at the end of the RCPT, DATA or END-OF-MESSAGE checks. With
// smtpd_delay_reject = no the caller carries it from CONNECT/HELO/MAIL to RCPT in SessionFacts.
package org.postern.policies.restrict;

import java.util.Objects;
import org.postern.core.Origin;
import org.postern.core.SmtpReply;

/** The first reason recorded for a deferred verdict, and where it came from. */
public record Deferral(SmtpReply reply, Origin origin, String restriction) {
    public Deferral {
        Objects.requireNonNull(reply, "reply");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(restriction, "restriction");
    }
}
