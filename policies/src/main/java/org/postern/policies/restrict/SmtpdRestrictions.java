// SmtpdRestrictions: Postfix's smtpd access restrictions for one configuration snapshot -- the seven
// lists (smtpd_{client,helo,sender,relay,recipient,data,end_of_data}_restrictions), restriction classes,
// smtpd_delay_reject, relay-and-recipient both must pass at RCPT -- one method per SMTP stage.
package org.postern.policies.restrict;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.postern.core.Origin;
import org.postern.core.SmtpReply;
import org.postern.policies.conf.Config;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.Diagnostic;
import org.postern.policies.dns.DnsResolver;
import org.postern.policies.restrict.Evaluation.Status;
import org.postern.policies.table.Tables;

/**
 * Immutable after {@link #load}; share it between sessions. Each stage method evaluates the lists
 * Postfix evaluates for that command and completes with a {@link Verdict}; it never blocks and never
 * completes exceptionally (an internal failure is a 451 4.3.5 verdict). Build one per smtpd service
 * (master.cf -o overrides may change the lists). {@link #close()} drops idle policy connections.
 */
public final class SmtpdRestrictions implements AutoCloseable {
    private static final Set<String> RELAY_REQUIRED = Set.of("reject_unauth_destination", "defer_unauth_destination",
            "reject", "defer", "defer_if_permit");

    private final Env env;
    private final Map<ListKind, RestrictionList> lists;
    private final Restriction unlistedRecipient;
    private final Restriction unlistedSender;

    private SmtpdRestrictions(Env env, Map<ListKind, RestrictionList> lists, Restriction unlistedRecipient,
                              Restriction unlistedSender) {
        this.env = env;
        this.lists = lists;
        this.unlistedRecipient = unlistedRecipient;
        this.unlistedSender = unlistedSender;
    }

    /**
     * Parses every list and class of {@code config}, opening the tables they name through
     * {@code tables}. Blocking (reads table files): call it on a worker thread.
     *
     * @throws ConfigException every problem found, each at main.cf:line (or table file:line) with the token
     */
    public static SmtpdRestrictions load(Config config, Tables tables, DnsResolver dns, RestrictionServices services)
            throws ConfigException {
        Set<Diagnostic> errors = new LinkedHashSet<>();
        Env env = new Env(config, tables, dns, services); // a class without a definition ends the load here
        env.classes.preload();
        Map<ListKind, RestrictionList> lists = new EnumMap<>(ListKind.class);
        for (ListKind kind : ListKind.values()) {
            try {
                lists.put(kind, env.parser.parseParameter(kind));
            } catch (ConfigException e) {
                errors.addAll(e.diagnostics());
            }
        }
        Restriction rcpt = null;
        Restriction sender = null;
        try {
            Place p = new Place(ListKind.RECIPIENT, config.originOf("smtpd_reject_unlisted_recipient"),
                    "smtpd_reject_unlisted_recipient", false);
            rcpt = Destinations.rejectUnlistedRecipient(env, p, "reject_unlisted_recipient");
            sender = Destinations.rejectUnlistedSender(env, p.in(ListKind.SENDER), "reject_unlisted_sender");
        } catch (ConfigException e) {
            errors.addAll(e.diagnostics());
        }
        if (errors.isEmpty() && !hasRequired(lists.get(ListKind.RELAY), new LinkedHashSet<>())
                && !hasRequired(lists.get(ListKind.RECIPIENT), new LinkedHashSet<>())) {
            Origin at = config.isExplicit("smtpd_relay_restrictions") || !config.isExplicit("smtpd_recipient_restrictions")
                    ? config.originOf("smtpd_relay_restrictions") : config.originOf("smtpd_recipient_restrictions");
            errors.add(Diagnostic.error(at, "in parameter smtpd_relay_restrictions or smtpd_recipient_restrictions,"
                    + " specify at least one working instance of: reject_unauth_destination, defer_unauth_destination,"
                    + " reject, defer or defer_if_permit"));
        }
        if (!errors.isEmpty()) {
            env.policyClients.values().forEach(PolicyClient::close);
            throw new ConfigException(new ArrayList<>(errors));
        }
        return new SmtpdRestrictions(env, lists, rcpt, sender);
    }

