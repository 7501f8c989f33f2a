// QueueEntry: one queued message as `postern mailq` shows it -- id, queue, arrival, size, sender and
// the recipients still to be delivered. Built by MailQueue.list from committed queue files.
package org.postern.gateway.queue;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.postern.core.QueueId;

/**
 * @param size       content size in bytes
 * @param sender     envelope sender; "" is the null sender
 * @param recipients recipients not yet DELIVERED or BOUNCED, in envelope order
 */
public record QueueEntry(QueueId queueId, QueueName queue, Instant arrival, long size, String sender,
                         List<PendingRecipient> recipients) {
    public QueueEntry {
        Objects.requireNonNull(queueId, "queueId");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(arrival, "arrival");
        Objects.requireNonNull(sender, "sender");
        recipients = List.copyOf(recipients);
    }

    /**
     * A recipient still to be delivered.
     *
     * @param reason why its last attempt was deferred, shown in parentheses by mailq; null when unknown
     */
    public record PendingRecipient(String address, String reason) {
        public PendingRecipient {
            Objects.requireNonNull(address, "address");
        }
    }
}
