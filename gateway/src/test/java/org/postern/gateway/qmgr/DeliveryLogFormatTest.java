// DeliveryLogFormatTest: golden qmgr/smtp log lines and Postfix's format_tv rounding (log_adhoc.c with
// 2 significant digits, delay_logging_resolution_limit 2), and CR/LF sanitising of logged addresses.
package org.postern.gateway.qmgr;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.postern.core.QueueId;

class DeliveryLogFormatTest {
    private static final QueueId ID = new QueueId("3F2A61C0A1B");

    private static String s(long millis) {
        return DeliveryLogFormat.seconds(Duration.ofMillis(millis));
    }

    @Test
    void delaysAreRoundedLikePostfixFormatTv() {
        assertThat(s(0)).isEqualTo("0");
        assertThat(s(4)).isEqualTo("0");
        assertThat(s(5)).isEqualTo("0.01");
        assertThat(s(50)).isEqualTo("0.05");
        assertThat(s(123)).isEqualTo("0.12");
        assertThat(s(500)).isEqualTo("0.5");
        assertThat(s(999)).isEqualTo("1");
        assertThat(s(1_234)).isEqualTo("1.2");
        assertThat(s(1_250)).isEqualTo("1.3");
        assertThat(s(9_960)).isEqualTo("10");
        assertThat(s(12_400)).isEqualTo("12");
        assertThat(s(12_500)).isEqualTo("13");
        assertThat(s(432_000_000)).isEqualTo("432000");
        assertThat(DeliveryLogFormat.seconds(Duration.ofMillis(-5))).isEqualTo("0");
    }

    @Test
    void sentLineIsPostfixs() {
        Instant t0 = Instant.parse("2026-11-21T12:00:00Z");
        DeliveryLogFormat.Delays d = DeliveryLogFormat.Delays.of(t0, t0.plusMillis(100), t0.plusMillis(100),
                t0.plusMillis(600), t0.plusMillis(1_200));
        assertThat(DeliveryLogFormat.delivery(ID, "u@example.test", "orig@example.test", "mx.example.test[192.0.2.1]:25",
                1, d, "2.0.0", "sent", "250 2.0.0 Ok: queued as XYZ"))
                .isEqualTo("3F2A61C0A1B: to=<u@example.test>, orig_to=<orig@example.test>, relay=mx.example.test[192.0.2.1]:25, "
                        + "delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as XYZ)");
    }

    @Test
    void origToOnlyWhenDifferentAndConnUseAboveOne() {
        Instant t0 = Instant.parse("2026-11-21T12:00:00Z");
        DeliveryLogFormat.Delays d = DeliveryLogFormat.Delays.noAgent(t0, t0.plusSeconds(20), t0.plusSeconds(20));
        assertThat(DeliveryLogFormat.delivery(ID, "U@example.test", "u@EXAMPLE.test", "none", 3, d, "4.4.1", "deferred",
                "connect to x[127.0.0.1]:25: Connection refused"))
                .isEqualTo("3F2A61C0A1B: to=<U@example.test>, relay=none, conn_use=3, delay=20, delays=20/0/0/0, "
                        + "dsn=4.4.1, status=deferred (connect to x[127.0.0.1]:25: Connection refused)");
    }

    @Test
    void qmgrLinesAreGolden() {
        assertThat(DeliveryLogFormat.active(ID, "a@sender.test", 1234, 3))
                .isEqualTo("3F2A61C0A1B: from=<a@sender.test>, size=1234, nrcpt=3 (queue active)");
        assertThat(DeliveryLogFormat.active(ID, "", 5, 1)).isEqualTo("3F2A61C0A1B: from=<>, size=5, nrcpt=1 (queue active)");
        assertThat(DeliveryLogFormat.removed(ID)).isEqualTo("3F2A61C0A1B: removed");
        assertThat(DeliveryLogFormat.expired(ID, "a@b")).isEqualTo("3F2A61C0A1B: from=<a@b>, status=expired, returned to sender");
    }

    @Test
    void addressesCannotForgeLogLines() {
        assertThat(DeliveryLogFormat.active(ID, "x\r\nEVIL: removed@x", 1, 1))
                .isEqualTo("3F2A61C0A1B: from=<x??EVIL: removed@x>, size=1, nrcpt=1 (queue active)");
        assertThat(DeliveryLogFormat.sanitize("δοκιμή@παράδειγμα")).isEqualTo("δοκιμή@παράδειγμα");
        assertThat(DeliveryLogFormat.orcptAddress("rfc822;a@b")).isEqualTo("a@b");
    }
}
