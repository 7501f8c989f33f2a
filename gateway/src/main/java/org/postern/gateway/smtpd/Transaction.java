// Transaction: the state of one mail transaction in a session, from MAIL FROM to the end of DATA
// or the last BDAT chunk (RFC 5321 section 3.3): sender, its ESMTP parameters, accepted recipients,
// the queue id allotted at the first accepted RCPT, and the message being received.
package org.postern.gateway.smtpd;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.postern.core.SmtpReply;
import org.postern.gateway.cleanup.MessageCleanup;

final class Transaction {
    final MailAddress sender;
    final EsmtpParams.Mail params;
    final List<Recipient> recipients = new ArrayList<>();
    QueueId queueId;
    /** The message being written (set at DATA or the first BDAT chunk). */
    MessageCleanup cleanup;
    /** True once BDAT was used: DATA is then out of sequence. */
    boolean bdat;
    /** An error that every remaining BDAT chunk of this transaction is answered with. */
    SmtpReply bdatError;
    /** What the restriction lists asked for besides accept/refuse (HOLD, DISCARD, REDIRECT, ...). */
    final PolicyEffects effects = new PolicyEffects();
    /** Unique per transaction: policy servers cache per instance (SMTPD_POLICY_README). */
    final String instance;
    /** When content started to arrive: the message's arrival time. */
    Instant arrival;

    Transaction(MailAddress sender, EsmtpParams.Mail params, String instance) {
        this.sender = sender;
        this.params = params;
        this.instance = instance;
    }

    /** The session ended (or started over) mid-transaction; a queue file still being created is dropped when it is. */
    boolean abandoned;

    /** The session ended mid-transaction: drop the temporary queue file. */
    void abandon() {
        abandoned = true;
        if (cleanup != null) cleanup.abort();
        cleanup = null;
    }
}
