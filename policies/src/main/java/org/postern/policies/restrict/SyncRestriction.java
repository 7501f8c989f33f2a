// SyncRestriction: a restriction decided from the session facts alone, without I/O (permit, reject,
// permit_mynetworks, reject_non_fqdn_sender, reject_unauth_destination, ...): a name, its main.cf
// Origin and a rule. Most built-in restrictions are one of these, built by their factories.
package org.postern.policies.restrict;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.postern.core.Origin;

/** Immutable. */
record SyncRestriction(String name, Origin origin, Rule rule) implements Restriction {

    /** The decision for one session; {@code self} gives the name and Origin to put in it. */
    @FunctionalInterface
    interface Rule {
        Decision decide(SessionFacts facts, Restriction self);
    }

    @Override
    public CompletionStage<Decision> check(SessionFacts facts) {
        return CompletableFuture.completedFuture(rule.decide(facts, this));
    }
}
