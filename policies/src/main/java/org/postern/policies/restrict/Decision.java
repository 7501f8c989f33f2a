// Decision: the answer of one restriction for one session -- an Action, the SMTP reply where there
// is one, the action's argument (header, address, transport:destination), the Origin that decided
// (main.cf:line of the restriction or table file:line of the access entry) and the text to log.
package org.postern.policies.restrict;

import java.util.List;
import java.util.Objects;
import org.postern.core.Origin;
import org.postern.core.SmtpReply;

/**
 * Immutable.
 *
 * @param reply       for REJECT, DEFER, TEMPFAIL, DEFER_IF_PERMIT and DEFER_IF_REJECT; else null
 * @param argument    FILTER: transport:destination; REDIRECT, BCC: the address; PREPEND: the header
 *                    line; else null
 * @param text        what Postfix logs after "hold:", "discard:", "filter:", "redirect:", "bcc:",
 *                    "warn:" or "info:", e.g. {@code <a@b>: Sender address triggers HOLD action}; else null
 * @param origin      where the rule that decided is written
 * @param restriction the restriction as written, e.g. {@code check_sender_access hash:/etc/postern/access}
 * @param warnings    configuration problems met on the way (Postfix's msg_warn), to be logged as warnings
 */
public record Decision(Action action, SmtpReply reply, String argument, String text, Origin origin,
                       String restriction, List<String> warnings) {

    public Decision {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(restriction, "restriction");
        warnings = List.copyOf(warnings);
        boolean needsReply = action == Action.REJECT || action == Action.DEFER || action == Action.TEMPFAIL
                || action == Action.DEFER_IF_PERMIT || action == Action.DEFER_IF_REJECT;
        if (needsReply != (reply != null)) throw new IllegalArgumentException(action + " with reply " + reply);
    }

    public static Decision dunno(Origin origin, String restriction) {
        return new Decision(Action.DUNNO, null, null, null, origin, restriction, List.of());
    }

    public static Decision ok(Origin origin, String restriction) {
        return new Decision(Action.OK, null, null, null, origin, restriction, List.of());
    }

    /** REJECT, DEFER, TEMPFAIL, DEFER_IF_PERMIT or DEFER_IF_REJECT with {@code reply}. */
    public static Decision reply(Action action, SmtpReply reply, Origin origin, String restriction) {
        return new Decision(action, reply, null, null, origin, restriction, List.of());
    }

    /** A side effect or log action (HOLD, DISCARD, FILTER, REDIRECT, BCC, PREPEND, WARN, INFO). */
    public static Decision effect(Action action, String argument, String text, Origin origin, String restriction) {
        return new Decision(action, null, argument, text, origin, restriction, List.of());
    }

    /** Postfix's "451 4.3.5 Server configuration error", with the warnings that explain it. */
    public static Decision configError(Origin origin, String restriction, List<String> warnings) {
        return new Decision(Action.TEMPFAIL, SmtpReply.of(451, "4.3.5", "Server configuration error"), null, null,
                origin, restriction, warnings);
    }

    /** This decision with more warnings to log. */
    public Decision withWarnings(List<String> more) {
        if (more.isEmpty()) return this;
        List<String> all = new java.util.ArrayList<>(warnings);
        all.addAll(more);
        return new Decision(action, reply, argument, text, origin, restriction, all);
    }

    /** For logs and test failures: {@code REJECT 554 5.7.1 ... (check_client_access hash:x at access:3)}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(action.name());
        if (reply != null) sb.append(' ').append(reply.oneLine());
        if (argument != null) sb.append(' ').append(argument);
        return sb.append(" (").append(restriction).append(" at ").append(origin).append(')').toString();
    }
}
