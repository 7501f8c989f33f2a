// ShippedDefaultsTest: the restriction lists of the shipped /etc/postern set (policies/defaults) --
// main.cf and every master.cf listener's -o overrides -- load without errors or warnings, and the
// default relay policy behaves: mail for relay_domains is accepted, open relaying is refused.
package org.postern.policies.restrict;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postern.policies.conf.Config;
import org.postern.policies.conf.Service;
import org.postern.policies.table.Tables;

class ShippedDefaultsTest {
    static final Path DEFAULTS = Path.of("defaults").toAbsolutePath();

    private final ExecutorService io = Executors.newSingleThreadExecutor();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void tearDown() {
        io.shutdownNow();
        timer.shutdownNow();
    }

    private SmtpdRestrictions load(Config config) throws Exception {
        return SmtpdRestrictions.load(config, new Tables(DEFAULTS), new FakeDns(),
                new RestrictionServices(io, timer, Clock.systemUTC(), d -> CompletableFuture.completedFuture(null)));
    }

    @Test
    void everyListenerLoads() throws Exception {
        Config main = Config.load(DEFAULTS);
        for (Service s : main.services()) {
            try (SmtpdRestrictions r = load(s.config(main))) {
                assertThat(r.warnings()).as(s.name()).isEmpty();
            }
        }
    }

    @Test
    void theDefaultRelayPolicy() throws Exception {
        try (SmtpdRestrictions r = load(Config.load(DEFAULTS))) {
            Verdict ours = Fixture.await(r.rcpt(Fixture.rcpt("someone@example.org", "user@example.com")));
            assertThat(ours.accepted()).as("%s", ours.log()).isTrue();
            Verdict relay = Fixture.await(r.rcpt(Fixture.rcpt("someone@example.org", "victim@elsewhere.example")));
            assertThat(relay.reply().oneLine()).isEqualTo("554 5.7.1 <victim@elsewhere.example>: Relay access denied");
        }
    }
}
