// DsnComposer: writes one delivery status notification (RFC 3464 / RFC 6522 multipart/report) as a byte
// stream: header block, (1) text/plain explanation, (2) message/delivery-status, (3) the original as
// message/rfc822 or its headers as text/rfc822-headers (RFC 6533 global types for SMTPUTF8 mail).
package org.postern.gateway.bounce;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.gateway.queue.QueueFile;

/** Blocking (reads the original): call on a worker thread. Stateless apart from its settings. */
final class DsnComposer {
    /**
     * One notice to write.
     *
     * @param kind         failure, delay or success
     * @param postmaster   a postmaster copy or double bounce (Postmaster subject, names the sender)
     * @param to           the To: address (already qualified)
     * @param original     the message reported on
     * @param recipients   the recipients reported, in envelope order
     * @param returnFull   true when the whole original may be returned (within bounce_size_limit);
     *                     false returns its headers only
     */
    record Request(NoticeKind kind, boolean postmaster, String to, QueueFile original, List<DsnRecipient> recipients,
                   boolean returnFull) {
        Request {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(original, "original");
            recipients = List.copyOf(recipients);
            if (recipients.isEmpty()) throw new IllegalArgumentException("no recipients to report");
        }
    }

    private final BounceSettings settings;
    private final Clock clock;

    DsnComposer(BounceSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /** Writes the notice with queue id {@code id} to {@code out} (not closed). */
    NoticeHeaders.Composed compose(Request r, QueueId id, OutputStream out) throws IOException {
        Instant now = clock.instant();
        Envelope env = r.original().envelope();
        String boundary = boundary(id, now, settings.myhostname(), null);
        OriginalPart.Plan plan = OriginalPart.plan(r.original(), r.returnFull(), settings.bounceSizeLimit(), boundary);
        if (plan.boundaryCollision()) boundary = boundary(id, now, settings.myhostname(), salt());
        boolean global = global(env, r.recipients());

        String text = MailText.body(NoticeText.render(r.kind(), r.postmaster(), env.sender(), r.recipients(),
                plan.attachment(), settings));
        String dsn = DeliveryStatus.render(env, r.recipients(), global, now, clock.getZone(), settings);
        boolean textAscii = MailText.isAscii(text);
        boolean dsnAscii = MailText.isAscii(dsn);
        boolean eightBit = !textAscii || !dsnAscii || (plan.included() && plan.eightBit());
        String messageId = NoticeHeaders.messageId(id, now, settings);
        String to = MailText.clean(r.to());

        StringBuilder h = new StringBuilder(2048);
        h.append(NoticeHeaders.render(settings, to, r.kind().subject(r.postmaster()), messageId,
                r.postmaster() ? "auto-generated" : "auto-replied", now, clock.getZone()));
        h.append("Content-Type: multipart/report; report-type=").append(global ? "global-" : "")
                .append("delivery-status;").append(MailText.CRLF)
                .append("\tboundary=\"").append(boundary).append('"').append(MailText.CRLF);
        if (eightBit) h.append("Content-Transfer-Encoding: 8bit").append(MailText.CRLF);
        h.append(MailText.CRLF).append("This is a MIME-encapsulated message.").append(MailText.CRLF);

        h.append(MailText.CRLF).append("--").append(boundary).append(MailText.CRLF);
        h.append("Content-Description: Notification").append(MailText.CRLF);
        h.append("Content-Type: text/plain; charset=").append(textAscii ? "us-ascii" : "utf-8").append(MailText.CRLF);
        if (!textAscii) h.append("Content-Transfer-Encoding: 8bit").append(MailText.CRLF);
        h.append(MailText.CRLF).append(text);

        h.append(MailText.CRLF).append("--").append(boundary).append(MailText.CRLF);
        h.append("Content-Description: Delivery report").append(MailText.CRLF);
        h.append("Content-Type: message/").append(global ? "global-" : "").append("delivery-status")
                .append(MailText.CRLF);
        if (!dsnAscii) h.append("Content-Transfer-Encoding: 8bit").append(MailText.CRLF);
        h.append(MailText.CRLF).append(dsn);

        if (plan.included()) {
            h.append(MailText.CRLF).append("--").append(boundary).append(MailText.CRLF);
            h.append("Content-Description: ").append(r.kind().description())
                    .append(plan.headersOnly() ? " Headers" : "").append(MailText.CRLF);
            h.append("Content-Type: ").append(originalType(plan.headersOnly(), global)).append(MailText.CRLF);
            if (plan.eightBit()) h.append("Content-Transfer-Encoding: 8bit").append(MailText.CRLF);
            h.append(MailText.CRLF);
            out.write(h.toString().getBytes(StandardCharsets.UTF_8));
            OriginalPart.copy(r.original(), plan.length(), out);
            h.setLength(0);
        }
        h.append(MailText.CRLF).append("--").append(boundary).append("--").append(MailText.CRLF);
        out.write(h.toString().getBytes(StandardCharsets.UTF_8));
        return new NoticeHeaders.Composed(eightBit, !MailText.isAscii(to), messageId);
    }

    /**
     * True for SMTPUTF8 mail or when an address reported is not ASCII: the report then uses the RFC 6533
     * types (message/global-delivery-status, message/global, message/global-headers).
     */
    static boolean global(Envelope env, List<DsnRecipient> recipients) {
        if (env.smtputf8() || !MailText.isAscii(env.sender())) return true;
        for (DsnRecipient r : recipients) {
            if (!MailText.isAscii(r.address()) || !MailText.isAscii(r.orcpt()) || !MailText.isAscii(r.original())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Postfix's form {@code ID.SECONDS/myhostname}, cut to RFC 2046's 70 characters; {@code salt} (random,
     * so unguessable) is added when the original contains a line that would end the part early.
     */
    static String boundary(QueueId id, Instant now, String host, String salt) {
        String b = id.value() + "." + now.getEpochSecond() + "/" + host;
        if (salt == null) return b.substring(0, Math.min(b.length(), 70));
        return b.substring(0, Math.min(b.length(), 70 - salt.length() - 1)) + "/" + salt;
    }

    /** 64 random bits in hex: a boundary an original cannot have guessed. */
    static String salt() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    private static String originalType(boolean headersOnly, boolean global) {
        if (global) return headersOnly ? "message/global-headers" : "message/global";
        return headersOnly ? "text/rfc822-headers" : "message/rfc822";
    }
}
