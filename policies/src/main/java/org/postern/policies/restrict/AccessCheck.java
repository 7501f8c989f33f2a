// AccessCheck: check_client_access, check_reverse_client_hostname_access, check_helo_access,
// check_sender_access, check_recipient_access and check_sasl_access -- an access(5) table searched
// in Postfix's order (AccessLookup), its value interpreted by AccessResults in the caller's state.
package org.postern.policies.restrict;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.postern.core.Origin;
import org.postern.policies.restrict.Evaluation.Status;
import org.postern.policies.table.AccessLookup;
import org.postern.policies.table.TableEntry;
import org.postern.policies.table.TableLookupException;

/** Immutable; table lookups are in memory. */
record AccessCheck(String name, Origin origin, Env env, Place place, Subject subject, AccessLookup lookup)
        implements Stateful {

    /** What the table is searched for. */
    enum Subject { CLIENT, REVERSE_CLIENT, HELO, SENDER, RECIPIENT, SASL_USER }

    @Override
    public CompletionStage<Status> evaluate(Evaluation ev) {
        SessionFacts f = ev.facts;
        String key = key(f);
        if (key == null) return RestrictionList.done(Status.DUNNO);
        ReplyClass cls = replyClass();
        String replyName = subject == Subject.SASL_USER ? Replies.printable(key).replace(' ', '_') : cls.replyName(f);
        String value;
        Origin at;
        String datum = key;
        List<String> warnings = List.of();
        try {
            Optional<AccessLookup.Match> m = find(f, key);
            if (m.isEmpty()) return RestrictionList.done(Status.DUNNO);
            TableEntry e = m.get().entry();
            value = e.value();
            at = e.origin();
        } catch (TableLookupException e) {
            value = "451 4.3.5 Server configuration error"; // Postfix: a table that cannot answer
            at = origin;
            warnings = List.of(e.getMessage());
        }
        AccessResults.Query q = new AccessResults.Query(lookup.table().spec(), datum, replyName, cls, place, at, name, f);
        AccessResults.Outcome outcome = env.accessResults.interpret(q, value);
        if (outcome instanceof AccessResults.Leaf leaf) {
            Decision d = leaf.decision().withWarnings(warnings);
            if (d.action() == Action.OK && forbidsOk()) return RestrictionList.done(forbidden(ev, key));
            if (d.action() == Action.OK && suspicious(f)) return RestrictionList.done(ev.apply(Decision.dunno(d.origin(), name)));
            return RestrictionList.done(ev.apply(d));
        }
        RestrictionList nested = ((AccessResults.Nested) outcome).list();
        return nested.run(ev).thenApply(st -> {
            if (st == Status.OK && !ev.discard && forbidsOk()) return forbidden(ev, key);
            if (st == Status.OK && suspicious(f)) return Status.DUNNO;
            return st;
        });
    }

    private Optional<AccessLookup.Match> find(SessionFacts f, String key) throws TableLookupException {
        return switch (subject) {
            case CLIENT -> lookup.client(f.clientName(), f.clientAddressText());
            case REVERSE_CLIENT -> lookup.client(f.reverseClientName(), f.clientAddressText());
            case HELO -> lookup.domain(key);
            case SENDER, RECIPIENT -> lookup.mailAddress(key);
            case SASL_USER -> lookup.table().find(key).map(e -> new AccessLookup.Match(key, e));
        };
    }

    /** The lookup key, or null when the session lacks it (no HELO yet, no SASL login, ...). */
    private String key(SessionFacts f) {
        return switch (subject) {
            case CLIENT -> f.clientName();
            case REVERSE_CLIENT -> f.reverseClientName();
            case HELO -> f.heloName();
            case SENDER -> f.sender() == null ? null
                    : Addresses.qualify(f.sender(), env.myorigin).toLowerCase(Locale.ROOT);
            case RECIPIENT -> f.recipient() == null ? null
                    : Addresses.qualify(f.recipient(), env.myorigin).toLowerCase(Locale.ROOT);
            case SASL_USER -> env.saslEnabled && f.authenticated() ? f.saslUsername() : null;
        };
    }

    private ReplyClass replyClass() {
        return switch (subject) {
            case CLIENT -> ReplyClass.CLIENT;
            case REVERSE_CLIENT -> ReplyClass.REVERSE_CLIENT;
            case HELO -> ReplyClass.HELO;
            case SENDER -> ReplyClass.SENDER;
            case RECIPIENT -> ReplyClass.RECIPIENT;
            case SASL_USER -> ReplyClass.SASL_USER;
        };
    }

    /** Postfix's forbid_allowlist: an unverified (PTR-only) name must never allowlist a client. */
    private boolean forbidsOk() {
        return subject == Subject.REVERSE_CLIENT;
    }

    private Status forbidden(Evaluation ev, String key) {
        return ev.configError(this, List.of("restriction " + name + " returns OK for " + key,
                "this is not allowed for security reasons",
                "use DUNNO instead of OK if you want to make an exception"));
    }

    /** A routed recipient (user%host@ours ...) is too suspicious for OK: it counts as DUNNO. */
    private boolean suspicious(SessionFacts f) {
        return subject == Subject.RECIPIENT && Addresses.isRouted(f.recipient())
                && !env.config.getBool("allow_untrusted_routing");
    }
}
