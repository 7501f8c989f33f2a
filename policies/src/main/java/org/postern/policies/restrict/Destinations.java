// Destinations: relay control and recipient validation -- permit_auth_destination,
// reject_unauth_destination / defer_unauth_destination (relay_domains_reject_code), and
// reject_unlisted_recipient / reject_unlisted_sender (relay_recipient_maps; mydestination: see below).
package org.postern.policies.restrict;

import java.net.IDN;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.postern.core.Origin;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.restrict.Evaluation.Status;
import org.postern.policies.table.TableEntry;
import org.postern.policies.table.TableLookupException;

/** Factories and the "authorized destination" rule. */
final class Destinations {
    private Destinations() {}

    /** Where an address goes, as far as smtpd's checks care (trivial-rewrite's address classes). */
    enum AddressClass { LOCAL, RELAY, OTHER }

    /**
     * permit_auth_destination's rule: the domain (a bare local part gets @$myorigin) matches
     * mydestination or relay_domains, and the local part has no sender-specified routing ('@', '%',
     * '!') unless allow_untrusted_routing = yes. Address literals are never authorized.
     */
    static boolean authorized(Env env, String recipient) {
        String addr = Addresses.qualify(recipient, env.myorigin);
        if (addr.lastIndexOf('@') < 0) return true;
        if (Addresses.isRouted(addr) && !env.config.getBool("allow_untrusted_routing")) return false;
        return classOf(env, addr) != AddressClass.OTHER;
    }

    static AddressClass classOf(Env env, String qualified) {
        String domain = ascii(Addresses.domain(qualified));
        if (domain.isEmpty() || Addresses.isLiteral(domain)) return AddressClass.OTHER;
        if (env.config.mydestination().matches(domain)) return AddressClass.LOCAL;
        if (env.config.relayDomains().matches(domain)) return AddressClass.RELAY;
        return AddressClass.OTHER;
    }

    /** Domain lists hold A-labels; an SMTPUTF8 U-label domain is compared in that form. */
    static String ascii(String domain) {
        try {
            return IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return domain;
        }
    }

    static Restriction permitAuthDestination(Env env, Place p, String written) {
        return new SyncRestriction(written, p.origin(), (f, self) -> f.recipient() != null && authorized(env, f.recipient())
                ? Decision.ok(self.origin(), self.name()) : Decision.dunno(self.origin(), self.name()));
    }

    /** $relay_domains_reject_code 5.7.1 (defer_unauth_destination: that minus 100, 4.7.1) Relay access denied. */
    static Restriction rejectUnauthDestination(Env env, Place p, String written, boolean defer) {
        int code = env.code("relay_domains_reject_code") - (defer ? 100 : 0);
        String dsn = defer ? "4.7.1" : "5.7.1";
        return new SyncRestriction(written, p.origin(), (f, self) -> f.recipient() == null || authorized(env, f.recipient())
                ? Decision.dunno(self.origin(), self.name())
                : GenericRestrictions.reply(f, self, defer ? Action.DEFER : Action.REJECT, code, dsn,
                        "<" + f.recipient() + ">: Relay access denied"));
    }

    static Restriction rejectUnlistedRecipient(Env env, Place p, String written) throws ConfigException {
        return new Unlisted(written, p.origin(), env, env.addressMaps("relay_recipient_maps"), ReplyClass.RECIPIENT);
    }

    static Restriction rejectUnlistedSender(Env env, Place p, String written) throws ConfigException {
        return new Unlisted(written, p.origin(), env, env.addressMaps("relay_recipient_maps"), ReplyClass.SENDER);
    }

    /**
     * Postfix's check_rcpt_maps for the relay class: an address in relay_domains must be in
     * relay_recipient_maps (when set). Postern has no local delivery, hence no local_recipient_maps:
     * addresses in mydestination count as listed. Runs once per address (also as the implicit check
     * of smtpd_reject_unlisted_recipient / smtpd_reject_unlisted_sender).
     */
    record Unlisted(String name, Origin origin, Env env, AddressMaps maps, ReplyClass cls) implements Stateful {
        @Override
        public CompletionStage<Status> evaluate(Evaluation ev) {
            SessionFacts f = ev.facts;
            String addr = cls == ReplyClass.SENDER ? f.sender() : f.recipient();
            if (addr == null || addr.isEmpty()) return RestrictionList.done(Status.DUNNO);
            boolean checked = cls == ReplyClass.SENDER ? ev.senderMapChecked : ev.recipientMapChecked;
            if (checked) return RestrictionList.done(Status.DUNNO);
            if (ev.warnLevel == 0) {
                if (cls == ReplyClass.SENDER) ev.senderMapChecked = true;
                else ev.recipientMapChecked = true;
            }
            return RestrictionList.done(ev.apply(decide(f, addr)));
        }

        private Decision decide(SessionFacts f, String addr) {
            String qualified = Addresses.qualify(addr, env.myorigin).toLowerCase(Locale.ROOT);
            if (maps.isEmpty() || classOf(env, qualified) != AddressClass.RELAY) return Decision.dunno(origin, name);
            Optional<TableEntry> found;
            try {
                found = maps.find(qualified);
            } catch (TableLookupException e) {
                return Decision.reply(Action.TEMPFAIL, org.postern.core.SmtpReply.of(451, "4.3.0",
                        "<" + addr + ">: Temporary lookup failure"), origin, name).withWarnings(List.of(e.getMessage()));
            }
            if (found.isPresent()) return Decision.dunno(found.get().origin(), name);
            String table = env.config.getBool("show_user_unknown_table_name") ? " in relay recipient table" : "";
            return GenericRestrictions.reply(f, this, Action.REJECT, env.code("unknown_relay_recipient_reject_code"),
                    cls == ReplyClass.SENDER ? "5.1.0" : "5.1.1",
                    "<" + addr + ">: " + cls.text() + " rejected: User unknown" + table);
        }
    }
}
