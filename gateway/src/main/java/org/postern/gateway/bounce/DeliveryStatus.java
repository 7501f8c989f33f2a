// DeliveryStatus: the machine-readable second part of a DSN (RFC 3464 section 2: message/delivery-status,
// or RFC 6533 message/global-delivery-status for SMTPUTF8 mail) -- the per-message fields, then one
// block per recipient. Governed by myhostname (Reporting-MTA) and maximal_queue_lifetime (Will-Retry-Until).
package org.postern.gateway.bounce;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.postern.core.Envelope;

/** Pure text building; CRLF line ends. */
final class DeliveryStatus {
    private DeliveryStatus() {}

    /**
     * @param global true for message/global-delivery-status: UTF-8 is kept and non-ASCII addresses are
     *               of type utf-8; otherwise every non-ASCII character becomes '?'
     * @param now    Last-Attempt-Date
     */
    static String render(Envelope env, List<DsnRecipient> recipients, boolean global, Instant now, ZoneId zone,
                         BounceSettings s) {
        StringBuilder b = new StringBuilder(512 + 256 * recipients.size());
        if (env.envid() != null && !env.envid().isEmpty()) b.append(field("Original-Envelope-Id", env.envid(), global));
        b.append(field("Reporting-MTA", "dns; " + s.myhostname(), global));
        b.append(field("Arrival-Date", MailText.date(env.arrival(), zone), global));
        b.append(field("X-Postern-Queue-ID", env.queueId().value(), global));
        b.append(field("X-Postern-Sender", addressType(env.sender(), global) + "; " + env.sender(), global));
        String retryUntil = MailText.date(env.arrival().plus(s.maximalQueueLifetime()), zone);
        for (DsnRecipient r : recipients) {
            b.append(MailText.CRLF);
            if (r.orcpt() != null) {
                b.append(field("Original-Recipient", orcpt(r.orcpt(), global), global));
            } else if (r.original() != null) { // no ORCPT: the address before rewriting, as Postfix reports it
                b.append(field("Original-Recipient", addressType(r.original(), global) + ";" + r.original(), global));
            }
            b.append(field("Final-Recipient", addressType(r.address(), global) + "; " + r.address(), global));
            b.append(field("Action", r.action(), global));
            b.append(field("Status", r.status(), global));
            if (r.remoteMta() != null) b.append(field("Remote-MTA", "dns; " + r.remoteMta(), global));
            b.append(field("Diagnostic-Code", r.diagnostic(), global));
            b.append(field("Last-Attempt-Date", MailText.date(now, zone), global));
            if (r.action().equals("delayed")) b.append(field("Will-Retry-Until", retryUntil, global));
        }
        return b.toString();
    }

    /** "rfc822", or "utf-8" (RFC 6533) for a non-ASCII address in a global report. */
    private static String addressType(String address, boolean global) {
        return global && !MailText.isAscii(address) ? "utf-8" : "rfc822";
    }

    /** ORCPT as stored ("type;address"); one without a type is taken as rfc822. */
    private static String orcpt(String orcpt, boolean global) {
        int semi = orcpt.indexOf(';');
        if (semi <= 0) return addressType(orcpt, global) + ";" + orcpt;
        return orcpt;
    }

    private static String field(String name, String value, boolean global) {
        return MailText.field(name, global ? value : ascii(value));
    }

    private static String ascii(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> b.append(cp < 0x80 ? (char) cp : '?'));
        return b.toString();
    }
}
