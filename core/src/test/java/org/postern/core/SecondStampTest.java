// SecondStampTest: the cached second-resolution format gives what the formatter gives, for every instant and
// zone, whatever was formatted before.
package org.postern.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class SecondStampTest {
    private static final DateTimeFormatter F = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ENGLISH);

    @Test
    void sameTextAsTheFormatterAcrossSecondsAndZones() {
        SecondStamp stamp = new SecondStamp(F);
        ZoneId paris = ZoneId.of("Europe/Paris");
        ZoneId utc = ZoneId.of("UTC");
        Instant t = Instant.parse("2026-11-22T05:00:00.100Z");
        for (int i = 0; i < 3000; i++) {
            Instant when = t.plusMillis(i * 370L);
            ZoneId zone = i % 7 == 0 ? utc : paris;
            assertThat(stamp.format(when, zone)).as("%s %s", when, zone).isEqualTo(F.format(when.atZone(zone)));
        }
    }
}
