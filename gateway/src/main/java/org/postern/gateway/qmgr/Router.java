// Router: how qmgr picks the next hop of one recipient -- a FILTER "transport:nexthop" in the envelope
// wins, else the router's own rules (resolve.TransportResolver: address classes, transport_maps,
// relayhost; StaticRouter for tests). Called by Qmgr for every pending recipient when a message becomes active.
package org.postern.gateway.qmgr;

import java.util.Objects;
import org.postern.core.Envelope;
import org.postern.core.SmtpReply;
import org.postern.gateway.smtp.Destination;

/** Chooses a Destination for a recipient. Pure and fast: called on the qmgr event loop, must not block. */
public interface Router {
    Route route(String recipient, Envelope envelope);

    /**
     * Where a recipient goes: a destination, or a reply that decides it without delivery -- 5xx bounces
     * the recipient, 4xx defers it (Postfix's error: and retry: transports), 2xx counts it as delivered
     * without sending anything (the discard: transport; logged status=sent).
     */
    record Route(Destination destination, SmtpReply reply) {
        public Route {
            if ((destination == null) == (reply == null)) throw new IllegalArgumentException("destination xor reply");
        }

        public static Route to(Destination destination) {
            return new Route(Objects.requireNonNull(destination, "destination"), null);
        }

        /** Bounced (5xx) or deferred (4xx) with {@code reply}. */
        public static Route error(SmtpReply reply) {
            if (reply.isPositive()) throw new IllegalArgumentException("not an error reply: " + reply);
            return new Route(null, reply);
        }

        /** Decided as sent without delivery (discard:); {@code reply} is 2xx, its text is logged. */
        public static Route discard(SmtpReply reply) {
            if (!reply.isPositive()) throw new IllegalArgumentException("not a positive reply: " + reply);
            return new Route(null, reply);
        }

        /** Decided here, no transport call: bounced, deferred or discarded. */
        public boolean isDecided() {
            return reply != null;
        }

        /** Bounced or deferred without delivery. */
        public boolean isError() {
            return reply != null && !reply.isPositive();
        }

        /** Discarded: counts as delivered. */
        public boolean isDiscard() {
            return reply != null && reply.isPositive();
        }

        /** The 4xx/5xx reply of an error route, else null. */
        public SmtpReply error() {
            return isError() ? reply : null;
        }
    }
}
