// UnknownDomain: restrictions that ask DNS whether a name exists -- reject_unknown_sender_domain and
// reject_unknown_recipient_domain (MX, then A/AAAA; RFC 7505 null MX refuses; unknown_address_reject_code,
// unknown_address_tempfail_action) and reject_unknown_helo_hostname (A/AAAA, then MX).
package org.postern.policies.restrict;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.postern.core.Origin;
import org.postern.policies.dns.DnsAnswer;
import org.postern.policies.dns.DnsResolver;

/** Asynchronous DNS restrictions; never block, DNS trouble is a deferred verdict, not a permit. */
final class UnknownDomain {
    private UnknownDomain() {}

    /** What DNS said about a name, reduced to what the restrictions need. */
    enum Found { YES, NULL_MX, NO, TEMPFAIL }

    static Restriction rejectUnknownSenderDomain(Env env, Place p, String written) {
        return new MailDomain(written, p.origin(), env, ReplyClass.SENDER);
    }

    static Restriction rejectUnknownRecipientDomain(Env env, Place p, String written) {
        return new MailDomain(written, p.origin(), env, ReplyClass.RECIPIENT);
    }

    static Restriction rejectUnknownHeloHostname(Env env, Place p, String written) {
        return new HeloName(written, p.origin(), env);
    }

    /** The tempfail action (defer_if_permit or defer) as an Action. */
    static Action tempfailAction(Env env, String parameter) {
        return env.config.get(parameter).equalsIgnoreCase("defer") ? Action.DEFER : Action.DEFER_IF_PERMIT;
    }

    /** MX first (a null MX answers at once), then A and AAAA: Postfix's reject_unknown_mailhost. */
    static CompletionStage<Found> mailHost(DnsResolver dns, String domain) {
        return dns.mx(domain).thenCompose(mx -> {
            if (mx.isFound()) return done(mx.isNullMx() ? Found.NULL_MX : Found.YES);
            return dns.addresses(domain).thenApply(a -> a.isFound() ? Found.YES
                    : a.isTempfail() || mx.isTempfail() ? Found.TEMPFAIL : Found.NO);
        });
    }

    private static CompletionStage<Found> done(Found f) {
        return CompletableFuture.completedFuture(f);
    }

    /** reject_unknown_sender_domain / reject_unknown_recipient_domain. */
    record MailDomain(String name, Origin origin, Env env, ReplyClass cls) implements Restriction {
        @Override
        public CompletionStage<Decision> check(SessionFacts f) {
            String addr = cls == ReplyClass.SENDER ? f.sender() : f.recipient();
            if (addr == null || addr.isEmpty()) return CompletableFuture.completedFuture(Decision.dunno(origin, name));
            String qualified = Addresses.qualify(addr, env.myorigin);
            String domain = Destinations.ascii(Addresses.domain(qualified));
            Destinations.AddressClass c = domain.isEmpty() || Addresses.isLiteral(domain) ? Destinations.AddressClass.OTHER
                    : Destinations.classOf(env, qualified);
            if (c == Destinations.AddressClass.FAIL) { // a virtual_alias_domains table could not answer
                return CompletableFuture.completedFuture(Destinations.temporaryFailure(addr, origin, name,
                        "virtual_alias_domains lookup failure"));
            }
            if (domain.isEmpty() || Addresses.isLiteral(domain)
                    || c == Destinations.AddressClass.LOCAL || c == Destinations.AddressClass.ALIAS) {
                return CompletableFuture.completedFuture(Decision.dunno(origin, name)); // Postfix: RESOLVE_CLASS_FINAL
            }
            boolean sender = cls == ReplyClass.SENDER;
            String prefix = "<" + addr + ">: " + cls.text() + " rejected: ";
            return mailHost(env.dns, domain).thenApply(found -> switch (found) {
                case YES -> Decision.dunno(origin, name);
                case NULL_MX -> GenericRestrictions.reply(f, this, Action.REJECT, sender ? 550 : 556,
                        sender ? "4.7.27" : "4.1.10", prefix + "Domain " + domain + " does not accept mail (nullMX)");
                case NO -> GenericRestrictions.reply(f, this, Action.REJECT, env.code("unknown_address_reject_code"),
                        sender ? "4.1.8" : "4.1.2", prefix + "Domain not found");
                case TEMPFAIL -> GenericRestrictions.reply(f, this, tempfailAction(env, "unknown_address_tempfail_action"),
                        450, sender ? "4.1.8" : "4.1.2", prefix + "Domain not found");
            });
        }
    }

    /** reject_unknown_helo_hostname: the HELO name has no A, AAAA or MX record (a null MX is fine). */
    record HeloName(String name, Origin origin, Env env) implements Restriction {
        @Override
        public CompletionStage<Decision> check(SessionFacts f) {
            String helo = f.heloName();
            if (helo == null) return CompletableFuture.completedFuture(Decision.dunno(origin, name));
            if (helo.startsWith("[")) {
                return CompletableFuture.completedFuture(
                        HostnameRestrictions.invalidHostaddr(f, this, env.code("invalid_hostname_reject_code")));
            }
            String host = Destinations.ascii(Addresses.dropDot(helo));
            String prefix = "<" + helo + ">: " + ReplyClass.HELO.text() + " rejected: ";
            return env.dns.addresses(host).thenCompose(a -> {
                if (a.isFound()) return CompletableFuture.completedFuture(Decision.dunno(origin, name));
                return env.dns.mx(host).thenApply((DnsAnswer mx) -> {
                    if (mx.isFound()) return Decision.dunno(origin, name);
                    if (mx.isTempfail() || a.isTempfail()) {
                        return GenericRestrictions.reply(f, this, tempfailAction(env, "unknown_helo_hostname_tempfail_action"),
                                450, "4.7.1", prefix + "Host not found");
                    }
                    return GenericRestrictions.reply(f, this, Action.REJECT, env.code("unknown_hostname_reject_code"),
                            "4.7.1", prefix + "Host not found");
                });
            });
        }
    }
}
