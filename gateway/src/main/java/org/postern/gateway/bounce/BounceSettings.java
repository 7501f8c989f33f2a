// BounceSettings: the bounce stage's frozen settings -- who the notices come from (myhostname, myorigin,
// mail_name, double_bounce_sender), how much of the original returns (bounce_size_limit), who gets
// postmaster copies (notify_classes, *_notice_recipient) and the times quoted in delay notices.
package org.postern.gateway.bounce;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.postern.policies.conf.Config;

/**
 * @param myhostname              myhostname: Reporting-MTA, From: MAILER-DAEMON@myhostname, Message-Id
 * @param myorigin                myorigin: appended to addresses without a domain (postmaster, double-bounce)
 * @param mailName                mail_name: the product name in the notice text
 * @param doubleBounceSender      double_bounce_sender: envelope sender of postmaster notices (never bounced)
 * @param bounceSizeLimit         bounce_size_limit: largest original returned whole; bigger ones return headers only
 * @param notifyClasses           notify_classes, lower case (bounce, 2bounce, delay, resource, software, ...)
 * @param bounceNoticeRecipient   bounce_notice_recipient: postmaster copies of non-delivery notices
 * @param twoBounceNoticeRecipient 2bounce_notice_recipient: undeliverable bounces
 * @param delayNoticeRecipient    delay_notice_recipient: postmaster copies of delay notices
 * @param errorNoticeRecipient    error_notice_recipient: resource/software/policy/protocol notices
 * @param delayWarningTime        delay_warning_time, quoted in delay notices
 * @param maximalQueueLifetime    maximal_queue_lifetime: Will-Retry-Until of a delayed recipient
 */
public record BounceSettings(String myhostname, String myorigin, String mailName, String doubleBounceSender,
                             long bounceSizeLimit, Set<String> notifyClasses, String bounceNoticeRecipient,
                             String twoBounceNoticeRecipient, String delayNoticeRecipient, String errorNoticeRecipient,
                             Duration delayWarningTime, Duration maximalQueueLifetime) {
    public BounceSettings {
        Objects.requireNonNull(myhostname, "myhostname");
        Objects.requireNonNull(myorigin, "myorigin");
        Objects.requireNonNull(mailName, "mailName");
        Objects.requireNonNull(doubleBounceSender, "doubleBounceSender");
        Objects.requireNonNull(bounceNoticeRecipient, "bounceNoticeRecipient");
        Objects.requireNonNull(twoBounceNoticeRecipient, "twoBounceNoticeRecipient");
        Objects.requireNonNull(delayNoticeRecipient, "delayNoticeRecipient");
        Objects.requireNonNull(errorNoticeRecipient, "errorNoticeRecipient");
        Objects.requireNonNull(delayWarningTime, "delayWarningTime");
        Objects.requireNonNull(maximalQueueLifetime, "maximalQueueLifetime");
        if (myhostname.isBlank()) throw new IllegalArgumentException("empty myhostname");
        if (doubleBounceSender.isBlank()) throw new IllegalArgumentException("empty double_bounce_sender");
        if (bounceSizeLimit < 0) throw new IllegalArgumentException("negative bounce_size_limit");
        Set<String> lower = new LinkedHashSet<>();
        for (String c : notifyClasses) lower.add(c.toLowerCase(Locale.ROOT));
        notifyClasses = Set.copyOf(lower);
    }

    /** The settings main.cf gives. */
    public static BounceSettings from(Config c) {
        return new BounceSettings(c.get("myhostname"), c.get("myorigin"), c.get("mail_name"),
                c.get("double_bounce_sender"), c.getLong("bounce_size_limit"), Set.copyOf(c.getList("notify_classes")),
                c.get("bounce_notice_recipient"), c.get("2bounce_notice_recipient"), c.get("delay_notice_recipient"),
                c.get("error_notice_recipient"), c.getTime("delay_warning_time"), c.getTime("maximal_queue_lifetime"));
    }

    /** True when {@code notifyClass} (e.g. "2bounce") is in notify_classes; "bounce" implies "2bounce", as in Postfix. */
    public boolean notifies(String notifyClass) {
        String c = notifyClass.toLowerCase(Locale.ROOT);
        return notifyClasses.contains(c) || (c.equals("2bounce") && notifyClasses.contains("bounce"));
    }

    /** {@code address}, with {@code @myorigin} appended when it has no domain (postmaster -> postmaster@myorigin). */
    public String qualify(String address) {
        return address.indexOf('@') >= 0 ? address : address + "@" + myorigin;
    }

    /** The envelope sender of postmaster notices: double_bounce_sender@myorigin. */
    public String doubleBounceAddress() {
        return qualify(doubleBounceSender);
    }

    /** True when {@code sender} is the double-bounce address (a postmaster notice): such mail never bounces. */
    public boolean isDoubleBounce(String sender) {
        return sender.equalsIgnoreCase(doubleBounceSender) || sender.equalsIgnoreCase(doubleBounceAddress());
    }

    /** The From: of every notice: {@code MAILER-DAEMON@myhostname (Mail Delivery System)}. */
    public String fromHeader() {
        return "MAILER-DAEMON@" + myhostname + " (Mail Delivery System)";
    }
}
