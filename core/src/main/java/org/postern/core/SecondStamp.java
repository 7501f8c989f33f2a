// SecondStamp: a date-time format with one-second resolution that formats each second once -- the mail log's
// syslog timestamp and cleanup's Received: date are written many times a second. Thread-safe; no parameters.
package org.postern.core;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

/** Formats with {@code formatter}, which must show nothing finer than seconds. */
public final class SecondStamp {
    /** The last second formatted, and in which zone. */
    private record Last(long second, ZoneId zone, String text) {}

    private final DateTimeFormatter formatter;
    private volatile Last last = new Last(Long.MIN_VALUE, null, "");

    public SecondStamp(DateTimeFormatter formatter) {
        this.formatter = Objects.requireNonNull(formatter, "formatter");
    }

    public String format(Instant when, ZoneId zone) {
        Last l = last;
        long second = when.getEpochSecond();
        if (l.second() == second && zone.equals(l.zone())) return l.text();
        String text = formatter.format(when.atZone(zone));
        last = new Last(second, zone, text);
        return text;
    }
}
