// RecipientResult: the outcome of one delivery attempt for one recipient -- sent, deferred or bounced,
// with the reply that decided it and the text Postfix puts in "status=sent (...)". Part of a
// DeliveryReport; qmgr persists it in the queue file and logs it, bounce quotes it. Immutable.
package org.postern.gateway.smtp;

import java.util.Objects;
import org.postern.core.SmtpReply;

/**
 * @param index      the recipient's position in the envelope
 * @param address    the recipient address
 * @param status     what became of it
 * @param reply      the deciding reply: the next hop's own, or a synthetic one (e.g. {@code 4.4.1} for a
 *                   refused connection) when {@code remote} is false
 * @param remote     true when {@code reply} was received from the next hop (bounce's Diagnostic-Code
 *                   is then "smtp; ..." rather than "X-Postfix; ...")
 * @param diagnostic the text Postfix logs in parentheses after status=, e.g.
 *                   {@code host mx[192.0.2.1] said: 550 5.1.1 <u@x>: User unknown (in reply to RCPT TO command)}
 */
public record RecipientResult(int index, String address, Status status, SmtpReply reply, boolean remote,
                              String diagnostic) {
    /** Postfix's status= values for a transport's outcomes. */
    public enum Status {
        SENT, DEFERRED, BOUNCED;

        /** The word in the log line: sent, deferred, bounced. */
        public String logName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public RecipientResult {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(reply, "reply");
        Objects.requireNonNull(diagnostic, "diagnostic");
    }

    /** The enhanced status code for dsn=: the reply's own, else {@code X.0.0} from its reply code class. */
    public String dsn() {
        return reply.dsn() != null ? reply.dsn() : reply.code() / 100 + ".0.0";
    }

    /** {@code status=deferred (diagnostic)} as in a Postfix delivery log line. */
    public String logStatus() {
        return "status=" + status.logName() + " (" + diagnostic + ")";
    }
}
