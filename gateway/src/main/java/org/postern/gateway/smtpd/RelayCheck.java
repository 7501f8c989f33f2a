// RelayCheck: the built-in anti-relay rule at RCPT (Postfix's permit_mynetworks,
// permit_sasl_authenticated, reject_unauth_destination): mydestination and relay_domains accept
// from anyone, other domains only from trusted clients. Routed local parts never count as ours.
package org.postern.gateway.smtpd;

import java.net.IDN;
import java.util.Locale;
import org.postern.core.SmtpReply;

final class RelayCheck {
    private RelayCheck() {}

    /**
     * Address rewriting that Postfix's trivial-rewrite does before the relay decision, each only when
     * main.cf enables it: swap_bangpath ("host!user" to "user@host"), allow_percent_hack
     * ("user%host@ours" to "user@host"), and append_at_myorigin for a bare local part.
     */
    static MailAddress rewrite(MailAddress a, SmtpdSettings st) {
        if (!a.hasDomain() && st.swapBangpath()) {
            int bang = a.localPart().indexOf('!');
            if (bang > 0 && bang < a.localPart().length() - 1) {
                a = new MailAddress(a.localPart().substring(bang + 1), a.localPart().substring(0, bang).toLowerCase(Locale.ROOT));
            }
        }
        if (!a.hasDomain()) a = a.withDomain(st.myorigin());
        if (st.allowPercentHack() && isLocal(a.domain(), st)) {
            int pct = a.localPart().lastIndexOf('%');
            if (pct > 0 && pct < a.localPart().length() - 1) {
                a = new MailAddress(a.localPart().substring(0, pct), a.localPart().substring(pct + 1).toLowerCase(Locale.ROOT));
            }
        }
        return a;
    }

    /** The refusal for this recipient, or null when it may be accepted. */
    static SmtpReply check(MailAddress rcpt, String asGiven, boolean trustedClient, SmtpdSettings st) {
        if (trustedClient) return null;
        boolean authorized = !rcpt.isRouted() && !rcpt.isLiteral()
                && (isLocal(rcpt.domain(), st) || st.relayDomains().matches(ascii(rcpt.domain())));
        if (authorized) return null;
        return SmtpReply.of(554, "5.7.1", "<" + asGiven + ">: Relay access denied");
    }

    private static boolean isLocal(String domain, SmtpdSettings st) {
        return st.mydestination().matches(ascii(domain));
    }

    /** Domain lists hold ASCII (A-label) names; an SMTPUTF8 U-label domain is compared in that form. */
    static String ascii(String domain) {
        try {
            return IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return domain;
        }
    }
}
