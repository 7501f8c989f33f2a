// StaticRouterTest: relayhost-style routing -- per-domain next hops, the relayhost fallback, FILTER
// "transport:nexthop" overriding both, and the 5xx / 4xx errors for no route and a bad FILTER.
package org.postern.gateway.qmgr;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.postern.gateway.smtp.Destination;

class StaticRouterTest {
    private static final Destination RELAY = Destination.smtp("relay.test", 25);
    private static final Destination LMTP = Destination.lmtp("mailstore.test", 24);
    private static final Envelope ENV = new Envelope(new QueueId("ABCDEF123"), Instant.EPOCH, QmgrTestBase.CLIENT,
            "a@s.test", List.of(Recipient.of("r@x.test")), -1, Envelope.BodyType.SEVEN_BIT, false, null, null);

    @Test
    void domainMapThenRelayhost() {
        StaticRouter r = new StaticRouter(RELAY, Map.of("Example.TEST", LMTP));
        assertThat(r.route("u@example.test", ENV)).isEqualTo(Router.Route.to(LMTP));
        assertThat(r.route("u@other.test", ENV)).isEqualTo(Router.Route.to(RELAY));
    }

    @Test
    void filterOverridesRouting() {
        StaticRouter r = new StaticRouter(RELAY, Map.of("example.test", LMTP));
        Router.Route route = r.route("u@example.test", ENV.withFilter("smtp:[127.0.0.1]:10025"));
        assertThat(route.destination()).isEqualTo(Destination.smtp("127.0.0.1", 10025));
    }

    @Test
    void noRouteBouncesAndBadFilterDefers() {
        StaticRouter r = new StaticRouter(null, Map.of());
        assertThat(r.route("u@x.test", ENV).error().code()).isEqualTo(550);
        Router.Route bad = r.route("u@x.test", ENV.withFilter("discard:"));
        assertThat(bad.error().code()).isEqualTo(451);
        assertThat(bad.error().dsn()).isEqualTo("4.3.5");
    }
}
