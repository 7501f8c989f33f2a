// AnvilTest: the rate counters behind smtpd_client_*_rate_limit -- counts per client and event within
// one anvil_rate_time_unit, a fresh window after it, and forgotten clients. Injected clock; no sockets.
package org.postern.gateway.anvil;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.postern.gateway.anvil.Anvil.Event;
import org.postern.testkit.MutableClock;

class AnvilTest {
    private final MutableClock clock = new MutableClock();
    private final Anvil anvil = new Anvil(Duration.ofSeconds(60), clock);

    @Test
    void countsEachClientAndEventOnItsOwn() {
        assertThat(anvil.count("192.0.2.1", Event.MAIL)).isEqualTo(1);
        assertThat(anvil.count("192.0.2.1", Event.MAIL)).isEqualTo(2);
        assertThat(anvil.count("192.0.2.1", Event.RCPT)).isEqualTo(1);
        assertThat(anvil.count("192.0.2.2", Event.MAIL)).isEqualTo(1);
        assertThat(anvil.count("192.0.2.1", Event.MAIL)).isEqualTo(3);
        assertThat(anvil.count("192.0.2.1", Event.AUTH)).isEqualTo(1);
        assertThat(anvil.count("192.0.2.1", Event.CONNECT)).isEqualTo(1);
    }

    @Test
    void aWindowLastsOneTimeUnitFromItsFirstEvent() {
        anvil.count("192.0.2.1", Event.MAIL);
        clock.advance(Duration.ofSeconds(59));
        assertThat(anvil.count("192.0.2.1", Event.MAIL)).isEqualTo(2);
        assertThat(anvil.count("192.0.2.1", Event.RCPT)).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1)); // 60 s after the first event: a new window, every count at zero
        assertThat(anvil.count("192.0.2.1", Event.RCPT)).isEqualTo(1);
        assertThat(anvil.count("192.0.2.1", Event.MAIL)).isEqualTo(1);
    }

    @Test
    void aClockSteppedBackOpensANewWindow() {
        anvil.count("192.0.2.1", Event.MAIL);
        anvil.count("192.0.2.1", Event.MAIL);
        clock.advance(Duration.ofSeconds(-10));
        assertThat(anvil.count("192.0.2.1", Event.MAIL)).isEqualTo(1);
    }

    @Test
    void clientsWhoseWindowEndedAreForgotten() {
        for (int i = 0; i < 100; i++) anvil.count("198.51.100." + i, Event.CONNECT);
        assertThat(anvil.clients()).isEqualTo(100);
        clock.advance(Duration.ofSeconds(61));
        for (int i = 0; i < 4096; i++) anvil.count("203.0.113.1", Event.CONNECT); // a sweep runs every 4096 events
        assertThat(anvil.clients()).isEqualTo(1);
    }

    @Test
    void theTimeUnitMustBePositive() {
        assertThatThrownBy(() -> new Anvil(Duration.ZERO, clock)).isInstanceOf(IllegalArgumentException.class);
    }
}
