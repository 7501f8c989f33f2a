// GenericRestrictions: the restrictions that work in any list -- permit, reject, defer,
// defer_if_permit, defer_if_reject, reject_unauth_pipelining, reject_plaintext_session,
// reject_multi_recipient_bounce, sleep -- with Postfix's reply codes (reject_code, defer_code, ...).
package org.postern.policies.restrict;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.postern.core.Origin;
import org.postern.core.SmtpReply;

/** Factories; each returns an immutable Restriction. */
final class GenericRestrictions {
    private GenericRestrictions() {}

    static Restriction permit(Place p, String written) {
        return new SyncRestriction(written, p.origin(), (f, self) -> Decision.ok(self.origin(), self.name()));
    }

    /** reject: $reject_code 5.7.1 {@code <name>: Class rejected: Access denied}. */
    static Restriction reject(Env env, Place p, String written) {
        return fixed(p, written, Action.REJECT, env.code("reject_code"), "5.7.1", "Access denied");
    }

    /** defer: $defer_code 4.3.2 {@code <name>: Class rejected: Try again later}. */
    static Restriction defer(Env env, Place p, String written) {
        return fixed(p, written, Action.DEFER, env.code("defer_code"), "4.3.2", "Try again later");
    }

    static Restriction deferIfPermit(Place p, String written) {
        return fixed(p, written, Action.DEFER_IF_PERMIT, 450, "4.7.0", "defer_if_permit requested");
    }

    static Restriction deferIfReject(Place p, String written) {
        return fixed(p, written, Action.DEFER_IF_REJECT, 450, "4.7.0", "defer_if_reject requested");
    }

    /** A reply {@code <name>: Class rejected: text} naming what the list is about. */
    private static Restriction fixed(Place p, String written, Action action, int code, String dsn, String text) {
        ReplyClass cls = p.replyClass();
        return new SyncRestriction(written, p.origin(), (f, self) -> reply(f, self, action, code, dsn,
                "<" + cls.replyName(f) + ">: " + cls.text() + " rejected: " + text));
    }

    static Decision reply(SessionFacts f, Restriction self, Action action, int code, String dsn, String text) {
        List<String> warnings = new ArrayList<>();
        SmtpReply r = Replies.reply(code, dsn, text, warnings);
        return Decision.reply(action, r, self.origin(), self.name()).withWarnings(warnings);
    }

    /** 503 5.5.0 when the client talked before its turn (SessionFacts.illegalPipelining). */
    static Restriction rejectUnauthPipelining(Place p, String written) {
        ReplyClass cls = p.replyClass();
        return new SyncRestriction(written, p.origin(), (f, self) -> !f.illegalPipelining()
                ? Decision.dunno(self.origin(), self.name())
                : reply(f, self, Action.REJECT, 503, "5.5.0", "<" + cls.replyName(f) + ">: " + cls.text()
                        + " rejected: Improper use of SMTP command pipelining"));
    }

    /** $plaintext_reject_code 4.7.1 Session encryption is required, without TLS. */
    static Restriction rejectPlaintextSession(Env env, Place p, String written) {
        int code = env.code("plaintext_reject_code");
        return new SyncRestriction(written, p.origin(), (f, self) -> f.tlsActive()
                ? Decision.dunno(self.origin(), self.name())
                : reply(f, self, Action.REJECT, code, "4.7.1", "Session encryption is required"));
    }

    /** Null sender with more than one recipient: $multi_recipient_bounce_reject_code 5.5.3. */
    static Restriction rejectMultiRecipientBounce(Env env, Place p, String written) {
        int code = env.code("multi_recipient_bounce_reject_code");
        ReplyClass cls = p.replyClass();
        return new SyncRestriction(written, p.origin(), (f, self) -> {
            int before = f.stage() == Stage.RCPT ? 0 : 1;
            if (!"".equals(f.sender()) || f.recipientCount() <= before) return Decision.dunno(self.origin(), self.name());
            return reply(f, self, Action.REJECT, code, "5.5.3", "<" + cls.replyName(f) + ">: " + cls.text()
                    + " rejected: Multi-recipient bounce");
        });
    }

    /** sleep N: pause N seconds (without blocking a thread), then DUNNO. */
    static Restriction sleep(Env env, Place p, String written, String seconds) {
        return new Sleep(written, p.origin(), Duration.ofSeconds(Long.parseLong(seconds)), env.services.delay());
    }

    /** The sleep restriction. */
    record Sleep(String name, Origin origin, Duration duration, RestrictionServices.Delay delay) implements Restriction {
        @Override
        public CompletionStage<Decision> check(SessionFacts facts) {
            return delay.after(duration).thenApply(x -> Decision.dunno(origin, name));
        }
    }
}
