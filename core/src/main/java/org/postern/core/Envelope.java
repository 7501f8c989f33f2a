// Envelope: everything about one message except its content -- client, sender, recipients and the
// ESMTP parameters the next hop needs (SIZE, BODY, SMTPUTF8, DSN RET/ENVID), and a FILTER request
// (access(5)/header_checks(5) "FILTER transport:nexthop") for the delivery stage. Written by smtpd into
// the queue file at end of data, read back by every later stage. Immutable.
package org.postern.core;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * @param sender       reverse-path without brackets; "" is the null sender {@code <>}
 * @param declaredSize SIZE= from MAIL FROM, or -1 when none was given
 * @param ret          RFC 3461 RET, or null
 * @param envid        RFC 3461 ENVID, decoded from xtext, or null
 * @param filter       "transport:nexthop" that a FILTER action chose for delivery, or null
 */
public record Envelope(QueueId queueId, Instant arrival, ClientInfo client, String sender,
                       List<Recipient> recipients, long declaredSize, BodyType body,
                       boolean smtputf8, Ret ret, String envid, String filter) {
    public Envelope {
        Objects.requireNonNull(queueId, "queueId");
        Objects.requireNonNull(arrival, "arrival");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(body, "body");
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty()) throw new IllegalArgumentException("no recipients");
    }

    /** An envelope without a FILTER request. */
    public Envelope(QueueId queueId, Instant arrival, ClientInfo client, String sender, List<Recipient> recipients,
                    long declaredSize, BodyType body, boolean smtputf8, Ret ret, String envid) {
        this(queueId, arrival, client, sender, recipients, declaredSize, body, smtputf8, ret, envid, null);
    }

    public Envelope withFilter(String newFilter) {
        return new Envelope(queueId, arrival, client, sender, recipients, declaredSize, body, smtputf8, ret, envid,
                newFilter);
    }

    /** RFC 1652 / RFC 3030 BODY= values. */
    public enum BodyType { SEVEN_BIT, EIGHT_BIT_MIME, BINARY_MIME }

    /** RFC 3461 RET= values. */
    public enum Ret { FULL, HDRS }
}
