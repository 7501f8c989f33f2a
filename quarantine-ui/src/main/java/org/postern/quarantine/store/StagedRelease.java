// StagedRelease: one release whose copy may still wait in the gateway's hold/ (release_staged in the index) --
// claimed and being written, or complete and not yet sent on to active/. What the recovery of interrupted
// releases (`postern quarantine purge`, the gateway's hourly purge, each release) settles.
package org.postern.quarantine.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.postern.core.QueueId;

/**
 * @param id        the quarantine id
 * @param copy      the queue id the releaser writes (wrote) the copy under
 * @param state     RELEASING (claim not complete) or RELEASED (complete, copy not yet sent on)
 * @param since     when the recipients entered that state
 * @param addresses the recipients of the copy
 */
public record StagedRelease(String id, QueueId copy, RecipientState state, Instant since, List<String> addresses) {
    public StagedRelease {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(copy, "copy");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(since, "since");
        addresses = List.copyOf(addresses);
    }

    /** This and {@code more} of the same claim as one: all the addresses, the latest time. */
    StagedRelease with(StagedRelease more) {
        List<String> all = new ArrayList<>(addresses);
        all.addAll(more.addresses);
        return new StagedRelease(id, copy, state, since.isAfter(more.since) ? since : more.since, all);
    }
}
