// NoticeHeaders: the top header block every notice from this MTA carries -- Date, From
// MAILER-DAEMON@myhostname (Mail Delivery System), To, Subject, Message-Id, Auto-Submitted (RFC 3834),
// MIME-Version -- and what a composer reports back about the bytes it wrote.
package org.postern.gateway.bounce;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.postern.core.QueueId;

/** Pure text building; CRLF line ends. */
final class NoticeHeaders {
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

    /**
     * What was composed, for the notice's envelope.
     *
     * @param eightBit  some octet above 127 was written (BODY=8BITMIME)
     * @param smtputf8  a header carries UTF-8 (the To address): the notice needs SMTPUTF8
     * @param messageId the Message-Id written, with angle brackets
     */
    record Composed(boolean eightBit, boolean smtputf8, String messageId) {}

    private NoticeHeaders() {}

    /** {@code <20261121120000.NEWID@myhostname>}, as Postfix forms the Message-Id of its notices. */
    static String messageId(QueueId id, Instant now, BounceSettings s) {
        return "<" + ID_TIME.format(now.atZone(ZoneOffset.UTC)) + "." + id.value() + "@" + s.myhostname() + ">";
    }

    /**
     * @param autoSubmitted "auto-replied" for a notice about a message, "auto-generated" for postmaster notices
     * @return the header fields up to MIME-Version inclusive; the caller adds Content-Type and the blank line
     */
    static String render(BounceSettings s, String to, String subject, String messageId, String autoSubmitted,
                         Instant now, ZoneId zone) {
        return MailText.field("Date", MailText.date(now, zone))
                + MailText.field("From", s.fromHeader())
                + MailText.field("To", to)
                + MailText.field("Subject", MailText.encodedWords(subject))
                + MailText.field("Message-Id", messageId)
                + MailText.field("Auto-Submitted", autoSubmitted)
                + MailText.field("MIME-Version", "1.0");
    }
}
