// VscanRetryWaitTest: how long a message a scanner could not scan waits in incoming/ before the next
// try -- vscan_retry_time doubled per failure, at most 15 minutes, but never less than vscan_retry_time.
package org.postern.gateway.vscan;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class VscanRetryWaitTest {
    @Test
    void doublesFromTheRetryTimeUpTo15Minutes() {
        Duration first = Duration.ofSeconds(60);
        assertThat(ScanRetries.retryWait(first, 1)).isEqualTo(60_000);
        assertThat(ScanRetries.retryWait(first, 2)).isEqualTo(120_000);
        assertThat(ScanRetries.retryWait(first, 4)).isEqualTo(480_000);
        assertThat(ScanRetries.retryWait(first, 5)).isEqualTo(900_000);
        assertThat(ScanRetries.retryWait(first, 1_000)).isEqualTo(900_000);
    }

    @Test
    void aRetryTimeLongerThanTheCapIsKept() {
        Duration hour = Duration.ofHours(1);
        assertThat(ScanRetries.retryWait(hour, 1)).isEqualTo(3_600_000);
        assertThat(ScanRetries.retryWait(hour, 7)).isEqualTo(3_600_000);
    }

    @Test
    void aZeroRetryTimeStillWaitsAMillisecond() {
        assertThat(ScanRetries.retryWait(Duration.ZERO, 1)).isEqualTo(1);
        assertThat(ScanRetries.retryWait(Duration.ZERO, 3)).isEqualTo(4);
    }
}
