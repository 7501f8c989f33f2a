// Destinations: relay control and recipient validation -- permit_auth_destination,
// reject_unauth_destination / defer_unauth_destination (relay_domains_reject_code), and
// reject_unlisted_recipient / reject_unlisted_sender (relocated_maps, virtual_alias_domains,
// relay_recipient_maps; canonical and virtual alias addresses count as listed; mydestination: see below).
package org.postern.policies.restrict;

import java.net.IDN;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.postern.core.Origin;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.Diagnostic;
import org.postern.policies.restrict.Evaluation.Status;
import org.postern.policies.table.TableEntry;
import org.postern.policies.table.TableLookupException;

/** Factories and the "authorized destination" rule. */
final class Destinations {
    private Destinations() {}

    /**
     * Where an address goes, as far as smtpd's checks care (trivial-rewrite's address classes): ALIAS
     * is a domain in virtual_alias_domains; FAIL means a virtual_alias_domains table could not answer.
     */
    enum AddressClass { LOCAL, ALIAS, RELAY, OTHER, FAIL }

    /**
     * permit_auth_destination's rule: the domain (a bare local part gets @$myorigin) matches
     * mydestination or relay_domains, and the local part has no sender-specified routing ('@', '%',
     * '!') unless allow_untrusted_routing = yes. Address literals are never authorized.
     */
    static boolean authorized(Env env, String recipient) {
        String addr = Addresses.qualify(recipient, env.myorigin);
        if (addr.lastIndexOf('@') < 0) return true;
        if (Addresses.isRouted(addr) && !env.config.getBool("allow_untrusted_routing")) return false;
        AddressClass c = classOf(env, addr);
        return c != AddressClass.OTHER && c != AddressClass.FAIL;
    }

    /** trivial-rewrite's order: mydestination, then virtual_alias_domains, then relay_domains. */
    static AddressClass classOf(Env env, String qualified) {
        String domain = ascii(Addresses.domain(qualified));
        if (domain.isEmpty() || Addresses.isLiteral(domain)) return AddressClass.OTHER;
        if (env.config.mydestination().matches(domain)) return AddressClass.LOCAL;
        try {
            if (env.loadedVirtualAliasDomains().matches(domain)) return AddressClass.ALIAS;
        } catch (TableLookupException e) {
            return AddressClass.FAIL;
        }
        if (env.config.relayDomains().matches(domain)) return AddressClass.RELAY;
        return AddressClass.OTHER;
    }

    /** True when deciding about {@code recipient} needs a virtual_alias_domains table that failed. */
    private static boolean lookupFails(Env env, String recipient) {
        return classOf(env, Addresses.qualify(recipient, env.myorigin)) == AddressClass.FAIL;
    }

    /** Postfix's reject_dict_retry: 451 4.3.0 {@code <address>: Temporary lookup failure}. */
    static Decision temporaryFailure(String address, Origin origin, String name, String warning) {
        return Decision.reply(Action.TEMPFAIL, org.postern.core.SmtpReply.of(451, "4.3.0",
                "<" + address + ">: Temporary lookup failure"), origin, name).withWarnings(List.of(warning));
    }

    /** Domain lists hold A-labels; an SMTPUTF8 U-label domain is compared in that form. */
    static String ascii(String domain) {
        try {
            return IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return domain;
        }
    }

    static Restriction permitAuthDestination(Env env, Place p, String written) throws ConfigException {
        env.virtualAliasDomains();
        return new SyncRestriction(written, p.origin(), (f, self) -> {
            if (f.recipient() == null) return Decision.dunno(self.origin(), self.name());
            if (lookupFails(env, f.recipient())) {
                return temporaryFailure(f.recipient(), self.origin(), self.name(), "virtual_alias_domains lookup failure");
            }
            return authorized(env, f.recipient()) ? Decision.ok(self.origin(), self.name())
                    : Decision.dunno(self.origin(), self.name());
        });
    }

    /** $relay_domains_reject_code 5.7.1 (defer_unauth_destination: that minus 100, 4.7.1) Relay access denied. */
    static Restriction rejectUnauthDestination(Env env, Place p, String written, boolean defer) throws ConfigException {
        env.virtualAliasDomains();
        int code = env.code("relay_domains_reject_code") - (defer ? 100 : 0);
        String dsn = defer ? "4.7.1" : "5.7.1";
        return new SyncRestriction(written, p.origin(), (f, self) -> {
            if (f.recipient() == null) return Decision.dunno(self.origin(), self.name());
            if (lookupFails(env, f.recipient())) {
                return temporaryFailure(f.recipient(), self.origin(), self.name(), "virtual_alias_domains lookup failure");
            }
            return authorized(env, f.recipient()) ? Decision.dunno(self.origin(), self.name())
                    : GenericRestrictions.reply(f, self, defer ? Action.DEFER : Action.REJECT, code, dsn,
                            "<" + f.recipient() + ">: Relay access denied");
        });
    }

    static Restriction rejectUnlistedRecipient(Env env, Place p, String written) throws ConfigException {
        return new Unlisted(written, p.origin(), env, RecipientMaps.load(env), ReplyClass.RECIPIENT);
    }

    static Restriction rejectUnlistedSender(Env env, Place p, String written) throws ConfigException {
        return new Unlisted(written, p.origin(), env, RecipientMaps.load(env), ReplyClass.SENDER);
    }

