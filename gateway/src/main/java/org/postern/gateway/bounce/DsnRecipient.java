// DsnRecipient: one recipient as a delivery status notification reports it (RFC 3464 section 2.3):
// address, ORCPT, Action, Status, and the Remote-MTA and Diagnostic-Code read back out of the reason
// text qmgr logged ("host mx[192.0.2.1] said: 550 5.1.1 ... (in reply to RCPT TO command)").
package org.postern.gateway.bounce;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postern.core.Recipient;
import org.postern.gateway.qmgr.BounceSink;

/**
 * @param address   the envelope recipient (Final-Recipient)
 * @param orcpt     RFC 3461 ORCPT as "type;address", or null (Original-Recipient)
 * @param original  the address the client gave before cleanup rewrote it, or null ("expanded from")
 * @param action    failed, delayed, relayed or delivered
 * @param status    an RFC 3463 code such as 5.1.1
 * @param reason    the text Postfix logs after status=, shown in the human-readable part
 * @param remoteMta the next hop's name when the reason quotes its reply, else null
 * @param diagnostic the Diagnostic-Code value: "smtp; reply" for a quoted reply, "X-Postern; reason" otherwise
 */
record DsnRecipient(String address, String orcpt, String original, String action, String status, String reason, String remoteMta,
                    String diagnostic) {
    /** Postfix's wording of a next hop's reply (SessionFailure.said). */
    private static final Pattern SAID =
            Pattern.compile("host (\\S+?)\\[([^\\]]*)\\] said: (.*?)(?: \\(in reply to [^)]*\\))?", Pattern.DOTALL);
    private static final Pattern STATUS = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");

    DsnRecipient {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(diagnostic, "diagnostic");
    }

    /** @param r the envelope recipient (ORCPT, original address), or null when unknown */
    static DsnRecipient failed(BounceSink.Bounced b, Recipient r) {
        return of(b.address(), r, "failed", b.dsn(), b.reason(), '5');
    }

    static DsnRecipient delayed(BounceSink.Delayed d, Recipient r) {
        return of(d.address(), r, "delayed", d.dsn(), d.reason(), '4');
    }

    static DsnRecipient succeeded(BounceSink.Succeeded s, Recipient r) {
        String action = "delivered".equalsIgnoreCase(s.action()) ? "delivered" : "relayed";
        return of(s.address(), r, action, s.dsn(), s.reason(), '2');
    }

    private static DsnRecipient of(String address, Recipient r, String action, String dsn, String reason, char cls) {
        String original = r == null || r.original() == null || r.original().equals(address) ? null : r.original();
        return of(address, r == null ? null : r.orcpt(), original, action, dsn, reason, cls);
    }

    /**
     * @param defaultClass the status class used when {@code dsn} is missing or malformed (5 failed,
     *                     4 delayed, 2 success). An expired recipient keeps its last 4.x.x code, as in Postfix.
     */
    static DsnRecipient of(String address, String orcpt, String original, String action, String dsn, String reason,
                           char defaultClass) {
        String status = dsn != null && STATUS.matcher(dsn).matches() ? dsn : defaultClass + ".0.0";
        String why = reason == null || reason.isBlank() ? "unknown reason" : reason;
        Matcher m = SAID.matcher(why);
        String remote = null;
        String diagnostic;
        if (m.matches()) {
            String name = m.group(1);
            remote = name.isEmpty() || name.equals("unknown") ? "[" + m.group(2) + "]" : name;
            diagnostic = "smtp; " + m.group(3);
        } else {
            diagnostic = "X-Postern; " + why;
        }
        return new DsnRecipient(address, orcpt == null || orcpt.isEmpty() ? null : orcpt, original, action, status, why,
                remote, diagnostic);
    }
}
