// ScanVerdictFormatTest: the verdict log line's spam score keeps "%.1f"'s rendering (half up, "-0.0"),
// now that it is formatted without a java.util.Formatter -- checked against String.format itself.
package org.postern.filters;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ScanVerdictFormatTest {
    private static void same(double d) {
        assertThat(ScanVerdict.oneDecimal(d)).as("%s", d).isEqualTo(String.format(Locale.ROOT, "%.1f", d));
    }

    @Test
    void scoresRenderAsPercentPointOneF() {
        for (double d : new double[] {0, -0.0, 0.05, 0.15, 0.25, -0.05, -0.04, 12.345, 15, 1e9, -7.25, 2.95, 0.949999,
                Double.MIN_VALUE, Double.NaN, Double.POSITIVE_INFINITY}) {
            same(d);
        }
        Random r = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            same(Math.round((r.nextDouble() * 60 - 20) * 1000) / 1000.0); // rspamd's three decimals
            same(r.nextGaussian() * 30);
        }
    }
}
