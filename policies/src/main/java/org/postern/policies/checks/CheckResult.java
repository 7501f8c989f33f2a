// CheckResult: one header_checks/body_checks match -- what matched (the logical header or body
// line), the table rule that matched (Origin file:line), the action and its text -- as handed to
// the cleanup stage for its mail log line (CheckLog) while the message streams into the queue.
package org.postern.policies.checks;

import java.util.Objects;
import org.postern.core.Origin;
import org.postern.core.SmtpReply;

/**
 * A table match and what was made of it.
 *
 * @param where   header or body (Postfix logs "header" / "body")
 * @param checks  the parameter whose tables matched: header_checks, mime_header_checks,
 *                nested_header_checks or body_checks
 * @param input   the matched logical header (continuation lines joined with '\n') or body line
 * @param origin  the table rule that matched (file:line)
 * @param action  the action; DUNNO when the result was unusable (see {@code problem})
 * @param text    the action's text as Postfix logs it: for REJECT the reason with its status code
 *                ("5.7.1 text"), else the optional text after the action word ("" if none)
 * @param reply   for REJECT, the reply at end of data (550 for 5.x.x, 451 for 4.x.x); else null
 * @param problem null, or why the result was not (fully) applied, e.g. an unknown action or a
 *                PREPEND text that is not a header; log it as a warning
 * @param logged  true when Postfix's cleanup logs this match (see {@link CheckLog#line}); false for
 *                IGNORE, DUNNO, OK, a HOLD after HOLD or DISCARD, and unusable results
 */
public record CheckResult(Where where, String checks, String input, Origin origin, CheckAction action, String text,
                          SmtpReply reply, String problem, boolean logged) {

    /** Where the match happened. */
    public enum Where {
        HEADER("header"), BODY("body");

        private final String label;

        Where(String label) {
            this.label = label;
        }

        /** "header" or "body", as in Postfix's log lines. */
        public String label() {
            return label;
        }
    }

    public CheckResult {
        Objects.requireNonNull(where, "where");
        Objects.requireNonNull(checks, "checks");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(text, "text");
        if ((reply != null) != (action == CheckAction.REJECT)) {
            throw new IllegalArgumentException("a reply comes with REJECT, and only with REJECT");
        }
    }

    CheckResult notLogged() {
        return new CheckResult(where, checks, input, origin, action, text, reply, problem, false);
    }

    @Override
    public String toString() {
        return checks + " " + origin + ": " + action + (text.isEmpty() ? "" : " " + text) + " <- " + where.label()
                + " " + input.replace("\n", "\\n");
    }
}
