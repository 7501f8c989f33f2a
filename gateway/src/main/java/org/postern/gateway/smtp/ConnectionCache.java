// ConnectionCache: idle SMTP/LMTP connections kept per destination after a delivery, so the next
// message to the same next hop skips connect, greeting, EHLO, TLS and AUTH (Postfix's scache).
// Governed by smtp_connection_cache_time_limit (idle) and smtp_connection_reuse_time_limit (age).
package org.postern.gateway.smtp;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Expiry is decided by the injected clock when a connection is taken (so tests need no sleeping); a
 * timer also closes connections nobody takes, so idle sockets do not linger. Thread-safe.
 */
final class ConnectionCache {
    /** Idle connections kept per destination; more are closed. */
    static final int PER_DESTINATION = 4;

    private record Idle(SmtpConnection conn, Instant since, long timer) {}

    private final Vertx vertx;
    private final Clock clock;
    private final SmtpSettings settings;
    private final Map<Destination, Deque<Idle>> idle = new HashMap<>();
    private boolean closed;

    ConnectionCache(Vertx vertx, Clock clock, SmtpSettings settings) {
        this.vertx = vertx;
        this.clock = clock;
        this.settings = settings;
    }

    /** The most recently used live idle connection to {@code d}, or null. Expired ones are QUIT. */
    SmtpConnection take(Destination d) {
        List<SmtpConnection> expired = new ArrayList<>();
        SmtpConnection found = null;
        synchronized (this) {
            Deque<Idle> q = idle.get(d);
            while (q != null && !q.isEmpty() && found == null) {
                Idle i = q.pollLast();
                vertx.cancelTimer(i.timer);
                if (fresh(i)) found = i.conn;
                else expired.add(i.conn);
            }
            if (q != null && q.isEmpty()) idle.remove(d);
        }
        expired.forEach(this::quit);
        return found;
    }

    /** Keeps {@code conn} for the next message to {@code d}; QUITs it when caching is off, full or it is too old. */
    void release(Destination d, SmtpConnection conn) {
        Instant now = clock.instant();
        boolean keep = settings.connectionCache() && !conn.isClosed()
                && Duration.between(conn.createdAt, now).compareTo(settings.connectionReuseTimeLimit()) < 0;
        synchronized (this) {
            Deque<Idle> q = idle.computeIfAbsent(d, k -> new ArrayDeque<>());
            if (keep && !closed && q.size() < PER_DESTINATION) {
                long timer = vertx.setTimer(Math.max(1, settings.connectionCacheTimeLimit().toMillis()), t -> evict(d, conn));
                q.addLast(new Idle(conn, now, timer));
                return;
            }
            if (q.isEmpty()) idle.remove(d);
        }
        quit(conn);
    }

    /** Idle connections now cached (tests, metrics). */
    synchronized int size() {
        return idle.values().stream().mapToInt(Deque::size).sum();
    }

    /** QUITs every idle connection; later releases are QUIT at once. */
    Future<Void> close() {
        List<Future<Void>> quits = new ArrayList<>();
        synchronized (this) {
            closed = true;
            for (Deque<Idle> q : idle.values()) {
                for (Idle i : q) {
                    vertx.cancelTimer(i.timer);
                    quits.add(new QuitPhase(i.conn, settings).run());
                }
            }
            idle.clear();
        }
        return Future.join(quits).mapEmpty();
    }

    private boolean fresh(Idle i) {
        Instant now = clock.instant();
        return !i.conn.isClosed()
                && Duration.between(i.since, now).compareTo(settings.connectionCacheTimeLimit()) <= 0
                && Duration.between(i.conn.createdAt, now).compareTo(settings.connectionReuseTimeLimit()) < 0;
    }

    private void evict(Destination d, SmtpConnection conn) {
        boolean removed;
        synchronized (this) {
            Deque<Idle> q = idle.get(d);
            removed = q != null && q.removeIf(i -> i.conn == conn);
            if (q != null && q.isEmpty()) idle.remove(d);
        }
        if (removed) quit(conn);
    }

    private void quit(SmtpConnection conn) {
        new QuitPhase(conn, settings).run();
    }
}
