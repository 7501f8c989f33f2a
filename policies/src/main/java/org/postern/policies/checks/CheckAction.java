// CheckAction: the actions of header_checks(5) / body_checks (Postfix 3.7 cleanup_act()), the first
// word of a matched table result; the rest of the result is the action's optional text. Used by
// MessageChecks for header_checks, mime_header_checks, nested_header_checks and body_checks.
package org.postern.policies.checks;

import java.util.Locale;

/** A content check action. Names are case-insensitive in tables. */
public enum CheckAction {
    /** Refuse the whole message (5.7.1 unless the text starts with a 4.x.x/5.x.x code); stop checking. */
    REJECT("reject"),
    /** Accept, then throw the message away; stop checking. */
    DISCARD("discard"),
    /** Queue the message in hold/ (the first HOLD only). */
    HOLD("hold"),
    /** Log a "warning:" record. */
    WARN("warning"),
    /** Log an "info:" record. */
    INFO("info"),
    /** Log a "pass:" record and stop checking this message. */
    PASS("pass"),
    /** Send the queued message through transport:destination (the last FILTER wins). */
    FILTER("filter"),
    /** Deliver to user@domain instead of the recipients (overrides FILTER); stop checking. */
    REDIRECT("redirect"),
    /** Add user@domain as a recipient with NOTIFY=NONE. */
    BCC("bcc"),
    /** Write the text as a line before the matched one ("name: value" before a header). */
    PREPEND("prepend"),
    /** Write the text instead of the matched line ("name: value" for a header). */
    REPLACE("replace"),
    /** Delete the matched line, silently. */
    IGNORE(null),
    /** Delete the matched line and log a "strip:" record. */
    STRIP("strip"),
    /** As if nothing matched. */
    DUNNO(null),
    /** Treated as DUNNO (backwards compatibility). */
    OK(null);

    private final String logLabel;

    CheckAction(String logLabel) {
        this.logLabel = logLabel;
    }

    /** The word Postfix logs for a match with this action ("reject", "warning", ...); null when it logs none. */
    public String logLabel() {
        return logLabel;
    }

    /** True for the actions that end content inspection of the message (Postfix clears CLEANUP_FLAG_FILTER). */
    public boolean stopsChecks() {
        return this == REJECT || this == DISCARD || this == REDIRECT || this == PASS;
    }

    /** A table result split as cleanup_act() does: the command, and the text after it (blanks skipped). */
    record Parsed(CheckAction action, String command, String text) {}

    /** Splits {@code value}; {@code action} is null when the command is unknown. */
    static Parsed parse(String value) {
        int end = 0;
        while (end < value.length() && value.charAt(end) != ' ' && value.charAt(end) != '\t') end++;
        String command = value.substring(0, end);
        int text = end;
        while (text < value.length() && Character.isWhitespace(value.charAt(text))) text++;
        CheckAction action = null;
        try {
            action = valueOf(command.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            // reported by the caller as "unknown command"
        }
        return new Parsed(action, command, value.substring(text));
    }
}
