// QuarantineStore: where the vscan stage puts a message (for some of its recipients) that policy
// quarantines. Implemented by the quarantine-ui module (files + SQLite index) and wired by the
// appliance; governed by quarantine_directory, quarantine_database and quarantine_lifetime.
package org.postern.core;

import io.vertx.core.Future;
import java.util.List;
import java.util.Objects;

/** Async and safe to call from an event loop: implementations do their disk and JDBC work on workers. */
public interface QuarantineStore {

    /**
     * Copies the content into the quarantine and indexes it. The future completes with the new
     * quarantine id only once file and index entry are durable (the caller then drops the recipients
     * from the queue); it fails when they are not (the caller keeps the message queued and retries).
     */
    Future<String> quarantine(Item item, ContentSource content);

    /**
     * What is known of one quarantined message.
     *
     * @param envelope     the envelope as queued (sender, client, arrival, queue id)
     * @param recipients   the recipient addresses this copy is quarantined for (a subset of the envelope's)
     * @param subject      the decoded Subject header, "" when absent
     * @param size         content bytes
     * @param verdictClass infected, unscannable, banned, spam, probable_spam or clean
     * @param virus        the signature name for infected mail, else null
     * @param spamScore    rspamd's score, null when rspamd did not run
     * @param symbols      rspamd's symbols (names), empty when none
     * @param reason       one line saying why, as logged (e.g. "clamav=Eicar-Signature")
     * @param rule         the rule that decided the action
     */
    record Item(Envelope envelope, List<String> recipients, String subject, long size, String verdictClass,
                String virus, Double spamScore, List<String> symbols, String reason, Origin rule) {
        public Item {
            Objects.requireNonNull(envelope, "envelope");
            Objects.requireNonNull(verdictClass, "verdictClass");
            Objects.requireNonNull(rule, "rule");
            recipients = List.copyOf(recipients);
            if (recipients.isEmpty()) throw new IllegalArgumentException("no recipients");
            symbols = List.copyOf(symbols);
            subject = subject == null ? "" : subject;
            reason = reason == null ? "" : reason;
        }
    }
}
