// Notices: the mail system's own messages to people other than a bounced message's sender -- vscan's
// "infected mail quarantined", qmgr's resource and software problems -- sent from MAILER-DAEMON with
// envelope sender double_bounce_sender, so a notice that fails is dropped, never bounced around.
package org.postern.gateway.bounce;

import io.vertx.core.Future;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.postern.core.QueueId;
import org.postern.gateway.queue.QueueFile;

/**
 * Obtained from {@link Bouncer#notices()}. Safe to call from any thread, event loops included: the
 * message is written on the bounce workers and committed into active/ like a bounce.
 * Governed by notify_classes and the *_notice_recipient parameters.
 */
public final class Notices {
    private final NoticeQueue queue;
    private final NoticeComposer composer;
    private final BounceSettings settings;

    Notices(NoticeQueue queue, NoticeComposer composer, BounceSettings settings) {
        this.queue = queue;
        this.composer = composer;
        this.settings = settings;
    }

    /**
     * Queues a text/plain notice (multipart/mixed with the message's headers when {@code headersOf} is
     * given; at most bounce_size_limit bytes of them).
     *
     * @param recipient an address; one without a domain gets @myorigin ("postmaster" -> postmaster@myorigin)
     * @param subject   the Subject (UTF-8 allowed: it is RFC 2047 encoded)
     * @param text      the body; any line ends, long lines are wrapped
     * @return the notice's queue id, once it is fsync'd in active/ and the qmgr was told
     */
    public Future<QueueId> notice(String recipient, String subject, String text, Optional<QueueFile> headersOf) {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(headersOf, "headersOf");
        String to = settings.qualify(recipient);
        QueueFile about = headersOf.orElse(null);
        return queue.submit(settings.doubleBounceAddress(), to, (id, out) -> composer.compose(id, to, subject, text, about, out))
                .onSuccess(id -> {
                    if (about != null) {
                        Bouncer.LOG.info("{}: notification to <{}>: {}", about.envelope().queueId(),
                                MailText.clean(to), id);
                    } else {
                        Bouncer.LOG.info("{}: notification to <{}>: {}", id, MailText.clean(to), MailText.clean(subject));
                    }
                })
                .onFailure(e -> Bouncer.LOG.warn("notification to <{}> not queued: {}", MailText.clean(to), e.toString()));
    }

    /**
     * A notice to the postmaster about a problem of class {@code notifyClass} (resource, software,
     * policy, protocol, bounce, 2bounce, delay), sent only when notify_classes lists it. It goes to
     * error_notice_recipient, or for bounce/2bounce/delay to bounce_/2bounce_/delay_notice_recipient.
     *
     * @return the notice's id, or empty when notify_classes does not ask for this class
     */
    public Future<Optional<QueueId>> postmaster(String notifyClass, String subject, String text,
                                                Optional<QueueFile> headersOf) {
        Objects.requireNonNull(notifyClass, "notifyClass");
        if (!settings.notifies(notifyClass)) return Future.succeededFuture(Optional.empty());
        String recipient = switch (notifyClass.toLowerCase(Locale.ROOT)) {
            case "bounce" -> settings.bounceNoticeRecipient();
            case "2bounce" -> settings.twoBounceNoticeRecipient();
            case "delay" -> settings.delayNoticeRecipient();
            default -> settings.errorNoticeRecipient();
        };
        return notice(recipient, subject, text, headersOf).map(Optional::of);
    }

    /** {@link #postmaster(String, String, String, Optional)} without headers. */
    public Future<Optional<QueueId>> postmaster(String notifyClass, String subject, String text) {
        return postmaster(notifyClass, subject, text, Optional.empty());
    }
}
