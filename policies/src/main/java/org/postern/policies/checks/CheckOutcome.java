// CheckOutcome: what header/body checks decided for one message, for the cleanup stage's end-of-data
// decision -- refuse (REJECT, MIME error, table failure), discard, hold, FILTER, REDIRECT, BCC --
// with Postfix's precedence. Produced by MessageChecks; immutable.
package org.postern.policies.checks;

import java.util.List;
import org.postern.core.Origin;
import org.postern.core.SmtpReply;

/**
 * The decisions, applied at end of data in this order:
 * <ol>
 *   <li>{@code reply != null}: refuse the message with it (550 or 451), keep nothing -- even when
 *       DISCARD or HOLD also fired. {@code replyOrigin} is the rule that decided (or builtin).</li>
 *   <li>{@code discard != null}: answer 250 as if queued, then drop the message.</li>
 *   <li>Otherwise queue it -- in hold/ when {@code hold != null} -- recording {@code redirect}
 *       (deliver to that one address instead of the recipients; overrides FILTER), else
 *       {@code filter} (send through transport:destination, overriding content_filter), and adding
 *       every {@code bcc} address as a recipient with NOTIFY=NONE.</li>
 * </ol>
 *
 * @param reply       the end-of-data reply when the message is refused, else null
 * @param replyOrigin the rule behind {@code reply} (table file:line, or builtin:cleanup), else null
 * @param discard     the DISCARD match, or null
 * @param hold        the first HOLD match, or null
 * @param filter      the last FILTER match (text: transport:destination), or null
 * @param redirect    the REDIRECT match (text: user@domain), or null
 * @param bcc         BCC addresses in match order, without duplicates
 */
public record CheckOutcome(SmtpReply reply, Origin replyOrigin, CheckResult discard, CheckResult hold,
                           CheckResult filter, CheckResult redirect, List<String> bcc) {

    /** Nothing matched. */
    public static final CheckOutcome NONE = new CheckOutcome(null, null, null, null, null, null, List.of());

    public CheckOutcome {
        bcc = List.copyOf(bcc);
        if ((reply == null) != (replyOrigin == null)) throw new IllegalArgumentException("reply needs its origin");
    }

    /** True when the message must be refused with {@link #reply()}. */
    public boolean refused() {
        return reply != null;
    }

    /** True when the message must be accepted and dropped. */
    public boolean discarded() {
        return reply == null && discard != null;
    }

    /** True when the message must be queued in hold/. */
    public boolean held() {
        return reply == null && discard == null && hold != null;
    }

    /** The FILTER transport:destination to record, or null (none, or REDIRECT overrides it). */
    public String filterNexthop() {
        return redirect == null && filter != null ? filter.text() : null;
    }

    /** The REDIRECT address to record, or null. */
    public String redirectAddress() {
        return redirect == null ? null : redirect.text();
    }
}