    /**
     * The tables check_rcpt_maps consults: relay_recipient_maps; the tables that make an address valid
     * whatever its class (recipient_canonical_maps, canonical_maps, virtual_alias_maps); relocated_maps.
     */
    record RecipientMaps(AddressMaps relayRecipients, List<AddressMaps> known, AddressMaps relocated,
                         AddressMaps localRecipients, boolean localDeliveryDisabled) {
        static RecipientMaps load(Env env) throws ConfigException {
            List<Diagnostic> errors = new ArrayList<>();
            List<AddressMaps> known = new ArrayList<>();
            AddressMaps relay = null;
            AddressMaps relocated = null;
            AddressMaps local = null;
            try {
                env.virtualAliasDomains();
            } catch (ConfigException e) {
                errors.addAll(e.diagnostics());
            }
            try {
                relay = env.addressMaps("relay_recipient_maps");
            } catch (ConfigException e) {
                errors.addAll(e.diagnostics());
            }
            for (String parameter : List.of("recipient_canonical_maps", "canonical_maps", "virtual_alias_maps")) {
                try {
                    known.add(env.localAddressMaps(parameter));
                } catch (ConfigException e) {
                    errors.addAll(e.diagnostics());
                }
            }
            try {
                relocated = env.localAddressMaps("relocated_maps");
            } catch (ConfigException e) {
                errors.addAll(e.diagnostics());
            }
            try {
                local = env.localAddressMaps("local_recipient_maps");
            } catch (ConfigException e) {
                errors.addAll(e.diagnostics());
            }
            if (!errors.isEmpty()) throw new ConfigException(errors);
            String localTransport = env.config.get("local_transport");
            int colon = localTransport.indexOf(':'); // transport[:nexthop], as trivial-rewrite splits it
            boolean disabled = (colon < 0 ? localTransport : localTransport.substring(0, colon)).strip().equalsIgnoreCase("error");
            return new RecipientMaps(relay, List.copyOf(known), relocated, local, disabled);
        }
    }

    /**
     * Postfix's check_rcpt_maps (smtpd_check.c) with trivial-rewrite's resolve: an address that
     * recipient_canonical_maps, canonical_maps or virtual_alias_maps list is valid; one in
     * relocated_maps is refused "User has moved to ..." (5.1.6); one in virtual_alias_domains that
     * virtual_alias_maps lacks is "User unknown in virtual alias table" (5.1.1,
     * unknown_virtual_alias_reject_code); one in relay_domains must be in relay_recipient_maps (when
     * set); one in mydestination must be in local_recipient_maps (when set) -- "User unknown in local
     * recipient table" (unknown_local_recipient_reject_code). Postern has no local delivery agent: with
     * local_recipient_maps empty and local_transport an error: transport (the default) no local address
     * exists, so each is refused here instead of being accepted and bounced (backscatter); with another
     * local_transport an empty local_recipient_maps accepts them all, as in Postfix. A table that cannot
     * answer gives 451 4.3.0. Runs once per address (also as the
     * implicit check of smtpd_reject_unlisted_recipient / smtpd_reject_unlisted_sender).
     */
    record Unlisted(String name, Origin origin, Env env, RecipientMaps maps, ReplyClass cls) implements Stateful {
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
            AddressClass c = classOf(env, qualified);
            if (c == AddressClass.FAIL) return temporaryFailure(addr, origin, name, "virtual_alias_domains lookup failure");
            boolean showTable = env.config.getBool("show_user_unknown_table_name");
            String prefix = "<" + addr + ">: " + cls.text() + " rejected: ";
            try {
                Optional<TableEntry> moved = maps.relocated().isEmpty() ? Optional.empty() : maps.relocated().find(qualified);
                for (AddressMaps known : maps.known()) {
                    Optional<TableEntry> e = known.isEmpty() ? Optional.empty() : known.find(qualified);
                    if (e.isPresent()) return Decision.dunno(e.get().origin(), name);
                }
                int code = c == AddressClass.ALIAS ? env.code("unknown_virtual_alias_reject_code") : 550;
                if (moved.isPresent()) {
                    Decision d = GenericRestrictions.reply(f, this, Action.REJECT, code, cls.fixDsn("5.1.6"),
                            prefix + "User has moved to " + moved.get().value());
                    return new Decision(d.action(), d.reply(), d.argument(), d.text(), moved.get().origin(), // the table line
                            d.restriction(), d.warnings());
                }
                if (c == AddressClass.ALIAS) {
                    return GenericRestrictions.reply(f, this, Action.REJECT, code, cls.fixDsn("5.1.1"),
                            prefix + "User unknown" + (showTable ? " in virtual alias table" : ""));
                }
                if (c == AddressClass.LOCAL) {
                    if (!maps.localRecipients().isEmpty()) {
                        Optional<TableEntry> user = maps.localRecipients().find(qualified);
                        if (user.isPresent()) return Decision.dunno(user.get().origin(), name);
                    } else if (!maps.localDeliveryDisabled()) {
                        return Decision.dunno(origin, name);
                    }
                    return GenericRestrictions.reply(f, this, Action.REJECT, env.code("unknown_local_recipient_reject_code"),
                            cls.fixDsn("5.1.1"), prefix + "User unknown" + (showTable ? " in local recipient table" : ""));
                }
                if (maps.relayRecipients().isEmpty() || c != AddressClass.RELAY) return Decision.dunno(origin, name);
                Optional<TableEntry> found = maps.relayRecipients().find(qualified);
                if (found.isPresent()) return Decision.dunno(found.get().origin(), name);
            } catch (TableLookupException e) {
                return temporaryFailure(addr, origin, name, e.getMessage());
            }
            return GenericRestrictions.reply(f, this, Action.REJECT, env.code("unknown_relay_recipient_reject_code"),
                    cls == ReplyClass.SENDER ? "5.1.0" : "5.1.1",
                    prefix + "User unknown" + (showTable ? " in relay recipient table" : ""));
        }
    }
}
