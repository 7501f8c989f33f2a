// StaticRouter: relayhost-style routing until trivial-rewrite exists -- one next hop for everything,
// optional per-domain next hops, and the envelope's FILTER "transport:nexthop" above both.
// Governed by relayhost (the lead builds the default Destination from it); transport_maps come later.
package org.postern.gateway.qmgr;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.postern.core.Envelope;
import org.postern.core.SmtpReply;
import org.postern.gateway.smtp.Destination;

/**
 * Routes by the recipient's domain (exact, case-insensitive match in {@code byDomain}), else to
 * {@code relayhost}; when {@code relayhost} is null and no domain matches, the recipient bounces
 * with 5.4.4 (unroutable address).
 * A FILTER the router cannot use (unknown transport, bad next hop) defers with 4.3.5, as Postfix does
 * for a mail system configuration error, so no mail is lost while the postmaster fixes it.
 */
public final class StaticRouter implements Router {
    private final Destination relayhost;
    private final Map<String, Destination> byDomain;

    public StaticRouter(Destination relayhost, Map<String, Destination> byDomain) {
        this.relayhost = relayhost;
        this.byDomain = Map.copyOf(byDomain.entrySet().stream().collect(java.util.stream.Collectors.toMap(
                e -> e.getKey().toLowerCase(Locale.ROOT), Map.Entry::getValue)));
    }

    /** Everything to one next hop. */
    public static StaticRouter relayhost(Destination relayhost) {
        return new StaticRouter(Objects.requireNonNull(relayhost, "relayhost"), Map.of());
    }

    @Override
    public Route route(String recipient, Envelope envelope) {
        String filter = envelope.filter();
        if (filter != null && !filter.isBlank()) return filterRoute(filter);
        int at = recipient.lastIndexOf('@');
        if (at >= 0) {
            Destination d = byDomain.get(recipient.substring(at + 1).toLowerCase(Locale.ROOT));
            if (d != null) return Route.to(d);
        }
        if (relayhost != null) return Route.to(relayhost);
        return Route.error(SmtpReply.of(550, "5.4.4", "no route to the recipient's domain (no relayhost)"));
    }

    private static Route filterRoute(String filter) {
        int colon = filter.indexOf(':');
        try {
            if (colon <= 0) throw new IllegalArgumentException("no transport: in \"" + filter + "\"");
            return Route.to(Destination.parse(filter.substring(0, colon), filter.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            return Route.error(SmtpReply.of(451, "4.3.5", "mail system configuration error: FILTER " + e.getMessage()));
        }
    }
}
