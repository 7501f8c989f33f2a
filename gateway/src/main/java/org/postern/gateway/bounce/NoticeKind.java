// NoticeKind: the three delivery status notifications bounce(8) writes -- non-delivery, delay warning,
// delivery report -- with their Subject lines (Postfix's), the Content-Description of the returned
// original, and the words of the "sender ... notification: NEWID" log line.
package org.postern.gateway.bounce;

/** What a DSN reports. */
enum NoticeKind {
    FAILURE("Undelivered Mail Returned to Sender", "Postmaster Copy: Undelivered Mail", "non-delivery notification",
            "Undelivered Message"),
    DELAY("Delayed Mail (still being retried)", "Postmaster Warning: Delayed Mail", "delay notification",
            "Delayed Message"),
    SUCCESS("Successful Mail Delivery Report", "Postmaster Copy: Successful Mail Delivery Report",
            "delivery status notification", "Delivered Message");

    private final String subject;
    private final String postmasterSubject;
    private final String logName;
    private final String description;

    NoticeKind(String subject, String postmasterSubject, String logName, String description) {
        this.subject = subject;
        this.postmasterSubject = postmasterSubject;
        this.logName = logName;
        this.description = description;
    }

    /** The Subject: of the sender's notice, or of the postmaster's copy. */
    String subject(boolean postmasterCopy) {
        return postmasterCopy ? postmasterSubject : subject;
    }

    /** "non-delivery notification", as in {@code ID: sender non-delivery notification: NEWID}. */
    String logName() {
        return logName;
    }

    /** Content-Description of the returned message ("Undelivered Message"); " Headers" is added for headers only. */
    String description() {
        return description;
    }
}
