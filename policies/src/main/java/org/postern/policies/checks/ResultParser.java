// ResultParser: turns a matched header_checks/body_checks table result ("REJECT text", "PREPEND
// X-Foo: bar", ...) into a CheckResult as Postfix's cleanup_act() would act on it, with its
// warnings (unknown action, PREPEND text that is not a header, REDIRECT without @, ...).
package org.postern.policies.checks;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postern.core.SmtpReply;
import org.postern.policies.table.TableEntry;

/** Table result to CheckResult. */
final class ResultParser {
    private ResultParser() {}

    /** RFC 3463 status code at the start of a REJECT text (Postfix dsn_valid). */
    private static final Pattern DSN = Pattern.compile("([245])\\.(\\d{1,3})\\.(\\d{1,3})(?=\\s|$)");

    /** Longest reply line, CRLF excluded (RFC 5321 4.5.3.1.5); as in org.postern.policies.restrict.Replies. */
    static final int MAX_REPLY = 510;

    /** Postfix's reply when REJECT has no text. */
    static final String DEFAULT_REJECT = "message content rejected";

    /**
     * The result of {@code entry} matching {@code input}.
     *
     * @param checks the parameter whose table matched (for the warnings, as Postfix names the "map")
     */
    static CheckResult parse(CheckResult.Where where, String checks, String input, TableEntry entry) {
        String value = entry.value();
        CheckAction.Parsed p = CheckAction.parse(value);
        String text = p.text();
        String problem = null;
        if (p.action() == null) {
            problem = "unknown command in " + checks + " map: " + value;
        } else {
            switch (p.action()) {
                case REJECT -> {
                    return reject(where, checks, input, entry, text);
                }
                case FILTER -> {
                    if (text.isEmpty()) problem = "missing FILTER command argument in " + checks + " map";
                    else if (text.indexOf(':') < 0) {
                        problem = "bad FILTER command " + text + " in " + checks + " -- need transport:destination";
                    }
                }
                case PREPEND, REPLACE -> {
                    if (text.isEmpty()) {
                        problem = p.action() + " action without text in " + checks + " map";
                    } else if (where == CheckResult.Where.HEADER && !HeaderSyntax.isHeader(text)) {
                        problem = "bad " + p.action() + " header text \"" + text + "\" in " + checks
                                + " map -- need \"headername: headervalue\"";
                    }
                }
                case REDIRECT, BCC -> {
                    if (text.indexOf('@') < 0) {
                        problem = "bad " + (p.action() == CheckAction.BCC ? "BCC address" : "REDIRECT target") + " \""
                                + text + "\" in " + checks + " map -- need user@domain";
                    }
                }
                default -> { }
            }
        }
        if (problem != null) {
            return new CheckResult(where, checks, input, entry.origin(), CheckAction.DUNNO, text, null,
                    entry.origin() + ": " + problem, false);
        }
        return new CheckResult(where, checks, input, entry.origin(), p.action(), text, null, null,
                p.action().logLabel() != null);
    }

    /**
     * REJECT [text]: the reason is "d.d.d text" with 5.7.1 unless the text starts with a status
     * code; a 2.x.x code is turned into 4.x.x with a warning. 4.x.x means 451 (try again later).
     */
    private static CheckResult reject(CheckResult.Where where, String checks, String input, TableEntry entry,
                                      String text) {
        String dsn = "5.7.1";
        String detail = text.isEmpty() ? DEFAULT_REJECT : text;
        String problem = null;
        Matcher m = DSN.matcher(text);
        if (m.lookingAt()) {
            dsn = m.group();
            detail = text.substring(m.end()).stripLeading();
            if (dsn.charAt(0) == '2') {
                problem = entry.origin() + ": bad DSN action in " + text + " -- need 4.x.x or 5.x.x";
                dsn = "4" + dsn.substring(1);
            }
        }
        detail = replyText(detail, dsn);
        SmtpReply reply = SmtpReply.of(dsn.charAt(0) == '4' ? 451 : 550, dsn, detail);
        return new CheckResult(where, checks, input, entry.origin(), CheckAction.REJECT, dsn + " " + detail, reply,
                problem, true);
    }

    /**
     * The text as one SMTP reply line: control characters (the CR or line breaks a $1 copies from the
     * message) become spaces, and it is cut so that "550 5.7.1 text" fits RFC 5321's 512 octets.
     */
    static String replyText(String detail, String dsn) {
        StringBuilder sb = new StringBuilder(Math.min(detail.length(), MAX_REPLY));
        int room = MAX_REPLY - 4 - dsn.length() - 1;
        for (int i = 0; i < detail.length(); i++) {
            char c = detail.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < detail.length()
                    && Character.isLowSurrogate(detail.charAt(i + 1));
            int octets = pair ? 4 : c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
            if ((room -= octets) < 0) break;
            if (pair) {
                sb.append(c).append(detail.charAt(++i));
            } else {
                sb.append(c < ' ' || c == 0x7f ? ' ' : c);
            }
        }
        return sb.toString();
    }
}
