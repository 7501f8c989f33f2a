// EnvelopeEdits: what header/body check actions change in the envelope before the message is
// queued: REDIRECT replaces the recipients with one address, BCC adds recipients (NOTIFY=NEVER), as
// Postfix's cleanup records them. FILTER is kept in the log until the delivery stage exists.
package org.postern.gateway.cleanup;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.postern.core.Envelope;
import org.postern.core.Recipient;

final class EnvelopeEdits {
    private EnvelopeEdits() {}

    static Envelope apply(Envelope env, String redirect, List<String> bccs) {
        if (redirect == null && bccs.isEmpty()) return env;
        List<Recipient> rcpts = new ArrayList<>();
        if (redirect != null) {
            rcpts.add(Recipient.of(redirect));
        } else {
            rcpts.addAll(env.recipients());
        }
        for (String bcc : bccs) {
            if (rcpts.stream().noneMatch(r -> r.address().equalsIgnoreCase(bcc))) {
                rcpts.add(new Recipient(bcc, EnumSet.of(Recipient.Notify.NEVER), null));
            }
        }
        return new Envelope(env.queueId(), env.arrival(), env.client(), env.sender(), rcpts, env.declaredSize(),
                env.body(), env.smtputf8(), env.ret(), env.envid());
    }
}
