// ExternalCommandTest: exit code, stdout/stderr, stdin and the hard timeout of ExternalCommand,
// using programs every Debian system has (sh, wc, sleep). Unit test of testkit's ExternalCommand.
package org.postern.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ExternalCommandTest {
    @Test
    void capturesExitCodeAndBothStreams() {
        CommandResult r = ExternalCommand.of("sh", "-c", "echo out; echo err >&2; exit 3").run();
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stdout()).isEqualTo("out\n");
        assertThat(r.stderr()).isEqualTo("err\n");
        assertThat(r.succeeded()).isFalse();
        assertThatThrownBy(r::requireSuccess).isInstanceOf(AssertionError.class)
                .hasMessageContaining("exit code: 3").hasMessageContaining("err");
    }

    @Test
    void mergedStreamsKeepOrder() {
        CommandResult r = ExternalCommand.of("sh", "-c", "echo 1; echo 2 >&2; echo 3").mergeStderr().run();
        assertThat(r.output()).isEqualTo("1\n2\n3\n");
    }

    @Test
    void feedsStdin() {
        byte[] big = "x".repeat(1_000_000).getBytes(StandardCharsets.US_ASCII);
        CommandResult r = ExternalCommand.of("sh", "-c", "wc -c").stdin(big).run();
        assertThat(r.stdout().strip()).isEqualTo("1000000");
    }

    @Test
    void killsAProgramThatOutlivesItsTimeout() {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> ExternalCommand.of("sh", "-c", "echo started; exec sleep 30")
                .timeout(Duration.ofMillis(500)).run())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("timed out after 500 ms").hasMessageContaining("started");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }
}
