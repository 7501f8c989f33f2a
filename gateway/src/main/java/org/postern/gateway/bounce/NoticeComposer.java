// NoticeComposer: writes a plain notice from the mail system to a person (postmaster, a recipient
// told of quarantined mail): text/plain, or multipart/mixed with the headers of the message it is
// about (text/rfc822-headers). Used by Notices for vscan's and qmgr's notices; bounce_size_limit caps the headers.
package org.postern.gateway.bounce;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import org.postern.core.QueueId;
import org.postern.gateway.queue.QueueFile;

/** Blocking when it reads headers: call on a worker thread. */
final class NoticeComposer {
    private final BounceSettings settings;
    private final Clock clock;

    NoticeComposer(BounceSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * @param about the message whose headers are attached, or null for text alone
     */
    NoticeHeaders.Composed compose(QueueId id, String to, String subject, String text, QueueFile about,
                                   OutputStream out) throws IOException {
        Instant now = clock.instant();
        String body = MailText.body(text);
        boolean textAscii = MailText.isAscii(body);
        String messageId = NoticeHeaders.messageId(id, now, settings);
        String cleanTo = MailText.clean(to);
        StringBuilder h = new StringBuilder(1024);
        h.append(NoticeHeaders.render(settings, cleanTo, subject, messageId, "auto-generated", now, clock.getZone()));
        String charset = "text/plain; charset=" + (textAscii ? "us-ascii" : "utf-8");
        boolean eightBit = !textAscii;
        if (about == null) {
            h.append("Content-Type: ").append(charset).append(MailText.CRLF);
            if (!textAscii) h.append("Content-Transfer-Encoding: 8bit").append(MailText.CRLF);
            h.append(MailText.CRLF).append(body);
            out.write(h.toString().getBytes(StandardCharsets.UTF_8));
            return new NoticeHeaders.Composed(eightBit, !MailText.isAscii(cleanTo), messageId);
        }
        String boundary = DsnComposer.boundary(id, now, settings.myhostname(), null);
        OriginalPart.Plan plan = OriginalPart.plan(about, false, settings.bounceSizeLimit(), boundary);
        if (plan.boundaryCollision()) boundary = DsnComposer.boundary(id, now, settings.myhostname(), DsnComposer.salt());
        eightBit |= plan.included() && plan.eightBit();
        boolean global = about.envelope().smtputf8();
        h.append("Content-Type: multipart/mixed;").append(MailText.CRLF)
                .append("\tboundary=\"").append(boundary).append('"').append(MailText.CRLF);
        if (eightBit) h.append("Content-Transfer-Encoding: 8bit").append(MailText.CRLF);
        h.append(MailText.CRLF).append("This is a MIME-encapsulated message.").append(MailText.CRLF);
        h.append(MailText.CRLF).append("--").append(boundary).append(MailText.CRLF);
        h.append("Content-Description: Notification").append(MailText.CRLF);
        h.append("Content-Type: ").append(charset).append(MailText.CRLF);
        if (!textAscii) h.append("Content-Transfer-Encoding: 8bit").append(MailText.CRLF);
        h.append(MailText.CRLF).append(body);
        if (plan.included()) {
            h.append(MailText.CRLF).append("--").append(boundary).append(MailText.CRLF);
            h.append("Content-Description: Message Headers").append(MailText.CRLF);
            h.append("Content-Type: ").append(global ? "message/global-headers" : "text/rfc822-headers")
                    .append(MailText.CRLF);
            if (plan.eightBit()) h.append("Content-Transfer-Encoding: 8bit").append(MailText.CRLF);
            h.append(MailText.CRLF);
            out.write(h.toString().getBytes(StandardCharsets.UTF_8));
            OriginalPart.copy(about, plan.length(), out);
            h.setLength(0);
        }
        h.append(MailText.CRLF).append("--").append(boundary).append("--").append(MailText.CRLF);
        out.write(h.toString().getBytes(StandardCharsets.UTF_8));
        return new NoticeHeaders.Composed(eightBit, !MailText.isAscii(cleanTo), messageId);
    }
}
