// ClientRestrictions: restrictions on who the client is -- permit_mynetworks (mynetworks),
// permit_sasl_authenticated (smtpd_sasl_auth_enable), reject_unknown_client_hostname and
// reject_unknown_reverse_client_hostname (unknown_client_reject_code; 450 when DNS failed).
package org.postern.policies.restrict;

import org.postern.policies.conf.NetworkList;
import org.postern.policies.restrict.SessionFacts.NameStatus;

/** Factories of synchronous client restrictions. */
final class ClientRestrictions {
    private ClientRestrictions() {}

    static Restriction permitMynetworks(Env env, Place p, String written) {
        NetworkList mynetworks = env.config.mynetworks();
        return new SyncRestriction(written, p.origin(), (f, self) -> mynetworks.contains(f.clientAddress())
                ? Decision.ok(self.origin(), self.name()) : Decision.dunno(self.origin(), self.name()));
    }

    /** OK for a client that authenticated, when SMTP AUTH is enabled. */
    static Restriction permitSaslAuthenticated(Env env, Place p, String written) {
        boolean enabled = env.saslEnabled;
        return new SyncRestriction(written, p.origin(), (f, self) -> enabled && f.authenticated()
                ? Decision.ok(self.origin(), self.name()) : Decision.dunno(self.origin(), self.name()));
    }

    /** The client name was not forward-confirmed: 450 after a DNS failure, else $unknown_client_reject_code. */
    static Restriction rejectUnknownClientHostname(Env env, Place p, String written) {
        int code = env.code("unknown_client_reject_code");
        return new SyncRestriction(written, p.origin(), (f, self) -> f.clientNameStatus() == NameStatus.OK
                ? Decision.dunno(self.origin(), self.name())
                : GenericRestrictions.reply(f, self, Action.REJECT,
                        f.clientNameStatus() == NameStatus.TEMPFAIL ? 450 : code, "4.7.25",
                        "Client host rejected: cannot find your hostname, [" + f.clientAddressText() + "]"));
    }

    /** The client address has no PTR name: 450 after a DNS failure, else $unknown_client_reject_code. */
    static Restriction rejectUnknownReverseClientHostname(Env env, Place p, String written) {
        int code = env.code("unknown_client_reject_code");
        return new SyncRestriction(written, p.origin(), (f, self) -> f.reverseClientNameStatus() == NameStatus.OK
                ? Decision.dunno(self.origin(), self.name())
                : GenericRestrictions.reply(f, self, Action.REJECT,
                        f.reverseClientNameStatus() == NameStatus.TEMPFAIL ? 450 : code, "4.7.1",
                        "Client host rejected: cannot find your reverse hostname, [" + f.clientAddressText() + "]"));
    }
}
