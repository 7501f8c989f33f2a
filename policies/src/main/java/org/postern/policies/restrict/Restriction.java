// Restriction: one parsed element of an smtpd restriction list (permit_mynetworks, check_client_access
// hash:..., reject_rbl_client zone, check_policy_service inet:..., a restriction class, ...). Built once
// by RestrictionListParser; checked per session by RestrictionList, which applies Postfix's rules.
package org.postern.policies.restrict;

import java.util.concurrent.CompletionStage;
import org.postern.core.Origin;

/**
 * Thread-safe and immutable. {@link #check} never blocks (DNS and policy-server I/O are asynchronous)
 * and never completes exceptionally: trouble is a TEMPFAIL or DEFER_IF_PERMIT decision. The stage
 * completes on whatever thread finished the I/O (a DNS or policy worker thread, or the caller's);
 * Vert.x callers return to their context with {@code Future.fromCompletionStage(stage, context)}.
 */
public interface Restriction {

    /**
     * The decision of this restriction alone. Restrictions that contain other restrictions (classes,
     * access-table values that are restriction lists) are evaluated here as a list of their own.
     */
    CompletionStage<Decision> check(SessionFacts facts);

    /** As written in main.cf, e.g. {@code reject_rbl_client zen.example=127.0.0.[2..11]}. */
    String name();

    /** The main.cf line of the restriction list that holds it. */
    Origin origin();
}
