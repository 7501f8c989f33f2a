// RecipientStatus: the delivery state of one recipient, stored as one byte in its queue file record
// and overwritten in place by qmgr (QueueFile.markRecipient) as soon as the outcome is known.
package org.postern.gateway.queue;

/** Per-recipient state in a queue file. The byte codes are part of the file format: never change them. */
public enum RecipientStatus {
    /** Not tried yet, or to be tried again. */
    PENDING('P'),
    /** Last attempt failed temporarily; still to be delivered. */
    DEFERRED('T'),
    /** Accepted by the next hop: never send again. */
    DELIVERED('D'),
    /** Failed permanently (or expired): a bounce is owed, never send again. */
    BOUNCED('B');

    private final byte code;

    RecipientStatus(char code) {
        this.code = (byte) code;
    }

    /** The byte written in the queue file. */
    byte code() {
        return code;
    }

    /** True when no further delivery attempt is to be made for this recipient. */
    public boolean isFinal() {
        return this == DELIVERED || this == BOUNCED;
    }

    /** The status for a stored byte, or null when the byte is not a status code. */
    static RecipientStatus ofCode(byte b) {
        for (RecipientStatus s : values()) {
            if (s.code == b) return s;
        }
        return null;
    }
}
