// DnsCache: DnsjavaResolver's answer cache keyed by name+type: positive answers live for their TTL,
// NXDOMAIN/NODATA for the RFC 2308 negative TTL, TEMPFAIL never; LRU-bounded; time from an injected
// Clock so expiry tests don't sleep. Sits between smtpd restrictions and the DNS server.
package org.postern.policies.dns;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Thread-safe (one lock; entries are small and operations O(1)). */
final class DnsCache {

    /** Lower-case absolute name without the trailing dot, and the record type. */
    record Key(String name, int type) {
        static Key of(String name, int type) {
            String n = name.toLowerCase(Locale.ROOT);
            if (n.endsWith(".") && n.length() > 1) n = n.substring(0, n.length() - 1);
            return new Key(n, type);
        }
    }

    private record Entry(DnsAnswer answer, Instant expires) {}

    private final Clock clock;
    private final int maxEntries;
    private final long maxTtl;
    private final long maxNegativeTtl;
    private final LinkedHashMap<Key, Entry> entries;

    /**
     * @param maxEntries 0 disables caching
     * @param maxTtl cap for positive TTLs (a resolver's max-cache-ttl)
     * @param maxNegativeTtl cap for negative TTLs (RFC 2308 section 5 suggests 1 to 3 hours)
     */
    DnsCache(Clock clock, int maxEntries, Duration maxTtl, Duration maxNegativeTtl) {
        if (maxEntries < 0) throw new IllegalArgumentException("maxEntries " + maxEntries);
        this.clock = clock;
        this.maxEntries = maxEntries;
        this.maxTtl = maxTtl.toSeconds();
        this.maxNegativeTtl = maxNegativeTtl.toSeconds();
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
                return size() > DnsCache.this.maxEntries;
            }
        };
    }

    /** The cached answer with its remaining TTL, or null when absent or expired. */
    DnsAnswer get(Key key) {
        if (maxEntries == 0) return null;
        Instant now = clock.instant();
        synchronized (entries) {
            Entry e = entries.get(key);
            if (e == null) return null;
            if (!now.isBefore(e.expires)) {
                entries.remove(key);
                return null;
            }
            long left = (Duration.between(now, e.expires).toMillis() + 999) / 1000;
            return e.answer.withTtl(left);
        }
    }

    /** Stores FOUND/NXDOMAIN/NODATA answers whose TTL is above zero; ignores the rest. */
    void put(Key key, DnsAnswer answer) {
        if (maxEntries == 0 || answer.isTempfail()) return;
        long ttl = Math.min(answer.ttl(), answer.isFound() ? maxTtl : maxNegativeTtl);
        if (ttl <= 0) return;
        Entry e = new Entry(answer, clock.instant().plusSeconds(ttl));
        synchronized (entries) {
            entries.put(key, e);
        }
    }

    int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    void clear() {
        synchronized (entries) {
            entries.clear();
        }
    }
}
