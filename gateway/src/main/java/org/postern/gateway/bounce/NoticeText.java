// NoticeText: the human-readable first part of a DSN after Postfix's built-in bounce templates (failure,
// delay, success): who reports, what happened, what is attached, one "<recipient>: reason" paragraph per
// recipient. Governed by myhostname, delay_warning_time, maximal_queue_lifetime and bounce_size_limit.
package org.postern.gateway.bounce;

import java.time.Duration;
import java.util.List;

/** Pure text building; the result uses LF line ends (MailText.body makes them CRLF). */
final class NoticeText {
    /** Why the original is, or is not, attached in full. */
    enum Attachment {
        /** The whole message is attached. */
        FULL,
        /** Headers only, because the sender asked for them (RET=HDRS) or this kind of notice returns no more. */
        HEADERS,
        /** Headers only, because the message is bigger than bounce_size_limit. */
        HEADERS_TOO_BIG,
        /** Headers only, because the body cannot be carried in a MIME part (binary, overlong lines). */
        HEADERS_UNSUITABLE,
        /** Nothing could be attached. */
        NONE
    }

    private NoticeText() {}

    /**
     * @param sender     the original envelope sender (named in postmaster copies)
     * @param postmaster true for a postmaster copy or double bounce
     */
    static String render(NoticeKind kind, boolean postmaster, String sender, List<DsnRecipient> recipients,
                         Attachment attachment, BounceSettings s) {
        StringBuilder b = new StringBuilder(1024);
        b.append("This is the mail system at host ").append(s.myhostname()).append(".\n\n");
        if (postmaster) {
            b.append(sender.isEmpty()
                    ? "This copy is for the postmaster: the message below was itself a delivery status\n"
                      + "notification (sender <>), so it cannot be returned to its sender.\n\n"
                    : "This copy is for the postmaster. The message was sent by <" + sender + ">.\n\n");
        }
        switch (kind) {
            case FAILURE -> b.append("I'm sorry to have to inform you that your message could not\n"
                    + "be delivered to one or more recipients.").append(attachment == Attachment.FULL ? " " : "\n")
                    .append(attached(attachment)).append("\n\n")
                    .append("For further assistance, please send mail to postmaster.\n\n")
                    .append("If you do so, please include this problem report. You can\n")
                    .append("delete your own text from the attached returned message.\n");
            case DELAY -> b.append("####################################################################\n")
                    .append("# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n")
                    .append("####################################################################\n\n")
                    .append("Your message could not be delivered for more than ")
                    .append(amount(s.delayWarningTime())).append(".\n")
                    .append("It will be retried until it is ").append(amount(s.maximalQueueLifetime()))
                    .append(" old.\n\n")
                    .append("For further assistance, please send mail to postmaster.\n\n")
                    .append("If you do so, please include this problem report.\n").append(attached(attachment))
                    .append('\n');
            case SUCCESS -> b.append("Your message was successfully delivered to the destination(s)\n")
                    .append("listed below. If the message was delivered to mailbox you will\n")
                    .append("receive no further notifications. Otherwise you may still receive\n")
                    .append("notifications of mail delivery errors from other systems.\n");
        }
        b.append("\n                   The mail system\n");
        for (DsnRecipient r : recipients) {
            b.append('\n').append(recipientLine(r)).append('\n');
        }
        return b.toString();
    }

    /**
     * {@code <rcpt>: reason}, or {@code <rcpt> (expanded from <orig>): reason} when cleanup rewrote the
     * address (else when ORCPT names another one), wrapped with a 4-space indent.
     */
    static String recipientLine(DsnRecipient r) {
        String orig = r.original() != null ? r.original()
                : r.orcpt() == null ? null : r.orcpt().substring(r.orcpt().indexOf(';') + 1);
        String who = "<" + r.address() + ">";
        if (orig != null && !orig.isEmpty() && !orig.equalsIgnoreCase(r.address())) {
            who += " (expanded from <" + orig + ">)";
        }
        String line = MailText.clean(who + ": " + r.reason());
        return MailText.wrap(line, "    ", 76).replace(MailText.CRLF, "\n").stripTrailing();
    }

    private static String attached(Attachment a) {
        return switch (a) {
            case FULL -> "It's attached below.";
            case HEADERS -> "The headers of your message are attached below.";
            case HEADERS_TOO_BIG -> "Your message is larger than the size limit for returned mail\n"
                    + "(bounce_size_limit), so only its headers are attached below.";
            case HEADERS_UNSUITABLE -> "Your message cannot be returned as a MIME attachment (binary\n"
                    + "content or overlong lines), so only its headers are attached below.";
            case NONE -> "Your message could not be attached.";
        };
    }

    /** "4 hour(s)", "5 day(s)", "90 minute(s)", "30 second(s)": the largest whole unit. */
    static String amount(Duration d) {
        long sec = Math.max(0, d.getSeconds());
        if (sec > 0 && sec % 86400 == 0) return sec / 86400 + " day(s)";
        if (sec > 0 && sec % 3600 == 0) return sec / 3600 + " hour(s)";
        if (sec > 0 && sec % 60 == 0) return sec / 60 + " minute(s)";
        return sec + " second(s)";
    }
}
