package org.postern.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watch behind invariant 4 really fails a test whose event loop blocks. */
class BlockedThreadWatchTest {
    @TempDir Path dir;

    @Test
    void aBlockedEventLoopFailsTheTest() throws Exception {
        GatewayHarness gw = GatewayHarness.start(dir, "");
        CompletableFuture<Void> done = new CompletableFuture<>();
        gw.vertx.runOnContext(v -> {
            try {
                Thread.sleep(BlockedThreadWatch.FAIL_MILLIS + 600); // deliberately blocking the event loop
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            done.complete(null);
        });
        done.get(10, TimeUnit.SECONDS);
        assertThatThrownBy(gw::close).isInstanceOf(AssertionError.class).hasMessageContaining("invariant 4");
        assertThat(BlockedThreadWatch.install().drain()).isEmpty();
    }
}
