// QueueName: the queue directories of the spool a message moves through (incoming -> active ->
// deferred/hold, corrupt for unreadable files), as Postfix names them. Sits under queue_directory.
package org.postern.gateway.queue;

/** One queue directory of the spool. A message lives in exactly one of them at a time. */
public enum QueueName {
    /** Committed by smtpd, waiting for content inspection (vscan). */
    INCOMING("incoming"),
    /** Being delivered by qmgr. */
    ACTIVE("active"),
    /** Waiting for the next delivery attempt. */
    DEFERRED("deferred"),
    /** Put on hold by policy or the postmaster; not delivered until released. */
    HOLD("hold"),
    /** Queue files that could not be read; kept for the postmaster. */
    CORRUPT("corrupt");

    private final String dirName;

    QueueName(String dirName) {
        this.dirName = dirName;
    }

    /** The directory name under queue_directory, e.g. {@code incoming}. */
    public String dirName() {
        return dirName;
    }
}