    /** As Postfix's has_required(): a list that can refuse relaying (permit stops the search). */
    private static boolean hasRequired(RestrictionList list, Set<RestrictionList> seen) {
        if (list == null || !seen.add(list)) return false;
        List<Restriction> rs = list.restrictions();
        for (int i = 0; i < rs.size(); i++) {
            Restriction r = rs.get(i);
            if (r instanceof WarnIfReject) {
                i++;
                continue;
            }
            String keyword = r.name().split(" ", 2)[0].toLowerCase(java.util.Locale.ROOT);
            if (keyword.equals("permit")) return false;
            if (RELAY_REQUIRED.contains(keyword)) return true;
            if (r instanceof RestrictionClasses.ClassRestriction c && c.list() != null && hasRequired(c.list(), seen)) return true;
        }
        return false;
    }

    /** Non-fatal findings of the load (ignored restrictions, unreachable ones ...), at main.cf:line. */
    public List<Diagnostic> warnings() {
        return List.copyOf(new LinkedHashSet<>(env.warnings));
    }

    /** The parsed list of a restriction parameter such as "smtpd_recipient_restrictions". */
    public RestrictionList list(String parameter) {
        for (ListKind k : ListKind.values()) {
            if (k.parameter().equals(parameter)) return lists.get(k);
        }
        throw new IllegalArgumentException("not a restriction list parameter: " + parameter);
    }

    public boolean delayReject() {
        return env.delayReject;
    }

    /** After the client connected: smtpd_client_restrictions, only when smtpd_delay_reject = no. */
    public CompletionStage<Verdict> connect(SessionFacts f) {
        expect(f, Stage.CONNECT);
        if (env.delayReject) return CompletableFuture.completedFuture(Verdict.accept(Stage.CONNECT));
        Evaluation ev = new Evaluation(f);
        return guard(f, ev, client(ev).thenApply(st -> ev.verdict(f.stage(), st, st == Status.REJECT ? null : ev.deferIfPermit)));
    }

    /** HELO/EHLO: smtpd_helo_restrictions, only when smtpd_delay_reject = no. */
    public CompletionStage<Verdict> helo(SessionFacts f) {
        expect(f, Stage.HELO);
        if (env.delayReject) return CompletableFuture.completedFuture(Verdict.accept(Stage.HELO));
        Evaluation ev = new Evaluation(f);
        ev.deferIfPermit = f.pendingDeferral();
        return guard(f, ev, helo(ev).thenApply(st -> ev.verdict(f.stage(), st, st == Status.REJECT ? null : ev.deferIfPermit)));
    }

    /** MAIL FROM: smtpd_sender_restrictions (and smtpd_reject_unlisted_sender), only when smtpd_delay_reject = no. */
    public CompletionStage<Verdict> mail(SessionFacts f) {
        expect(f, Stage.MAIL);
        if (env.delayReject || f.discarded()) return CompletableFuture.completedFuture(Verdict.accept(Stage.MAIL));
        Evaluation ev = new Evaluation(f);
        ev.deferIfPermit = f.pendingDeferral();
        return guard(f, ev, mail(ev).thenApply(st -> ev.verdict(f.stage(), st, st == Status.REJECT ? null : ev.deferIfPermit)));
    }

    /**
     * RCPT TO, per recipient: with smtpd_delay_reject = yes first the client, HELO and sender lists
     * (any reject ends the check), then smtpd_relay_restrictions and smtpd_recipient_restrictions --
     * both must pass (relay first, as Postfix 3.6+) -- then a pending defer_if_permit, then
     * smtpd_reject_unlisted_recipient. A bare "postmaster" is always accepted (RFC 5321 4.5.1).
     */
    public CompletionStage<Verdict> rcpt(SessionFacts f) {
        expect(f, Stage.RCPT);
        if (f.discarded() || "postmaster".equalsIgnoreCase(f.recipient()) || f.recipient() == null) {
            return CompletableFuture.completedFuture(Verdict.accept(Stage.RCPT));
        }
        Evaluation ev = new Evaluation(f);
        CompletionStage<Status> delayed;
        if (env.delayReject) {
            delayed = client(ev).thenCompose(st -> st == Status.REJECT ? done(st) : helo(ev))
                    .thenCompose(st -> st == Status.REJECT ? done(st) : mail(ev));
        } else {
            ev.deferIfPermit = f.pendingDeferral();
            delayed = done(Status.DUNNO);
        }
        CompletionStage<Status> result = delayed.thenCompose(st -> {
            if (st == Status.REJECT) return done(st);
            ev.reset();
            boolean relayFirst = env.config.getBool("smtpd_relay_before_recipient_restrictions");
            RestrictionList first = lists.get(relayFirst ? ListKind.RELAY : ListKind.RECIPIENT);
            RestrictionList second = lists.get(relayFirst ? ListKind.RECIPIENT : ListKind.RELAY);
            return first.run(ev).thenCompose(s1 -> s1 == Status.REJECT ? done(s1) : second.run(ev))
                    .thenApply(ev::finish)
                    .thenCompose(s2 -> s2 != Status.REJECT && env.config.getBool("smtpd_reject_unlisted_recipient")
                            && !ev.recipientMapChecked && !ev.discard ? unlisted(unlistedRecipient, ev, s2) : done(s2));
        });
        return guard(f, ev, result.thenApply(st -> ev.verdict(f.stage(), st, null)));
    }

