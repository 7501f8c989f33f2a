// DnsListCheck: DNS block and allow lists -- reject_rbl_client, reject_rhsbl_client,
// reject_rhsbl_reverse_client, reject_rhsbl_helo, reject_rhsbl_sender, reject_rhsbl_recipient,
// permit_dnswl_client, permit_rhswl_client; replies from default_rbl_reply / rbl_reply_maps.
package org.postern.policies.restrict;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.postern.core.Origin;
import org.postern.core.SmtpReply;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.dns.DnsblQuery;
import org.postern.policies.dns.DnsblResult;
import org.postern.policies.dns.DnsblSyntaxException;
import org.postern.policies.dns.RblClass;
import org.postern.policies.dns.RblReplyFacts;

/**
 * One list site ("zone" or "zone=filter"). A listed client/name on a block list is refused with the
 * RBL reply; on an allow list it is permitted (never for an unauthorized RCPT destination). A DNS
 * failure never permits: on a block list it is rbl_tempfail_action (Postern; Postfix lets the mail
 * pass), on an allow list DEFER_IF_REJECT 450 4.7.1, as Postfix.
 */
record DnsListCheck(String name, Origin origin, Env env, DnsblQuery query, Subject subject, boolean allow,
                    RblReplies replies) implements Restriction {

    /** What is looked up, with Postfix's reply class. */
    enum Subject { CLIENT_ADDRESS, CLIENT_NAME, REVERSE_CLIENT_NAME, HELO, SENDER, RECIPIENT }

    /** The factory: parses the site ("zone" or "zone=filter"), checks the RBL reply settings once. */
    static Restriction create(Env env, Place p, String written, String site, Subject subject, boolean allow)
            throws ConfigException {
        DnsblQuery query;
        try {
            query = DnsblQuery.parse(site);
        } catch (DnsblSyntaxException e) {
            throw Env.error(p, written + ": " + e.getMessage());
        }
        return new DnsListCheck(written, p.origin(), env, query, subject, allow, allow ? null : env.rblReplies());
    }

    @Override
    public CompletionStage<Decision> check(SessionFacts f) {
        String what = what(f);
        if (what == null) return done(Decision.dunno(origin, name));
        if (allow && f.stage() == Stage.RCPT && f.recipient() != null && !Destinations.authorized(env, f.recipient())) {
            return done(Decision.dunno(origin, name)); // Postfix: never allowlist an unauthorized destination
        }
        CompletionStage<DnsblResult> result;
        if (subject == Subject.CLIENT_ADDRESS) {
            result = query.checkAddress(env.dns, f.clientAddress());
        } else {
            String domain = domainOf(what);
            if (domain == null) return done(Decision.dunno(origin, name));
            result = query.checkDomain(env.dns, domain);
        }
        return result.thenApply(r -> decide(f, what, r));
    }

    private Decision decide(SessionFacts f, String what, DnsblResult r) {
        ReplyClass cls = replyClass();
        if (r.isTempfail()) {
            List<String> warnings = List.of(r.query() + ": RBL lookup error: " + r.error());
            if (allow) {
                return GenericRestrictions.reply(f, this, Action.DEFER_IF_REJECT, 450, "4.7.1",
                        "<" + what + ">: " + cls.text() + " rejected: Service unavailable").withWarnings(warnings);
            }
            Action action = env.config.get("rbl_tempfail_action").equalsIgnoreCase("defer")
                    ? Action.DEFER : Action.DEFER_IF_PERMIT;
            return GenericRestrictions.reply(f, this, action, 451, "4.7.1", "Service unavailable; " + cls.text()
                    + " [" + what + "] not checked: DNS lookup failure at " + query.zone()).withWarnings(warnings);
        }
        if (!r.isListed()) return Decision.dunno(origin, name);
        if (allow) return Decision.ok(origin, name);
        List<String> warnings = new ArrayList<>();
        RblReplyFacts facts = RblReplyFacts.of(env.code("maps_rbl_reject_code"), rblClass(), what, r)
                .withClient(f.clientName(), f.clientAddressText())
                .withReverseClientName(f.reverseClientName())
                .withHelo(f.heloName())
                .withSender(f.sender())
                .withRecipient(f.recipient());
        SmtpReply expanded = replies.reply(query.zone(), facts, warnings);
        if (expanded == null) return Decision.configError(origin, name, warnings);
        String dsn = cls.fixDsn(expanded.dsn() == null ? "4.7.1" : expanded.dsn());
        SmtpReply reply = Replies.reply(expanded.code(), dsn, expanded.text(), warnings);
        return Decision.reply(Action.REJECT, reply, origin, name).withWarnings(warnings);
    }

    /** The value looked up (and named in replies), or null when the session lacks it. */
    private String what(SessionFacts f) {
        return switch (subject) {
            case CLIENT_ADDRESS -> f.clientAddressText();
            case CLIENT_NAME -> "unknown".equalsIgnoreCase(f.clientName()) ? null : f.clientName();
            case REVERSE_CLIENT_NAME -> "unknown".equalsIgnoreCase(f.reverseClientName()) ? null : f.reverseClientName();
            case HELO -> f.heloName();
            case SENDER -> f.sender() == null || f.sender().isEmpty() ? null : f.sender();
            case RECIPIENT -> f.recipient();
        };
    }

    /**
     * The domain to ask about, or null: Postfix skips address literals, empty domains, names whose
     * last label is numeric (some lists refuse IP-like queries) and names that are not host names.
     */
    static String domainOf(String what) {
        int at = what.lastIndexOf('@');
        String domain = at >= 0 ? what.substring(at + 1) : what;
        if (domain.isEmpty() || domain.startsWith("[")) return null;
        int dot = domain.lastIndexOf('.');
        String last = dot < 0 ? domain : domain.substring(dot + 1);
        if (!last.isEmpty() && last.chars().allMatch(c -> c >= '0' && c <= '9')) return null;
        String ascii = Destinations.ascii(Addresses.dropDot(domain));
        return Addresses.validHostname(ascii, false) ? ascii : null;
    }

    private ReplyClass replyClass() {
        return switch (subject) {
            case CLIENT_ADDRESS, CLIENT_NAME -> ReplyClass.CLIENT;
            case REVERSE_CLIENT_NAME -> ReplyClass.REVERSE_CLIENT;
            case HELO -> ReplyClass.HELO;
            case SENDER -> ReplyClass.SENDER;
            case RECIPIENT -> ReplyClass.RECIPIENT;
        };
    }

    private RblClass rblClass() {
        return switch (subject) {
            case CLIENT_ADDRESS, CLIENT_NAME -> RblClass.CLIENT;
            case REVERSE_CLIENT_NAME -> RblClass.REVERSE_CLIENT;
            case HELO -> RblClass.HELO;
            case SENDER -> RblClass.SENDER;
            case RECIPIENT -> RblClass.RECIPIENT;
        };
    }

    private static CompletionStage<Decision> done(Decision d) {
        return CompletableFuture.completedFuture(d);
    }
}
