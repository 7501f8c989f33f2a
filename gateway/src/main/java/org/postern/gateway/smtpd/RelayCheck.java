// RelayCheck: the address rewriting Postfix's trivial-rewrite does at RCPT before the relay decision
// (swap_bangpath, allow_percent_hack, append_at_myorigin). The decision itself is the restriction
// lists' (smtpd_relay_restrictions: permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination).
package org.postern.gateway.smtpd;

import java.net.IDN;
import java.util.Locale;

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
