// RestrictionList: one parsed smtpd restriction list (or class, or access-table value) and the one
// evaluation loop of Postfix's generic_checks(): in order, first decisive result wins, end of list
// is DUNNO (permit); warn_if_reject, deferred verdicts and side effects handled by Evaluation.
package org.postern.policies.restrict;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.postern.core.Origin;
import org.postern.policies.restrict.Evaluation.Status;

/** Immutable and thread-safe; {@link #evaluate} may run for many sessions at once. */
public final class RestrictionList {
    private final String name;
    private final ListKind kind;
    private final Origin origin;
    private final List<Restriction> restrictions;

    RestrictionList(String name, ListKind kind, Origin origin, List<Restriction> restrictions) {
        this.name = Objects.requireNonNull(name, "name");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.origin = Objects.requireNonNull(origin, "origin");
        this.restrictions = List.copyOf(restrictions);
    }

    /** The parameter (or class, or table entry) the list came from, e.g. smtpd_recipient_restrictions. */
    public String name() {
        return name;
    }

    public Origin origin() {
        return origin;
    }

    /** The restrictions in order; warn_if_reject appears as an element of its own. */
    public List<Restriction> restrictions() {
        return restrictions;
    }

    public boolean isEmpty() {
        return restrictions.isEmpty();
    }

    ListKind kind() {
        return kind;
    }

    /**
     * Evaluates this list alone at {@code facts.stage()}: the first decisive result wins, the end of
     * the list permits, and a pending defer_if_permit turns that permit into its 4xx reply.
     */
    public CompletionStage<Verdict> evaluate(SessionFacts facts) {
        Evaluation ev = new Evaluation(facts);
        return run(ev).thenApply(st -> ev.verdict(facts.stage(), ev.finish(st), null));
    }

    /** Postfix's generic_checks() on the shared state; never completes exceptionally. */
    CompletionStage<Status> run(Evaluation ev) {
        int saved = ev.recursion++;
        CompletionStage<Status> result;
        if (ev.recursion > Evaluation.MAX_RECURSION) {
            result = done(ev.configError(restrictions.isEmpty() ? new WarnIfReject(origin) : restrictions.get(0),
                    List.of(name + " causes unreasonable recursion")));
        } else {
            result = step(0, ev);
        }
        return result.thenApply(st -> {
            ev.recursion = saved;
            if (ev.warnLevel >= ev.recursion) ev.warnLevel = 0;
            return st;
        });
    }

    private CompletionStage<Status> step(int start, Evaluation ev) {
        for (int i = start; i < restrictions.size(); i++) {
            if (ev.discard) return done(Status.DUNNO);
            Restriction r = restrictions.get(i);
            if (r instanceof WarnIfReject) {
                if (ev.warnLevel == 0) ev.warnLevel = ev.recursion;
                continue;
            }
            int next = i + 1;
            CompletableFuture<Status> result = invoke(r, ev).toCompletableFuture();
            if (result.isDone()) {
                // answered at once (no DNS, no policy server): go on in this loop, not a stack frame
                // deeper per restriction -- a list of thousands would overflow the stack
                Status decided = after(result.join(), ev);
                if (decided != null) return done(decided);
                continue;
            }
            return result.thenCompose(st -> {
                Status decided = after(st, ev);
                return decided != null ? done(decided) : step(next, ev);
            });
        }
        return done(Status.DUNNO);
    }

    /** What the list gives after a restriction answered {@code st}: null to go on with the next one. */
    private static Status after(Status st, Evaluation ev) {
        if (ev.warnLevel >= ev.recursion) ev.warnLevel = 0;
        if (st != Status.DUNNO) return st;
        if (ev.deferIfPermit != null && ev.deferIfReject != null) return Status.DUNNO;
        return null;
    }

    /** One restriction; an exception (a bug) becomes a configuration error, never a permit. */
    private static CompletionStage<Status> invoke(Restriction r, Evaluation ev) {
        CompletionStage<Status> st;
        try {
            st = r instanceof Stateful s ? s.evaluate(ev) : r.check(ev.facts).thenApply(ev::apply);
        } catch (RuntimeException e) {
            return done(ev.configError(r, List.of(r.name() + ": internal error: " + e)));
        }
        return st.handle((s, e) -> e == null ? done(s) : done(ev.configError(r, List.of(r.name() + ": internal error: " + e))))
                .thenCompose(x -> x);
    }

    static CompletionStage<Status> done(Status st) {
        return CompletableFuture.completedFuture(st);
    }

    /** {@code smtpd_client_restrictions = permit_mynetworks, reject (main.cf:12)}. */
    @Override
    public String toString() {
        return name + " = " + String.join(", ", restrictions.stream().map(Restriction::name).toList()) + " (" + origin + ")";
    }
}
