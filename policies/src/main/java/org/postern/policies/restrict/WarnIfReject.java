// WarnIfReject: the warn_if_reject pseudo restriction -- the next restriction's reject becomes a
// "reject_warning" log line and evaluation goes on (configuration errors still reject). Handled by
// RestrictionList's loop; on its own it decides nothing.
package org.postern.policies.restrict;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.postern.core.Origin;

/** Marker element of a RestrictionList. */
record WarnIfReject(Origin origin) implements Restriction {
    static final String NAME = "warn_if_reject";

    @Override
    public CompletionStage<Decision> check(SessionFacts facts) {
        return CompletableFuture.completedFuture(Decision.dunno(origin, NAME));
    }

    @Override
    public String name() {
        return NAME;
    }
}
