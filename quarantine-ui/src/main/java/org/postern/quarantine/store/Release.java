// Release: what beginRelease hands the releaser (CLI) -- the envelope to reinject, limited to the recipients
// just claimed, the copy's queue id and the stored content. The releaser then calls completeRelease or abortRelease.
package org.postern.quarantine.store;

import java.util.List;
import java.util.Objects;
import org.postern.core.ContentSource;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.core.Recipient;

/**
 * @param id       the quarantine id
 * @param copy     the queue id the claim was taken for: the copy is written (staged) under it
 * @param envelope the envelope as queued, with only the claimed recipients (now in state RELEASING)
 * @param content  opens the stored file (blocking: on a worker); fails if the message was purged meanwhile
 */
public record Release(String id, QueueId copy, Envelope envelope, ContentSource content) {
    public Release {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(copy, "copy");
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(content, "content");
    }

    /** The claimed addresses. */
    public List<String> addresses() {
        return envelope.recipients().stream().map(Recipient::address).toList();
    }
}
