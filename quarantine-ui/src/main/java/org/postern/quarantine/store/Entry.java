// Entry: everything the quarantine index knows of one quarantined message -- the envelope as queued, the
// verdict that put it there and each recipient's state. What list() and find() return to the CLI and web UI.
package org.postern.quarantine.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.postern.core.Envelope;

/**
 * @param id           the quarantine id (also the content file's name)
 * @param time         when it was quarantined (millisecond precision)
 * @param envelope     the envelope as queued; its recipients are every recipient this copy was quarantined
 *                     for, whatever their state now (see {@code recipients})
 * @param subject      the decoded Subject, "" when absent
 * @param size         bytes of the stored content
 * @param verdictClass infected, unscannable, banned, spam, probable_spam or clean
 * @param virus        the signature name for infected mail, else null
 * @param spamScore    rspamd's score, null when rspamd did not run
 * @param symbols      rspamd's symbol names
 * @param reason       one line saying why, as logged
 * @param rule         the Origin (file:line) of the rule that decided, as a string
 * @param recipients   the recipients in the order they were quarantined, with their states
 */
public record Entry(String id, Instant time, Envelope envelope, String subject, long size, String verdictClass,
                    String virus, Double spamScore, List<String> symbols, String reason, String rule,
                    List<RecipientStatus> recipients) {
    public Entry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(envelope, "envelope");
        symbols = List.copyOf(symbols);
        recipients = List.copyOf(recipients);
    }

    /** The recipients in the given state. */
    public List<RecipientStatus> recipientsIn(RecipientState state) {
        return recipients.stream().filter(r -> r.state() == state).toList();
    }
}
