// RecipientStatus: one recipient a message was quarantined for, with its DSN parameters, its state and who
// changed it when. A row of the recipients table; part of Entry (quarantine list, find, the web UI).
package org.postern.quarantine.store;

import java.time.Instant;
import java.util.Objects;
import org.postern.core.QueueId;
import org.postern.core.Recipient;

/**
 * @param recipient the address with its NOTIFY and ORCPT, as smtpd accepted it
 * @param state     where it stands
 * @param stateTime when it entered that state (the quarantine time for QUARANTINED)
 * @param who       who released or deleted it, as given by the CLI or web UI; null when not known
 * @param releaseQueueId the queue id of its released copy (from the claim on); null when not being released
 */
public record RecipientStatus(Recipient recipient, RecipientState state, Instant stateTime, String who,
                              QueueId releaseQueueId) {
    public RecipientStatus {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(stateTime, "stateTime");
    }

    public String address() {
        return recipient.address();
    }
}
