// Router: how qmgr picks the next hop of one recipient -- a FILTER "transport:nexthop" in the envelope
// wins, else the router's own rules (StaticRouter now; trivial-rewrite, transport_maps and MX later).
// Called by Qmgr for every pending recipient when a message becomes active.
package org.postern.gateway.qmgr;

import java.util.Objects;
import org.postern.core.Envelope;
import org.postern.core.SmtpReply;
import org.postern.gateway.smtp.Destination;

/** Chooses a Destination for a recipient. Pure and fast: called on the qmgr event loop, must not block. */
public interface Router {
    Route route(String recipient, Envelope envelope);

    /**
     * Where a recipient goes: a destination, or an error that decides it without delivery (a 5xx
     * reply bounces the recipient, a 4xx one defers it), as Postfix's error: and retry: transports.
     */
    record Route(Destination destination, SmtpReply error) {
        public Route {
            if ((destination == null) == (error == null)) throw new IllegalArgumentException("destination xor error");
        }

        public static Route to(Destination destination) {
            return new Route(Objects.requireNonNull(destination, "destination"), null);
        }

        public static Route error(SmtpReply reply) {
            if (reply.isPositive()) throw new IllegalArgumentException("not an error reply: " + reply);
            return new Route(null, reply);
        }

        public boolean isError() {
            return error != null;
        }
    }
}
