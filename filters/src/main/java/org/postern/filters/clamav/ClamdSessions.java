// ClamdSessions: the idle clamd sessions of one ClamdFilter, most recently used first; a session idle
// longer than vscan_clamd_connection_cache_time_limit is closed (by the filter's periodic sweep or when
// met), at most MAX_IDLE are kept. Thread-safe: scans on every event loop take and give back sessions.
package org.postern.filters.clamav;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

final class ClamdSessions {
    /** More idle connections than scans ever run at once (vscan_concurrency) would only hold clamd's sockets. */
    static final int MAX_IDLE = 32;

    private final Duration timeLimit;
    private final Clock clock;
    private final ArrayDeque<ClamdSession> idle = new ArrayDeque<>();
    private int opened;
    private boolean closed;

    ClamdSessions(Duration timeLimit, Clock clock) {
        this.timeLimit = timeLimit;
        this.clock = clock;
    }

    /** The most recently used idle session still open and within the time limit, or null (connect anew). */
    ClamdSession take() {
        long now = clock.millis();
        List<ClamdSession> stale = new ArrayList<>();
        ClamdSession found = null;
        synchronized (this) {
            while (!idle.isEmpty()) {
                ClamdSession s = idle.pollFirst();
                if (s.isOpen() && now - s.idleSinceMillis < timeLimit.toMillis()) {
                    found = s;
                    break;
                }
                stale.add(s);
            }
        }
        stale.forEach(ClamdSession::close);
        return found;
    }

    /** A session whose last scan ended well: kept for the next message, or closed when the pool is full or closed. */
    void give(ClamdSession s) {
        s.idleSinceMillis = clock.millis();
        synchronized (this) {
            if (!closed && s.isOpen() && idle.size() < MAX_IDLE) {
                idle.addFirst(s);
                return;
            }
        }
        s.close();
    }

    synchronized void counted() {
        opened++;
    }

    /** Connections opened so far (tests). */
    synchronized int opened() {
        return opened;
    }

    /** Closes the sessions idle longer than the time limit, and those clamd closed. */
    void sweep() {
        long now = clock.millis();
        List<ClamdSession> stale = new ArrayList<>();
        synchronized (this) {
            for (Iterator<ClamdSession> it = idle.iterator(); it.hasNext(); ) {
                ClamdSession s = it.next();
                if (!s.isOpen() || now - s.idleSinceMillis >= timeLimit.toMillis()) {
                    it.remove();
                    stale.add(s);
                }
            }
        }
        stale.forEach(ClamdSession::close);
    }

    /** Closes every idle session; sessions given back later are closed too. */
    void close() {
        List<ClamdSession> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(idle);
            idle.clear();
        }
        all.forEach(ClamdSession::close);
    }
}