    /** DATA: smtpd_data_restrictions (no recipient is shown when there are several). */
    public CompletionStage<Verdict> data(SessionFacts f) {
        expect(f, Stage.DATA);
        return afterRecipients(f, ListKind.DATA);
    }

    /** End of message content: smtpd_end_of_data_restrictions. */
    public CompletionStage<Verdict> endOfData(SessionFacts f) {
        expect(f, Stage.END_OF_DATA);
        return afterRecipients(f, ListKind.END_OF_DATA);
    }

    private CompletionStage<Verdict> afterRecipients(SessionFacts f, ListKind kind) {
        if (f.discarded()) return CompletableFuture.completedFuture(Verdict.accept(f.stage()));
        SessionFacts shown = f.recipientCount() > 1 ? f.toBuilder().recipient(null).build() : f;
        Evaluation ev = new Evaluation(shown);
        ev.reset();
        return guard(f, ev, lists.get(kind).run(ev).thenApply(ev::finish).thenApply(st -> ev.verdict(f.stage(), st, null)));
    }

    /** Postfix's smtpd_check_client: a fresh defer_if_permit. */
    private CompletionStage<Status> client(Evaluation ev) {
        ev.deferIfPermit = null;
        ev.reset();
        return lists.get(ListKind.CLIENT).run(ev);
    }

    /** smtpd_check_helo: skipped without HELO; the deferral so far carries over. */
    private CompletionStage<Status> helo(Evaluation ev) {
        if (ev.facts.heloName() == null) return done(Status.DUNNO);
        ev.reset();
        return lists.get(ListKind.HELO).run(ev);
    }

    /** smtpd_check_mail, with the implicit smtpd_reject_unlisted_sender at its end. */
    private CompletionStage<Status> mail(Evaluation ev) {
        String sender = ev.facts.sender();
        if (sender == null) return done(Status.DUNNO);
        ev.reset();
        ev.senderMapChecked = false;
        return lists.get(ListKind.SENDER).run(ev).thenCompose(st -> st != Status.REJECT
                && env.config.getBool("smtpd_reject_unlisted_sender") && !ev.senderMapChecked && !ev.discard
                && !sender.isEmpty() ? unlisted(unlistedSender, ev, st) : done(st));
    }

    /** The implicit reject_unlisted_* check: only a reject changes the status so far. */
    private static CompletionStage<Status> unlisted(Restriction r, Evaluation ev, Status before) {
        return new RestrictionList(r.name(), ListKind.RECIPIENT, r.origin(), List.of(r)).run(ev)
                .thenApply(st -> st == Status.REJECT ? st : before);
    }

    private static CompletionStage<Status> done(Status st) {
        return CompletableFuture.completedFuture(st);
    }

    private static void expect(SessionFacts f, Stage stage) {
        if (f.stage() != stage) throw new IllegalArgumentException("facts are for " + f.stage() + ", not " + stage);
    }

    /** A bug must not let mail through: an unexpected failure is "451 4.3.5 Server configuration error". */
    private static CompletionStage<Verdict> guard(SessionFacts f, Evaluation ev, CompletionStage<Verdict> v) {
        return v.handle((verdict, e) -> {
            if (e == null) return verdict;
            Decision d = Decision.configError(Origin.builtin("smtpd"), "smtpd restrictions", List.of("internal error: " + e));
            List<LogEvent> log = new ArrayList<>(ev.log());
            log.add(LogEvent.warning("internal error: " + e, d.origin()));
            log.add(LogEvent.session(f, "reject", d.reply().oneLine(), d.origin()));
            return new Verdict(f.stage(), SmtpReply.of(451, "4.3.5", "Server configuration error"), d, ev.sideEffects(),
                    log, null, ev.discard);
        });
    }

    /** Closes idle policy-server connections (the services are the caller's). */
    @Override
    public void close() {
        env.policyClients.values().forEach(PolicyClient::close);
    }
}
