// HostnameRestrictions: syntax checks without DNS -- reject_invalid_helo_hostname
// (invalid_hostname_reject_code), reject_non_fqdn_helo_hostname, reject_non_fqdn_sender and
// reject_non_fqdn_recipient (non_fqdn_reject_code) -- with Postfix's exact reply texts.
package org.postern.policies.restrict;

/** Factories of synchronous syntax restrictions. */
final class HostnameRestrictions {
    private HostnameRestrictions() {}

    static Restriction rejectInvalidHeloHostname(Env env, Place p, String written) {
        int code = env.code("invalid_hostname_reject_code");
        return new SyncRestriction(written, p.origin(), (f, self) -> {
            String helo = f.heloName();
            if (helo == null) return Decision.dunno(self.origin(), self.name());
            if (helo.startsWith("[")) return invalidHostaddr(f, self, code);
            String name = Addresses.dropDot(helo);
            if (Addresses.validHostname(name, false) || Addresses.validHostaddr(name)) {
                return Decision.dunno(self.origin(), self.name());
            }
            return heloReply(f, self, code, "Invalid name");
        });
    }

    static Restriction rejectNonFqdnHeloHostname(Env env, Place p, String written) {
        int code = env.code("non_fqdn_reject_code");
        int badAddr = env.code("invalid_hostname_reject_code");
        return new SyncRestriction(written, p.origin(), (f, self) -> {
            String helo = f.heloName();
            if (helo == null) return Decision.dunno(self.origin(), self.name());
            if (helo.startsWith("[")) return invalidHostaddr(f, self, badAddr);
            String name = Addresses.dropDot(helo);
            if (Addresses.validHostname(name, f.smtputf8()) && name.indexOf('.') >= 0) {
                return Decision.dunno(self.origin(), self.name());
            }
            return heloReply(f, self, code, "need fully-qualified hostname");
        });
    }

    /** A HELO address literal: [a.b.c.d] or [IPv6:...] must be well-formed ($invalid_hostname_reject_code). */
    static Decision invalidHostaddr(SessionFacts f, Restriction self, int code) {
        String helo = f.heloName();
        String inner = helo.length() > 2 && helo.endsWith("]") ? helo.substring(1, helo.length() - 1) : helo;
        if (Addresses.validMailhostAddr(inner)) return Decision.dunno(self.origin(), self.name());
        return heloReply(f, self, code, "invalid ip address");
    }

    private static Decision heloReply(SessionFacts f, Restriction self, int code, String why) {
        return GenericRestrictions.reply(f, self, Action.REJECT, code, "5.5.2",
                "<" + f.heloName() + ">: " + ReplyClass.HELO.text() + " rejected: " + why);
    }

    static Restriction rejectNonFqdnSender(Env env, Place p, String written) {
        return nonFqdnAddress(env, p, written, ReplyClass.SENDER);
    }

    static Restriction rejectNonFqdnRecipient(Env env, Place p, String written) {
        return nonFqdnAddress(env, p, written, ReplyClass.RECIPIENT);
    }

    private static Restriction nonFqdnAddress(Env env, Place p, String written, ReplyClass cls) {
        int code = env.code("non_fqdn_reject_code");
        return new SyncRestriction(written, p.origin(), (f, self) -> {
            String addr = cls.replyName(f);
            boolean absent = cls == ReplyClass.SENDER ? f.sender() == null || f.sender().isEmpty() : f.recipient() == null;
            if (absent) return Decision.dunno(self.origin(), self.name());
            int at = addr.lastIndexOf('@');
            String domain = at < 0 ? "" : addr.substring(at + 1);
            if (Addresses.isLiteral(domain)) return Decision.dunno(self.origin(), self.name());
            String d = Addresses.dropDot(domain);
            if (!d.isEmpty() && Addresses.validHostname(d, f.smtputf8()) && d.indexOf('.') >= 0) {
                return Decision.dunno(self.origin(), self.name());
            }
            return GenericRestrictions.reply(f, self, Action.REJECT, code, "4.5.2",
                    "<" + addr + ">: " + cls.text() + " rejected: need fully-qualified address");
        });
    }
}
