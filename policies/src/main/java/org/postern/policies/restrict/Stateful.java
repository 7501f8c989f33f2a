// Stateful: a restriction that takes part in the evaluation state itself -- restriction classes and
// access-table or policy answers that are restriction lists (nested lists share warn_if_reject,
// defer_if_* and DISCARD with their caller, as in Postfix), and reject_unlisted_* (checked-once flags).
package org.postern.policies.restrict;

import java.util.concurrent.CompletionStage;

/** Package-private: RestrictionList calls {@link #evaluate} instead of {@link #check}. */
interface Stateful extends Restriction {

    /** Evaluates against the shared state, applying its own decisions; never completes exceptionally. */
    CompletionStage<Evaluation.Status> evaluate(Evaluation ev);

    @Override
    default CompletionStage<Decision> check(SessionFacts facts) {
        Evaluation ev = new Evaluation(facts);
        return evaluate(ev).thenApply(st -> ev.summary(st, this));
    }
}
