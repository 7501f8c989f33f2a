// PolicyEffects: what the restriction lists asked for a transaction besides accept/refuse --
// HOLD, DISCARD, FILTER, REDIRECT, BCC, PREPEND (access(5)) -- applied by cleanup when the message
// is queued. Reset with the transaction (RSET, new MAIL), as Postfix does.
package org.postern.gateway.smtpd;

import java.util.ArrayList;
import java.util.List;
import org.postern.policies.restrict.Decision;

final class PolicyEffects {
    boolean hold;
    boolean discard;
    String filter;
    String redirect;
    final List<String> bcc = new ArrayList<>();
    final List<String> prepend = new ArrayList<>();

    void record(Decision d) {
        switch (d.action()) {
            case HOLD: hold = true; break;
            case DISCARD: discard = true; break;
            case FILTER: filter = d.argument(); break;
            case REDIRECT: redirect = d.argument(); break;
            case BCC: bcc.add(d.argument()); break;
            case PREPEND: prepend.add(d.argument()); break;
            default: break;
        }
    }
}
