// SenderLogin: reject_sender_login_mismatch and its halves -- reject_authenticated_sender_login_mismatch,
// reject_known_sender_login_mismatch, reject_unauthenticated_sender_login_mismatch: MAIL FROM must be
// owned (smtpd_sender_login_maps) by the SASL login; replies 553 5.7.1 as Postfix.
package org.postern.policies.restrict;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.postern.core.SmtpReply;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.table.TableEntry;
import org.postern.policies.table.TableLookupException;

/** Factories of the sender-login restrictions (synchronous: the maps are in memory). */
final class SenderLogin {
    private SenderLogin() {}

    /** Which checks run: for logged-in clients (and whether unknown senders pass), for the others. */
    enum Mode { AUTHENTICATED, KNOWN, UNAUTHENTICATED, BOTH }

    static Restriction create(Env env, Place p, String written, Mode mode) throws ConfigException {
        AddressMaps maps = env.addressMaps("smtpd_sender_login_maps");
        if (maps.isEmpty()) {
            throw Env.error(p, "restriction \"" + written + "\" needs smtpd_sender_login_maps, which is empty");
        }
        if (!env.saslEnabled) {
            env.warn(p.origin(), "restriction `" + written + "' ignored: no SASL support (smtpd_sasl_auth_enable = no)");
        }
        boolean enabled = env.saslEnabled;
        return new SyncRestriction(written, p.origin(), (f, self) -> {
            String sender = f.sender();
            if (!enabled || sender == null || sender.isEmpty()) return Decision.dunno(self.origin(), self.name());
            String key = Addresses.qualify(sender, env.myorigin).toLowerCase(Locale.ROOT);
            Optional<TableEntry> owners;
            try {
                owners = maps.find(key);
            } catch (TableLookupException e) {
                return Decision.reply(Action.TEMPFAIL, SmtpReply.of(451, "4.3.0", "<" + sender + ">: Temporary lookup failure"),
                        self.origin(), self.name()).withWarnings(List.of(e.getMessage()));
            }
            boolean loggedIn = f.authenticated();
            boolean checkAuth = loggedIn && mode != Mode.UNAUTHENTICATED;
            boolean checkUnauth = !loggedIn && mode != Mode.AUTHENTICATED;
            if (checkAuth) {
                if (owners.isEmpty() && mode == Mode.KNOWN) return Decision.dunno(self.origin(), self.name());
                if (owners.isPresent() && owns(owners.get().value(), f.saslUsername())) {
                    return Decision.dunno(owners.get().origin(), self.name());
                }
                return GenericRestrictions.reply(f, self, Action.REJECT, 553, "5.7.1",
                        "<" + sender + ">: Sender address rejected: not owned by user " + f.saslUsername());
            }
            if (checkUnauth && owners.isPresent()) {
                return GenericRestrictions.reply(f, self, Action.REJECT, 553, "5.7.1",
                        "<" + sender + ">: Sender address rejected: not logged in");
            }
            return Decision.dunno(self.origin(), self.name());
        });
    }

    /** The login is one of the owners (commas and/or spaces), compared case-insensitively. */
    private static boolean owns(String owners, String login) {
        for (String o : Tokens.split(owners)) {
            if (o.equalsIgnoreCase(login)) return true;
        }
        return false;
    }
}
