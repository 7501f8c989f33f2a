// RelayOutcome: what the next hop of a content-filter listener (vscan_content_filter_nexthop) said to the
// copies of one scanned message, folded into the one end-of-DATA reply smtpd owes its client (the MTA
// in front, e.g. Postfix's content_filter): 250 when it took them, else its refusal -- 4xx when unsure.
package org.postern.gateway.vscan;

import java.util.List;
import java.util.Objects;
import org.postern.core.QueueId;
import org.postern.core.SmtpReply;
import org.postern.gateway.smtp.RecipientResult;
import org.postern.gateway.smtp.RecipientResult.Status;

/**
 * @param nexthop the next hop as configured, for reply texts ({@code [127.0.0.1]:10025})
 * @param results every attempted recipient's result, over all copies sent
 */
record RelayOutcome(String nexthop, List<RecipientResult> results) {
    RelayOutcome {
        Objects.requireNonNull(nexthop, "nexthop");
        results = List.copyOf(results);
    }

    /** Envelope indexes of the recipients the next hop took. */
    List<Integer> sent() {
        return results.stream().filter(r -> r.status() == Status.SENT).map(RecipientResult::index).toList();
    }

    boolean noneSent() {
        return !results.isEmpty() && sent().isEmpty();
    }

    boolean allSent() {
        return results.stream().allMatch(r -> r.status() == Status.SENT);
    }

    /**
     * When no recipient was taken: the reply to pass back. A deferral wins over a refusal (the client tries
     * again and learns the rest then); the next hop's own 5xx is passed as is, a 5xx Postern made up (no such
     * host, a TLS requirement) becomes 4xx: nothing may be bounced that the next hop did not refuse itself.
     * A 421 becomes 451: the client's session stays open.
     */
    SmtpReply refusal() {
        RecipientResult pick = results.stream().filter(r -> r.status() == Status.DEFERRED).findFirst()
                .orElseGet(() -> results.stream().filter(r -> r.status() == Status.BOUNCED).findFirst()
                        .orElseThrow(() -> new IllegalStateException("nothing refused")));
        SmtpReply r = pick.reply();
        SmtpReply out;
        if (pick.remote()) {
            out = r.isPositive() ? SmtpReply.of(451, "4.3.0", nexthop + " said: " + r.oneLine()) : r;
        } else {
            SmtpReply soft = r.isPermanent() ? r.asTransient() : r;
            out = soft.isTransient() ? SmtpReply.of(soft.code(), soft.dsn(), pick.diagnostic().replace('\n', ' '))
                    : SmtpReply.of(451, "4.3.0", pick.diagnostic().replace('\n', ' '));
        }
        // 421 closes the channel it is said on: the next hop's (or a failed connect's) is only a 4xx for ours
        return out.code() == 421 ? SmtpReply.of(451, out.dsn(), out.text()) : out;
    }

    /** The 250 for a message the next hop took, entirely ({@code rest} 0) or but for {@code rest} recipients. */
    SmtpReply accepted(QueueId id, int rest) {
        String said = results.stream().filter(r -> r.status() == Status.SENT).map(r -> r.reply().oneLine())
                .findFirst().orElse("");
        String text = "Ok: " + id + " passed to " + nexthop + (said.isEmpty() ? "" : " (" + said + ")")
                + (rest == 0 ? "" : "; " + rest + " recipient(s) queued for a later attempt");
        return SmtpReply.of(250, "2.0.0", text.replace('\n', ' '));
    }
}
