// ClamdFilter: the vscan stage's antivirus -- streams each message to clamd (zINSTREAM over TCP or a
// UNIX-domain socket; small messages over reused IDSESSION connections) and maps the reply to CLEAN/
// INFECTED/UNSCANNABLE/TEMPFAIL. main.cf: vscan_clamd_address, vscan_clamd_timeout (whole exchange),
// vscan_clamd_connection_cache_time_limit (how long an idle session is kept; 0: a connection per message).
package org.postern.filters.clamav;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.postern.filters.Filter;
import org.postern.filters.FilterResult;
import org.postern.filters.ScanMessage;
import org.postern.policies.conf.Config;

/**
 * {@code ClamdFilter.fromConfig(vertx, config).ifPresent(chain::add)}. Thread-safe; one instance serves
 * every message. Never answers CLEAN unless clamd said {@code stream: OK} for the whole message; a clamd
 * that is down, slow (beyond the timeout) or talks garbage gives TEMPFAIL with the reason.
 */
public final class ClamdFilter implements Filter {
    public static final String NAME = "clamav";
    static final String ADDRESS_PARAMETER = "vscan_clamd_address";
    static final String TIMEOUT_PARAMETER = "vscan_clamd_timeout";
    static final String CACHE_PARAMETER = "vscan_clamd_connection_cache_time_limit";

    private final Vertx vertx;
    private final ClamdAddress address;
    private final Duration timeout;
    private final Clock clock;
    private final NetClient client;
    /** Idle sessions for messages held in memory; null when every scan connects anew. */
    private final ClamdSessions sessions;
    private final long sweepTimer;

    /** A filter that connects for every message (no session cache). */
    public ClamdFilter(Vertx vertx, ClamdAddress address, Duration timeout, Clock clock) {
        this(vertx, address, timeout, Duration.ZERO, clock);
    }

    /**
     * @param timeout        limit for one whole exchange (connect, send, reply)
     * @param cacheTimeLimit how long a clamd session may sit idle and still be reused for a message the
     *                       vscan stage read into memory; zero: a connection per message
     * @param clock          measures {@link FilterResult#elapsed()} and session idle time; timeouts run on Vert.x timers
     */
    public ClamdFilter(Vertx vertx, ClamdAddress address, Duration timeout, Duration cacheTimeLimit, Clock clock) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.address = Objects.requireNonNull(address, "address");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("clamd timeout " + timeout);
        this.client = vertx.createNetClient(new NetClientOptions()
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis())))
                .setTcpNoDelay(true));
        if (cacheTimeLimit.isNegative()) throw new IllegalArgumentException("clamd session time limit " + cacheTimeLimit);
        if (cacheTimeLimit.isZero()) {
            this.sessions = null;
            this.sweepTimer = -1;
        } else {
            ClamdSessions pool = new ClamdSessions(cacheTimeLimit, clock);
            this.sessions = pool;
            this.sweepTimer = vertx.setPeriodic(Math.max(1000, cacheTimeLimit.toMillis() / 2), id -> pool.sweep());
        }
    }

    /** As {@link #fromConfig(Vertx, Config, Clock)} with the system clock. */
    public static Optional<ClamdFilter> fromConfig(Vertx vertx, Config config) {
        return fromConfig(vertx, config, Clock.systemUTC());
    }

    /**
     * The filter main.cf asks for, or empty when vscan_clamd_address is empty (no antivirus).
     *
     * @throws IllegalArgumentException naming main.cf (file:line when set there), the parameter and its
     *         value, when vscan_clamd_address is malformed or vscan_clamd_timeout is not positive
     */
    public static Optional<ClamdFilter> fromConfig(Vertx vertx, Config config, Clock clock) {
        String value = config.get(ADDRESS_PARAMETER).strip();
        if (value.isEmpty()) return Optional.empty();
        ClamdAddress address;
        try {
            address = ClamdAddress.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(config.where(ADDRESS_PARAMETER) + ": " + ADDRESS_PARAMETER + " = "
                    + value + ": " + e.getMessage(), e);
        }
        Duration timeout = config.getTime(TIMEOUT_PARAMETER);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(config.where(TIMEOUT_PARAMETER) + ": " + TIMEOUT_PARAMETER + " = "
                    + config.raw(TIMEOUT_PARAMETER) + ": must be longer than 0s");
        }
        Duration cache = config.getTime(CACHE_PARAMETER);
        if (cache.isNegative()) {
            throw new IllegalArgumentException(config.where(CACHE_PARAMETER) + ": " + CACHE_PARAMETER + " = "
                    + config.raw(CACHE_PARAMETER) + ": must not be negative");
        }
        return Optional.of(new ClamdFilter(vertx, address, timeout, cache, clock));
    }

    @Override
    public String name() {
        return NAME;
    }

    public ClamdAddress address() {
        return address;
    }

    public Duration timeout() {
        return timeout;
    }

    /** Streams {@code message} to clamd; always succeeds with a result (see {@link Filter}). */
    @Override
    public Future<FilterResult> inspect(ScanMessage message) {
        Instant start = clock.instant();
        Promise<ClamdReply> reply = Promise.promise();
        boolean pooled = sessions != null && message.content() != null;
        ClamdSession idle = pooled ? sessions.take() : null;
        // one context for the file, the socket and the timer, so the exchange's callbacks never race
        Context context = idle != null ? idle.context : vertx.getOrCreateContext();
        context.runOnContext(v -> {
            try {
                if (pooled) {
                    new ClamdSessionScan(vertx, context, client, address, timeout, sessions, message).run(idle).onComplete(reply);
                } else {
                    new ClamdExchange(vertx, client, address, timeout, message).run().onComplete(reply);
                }
            } catch (RuntimeException e) { // a bug, not a clamd problem: fail loudly (see Filter)
                if (idle != null) idle.close(); // taken from the pool: nobody else will close it
                reply.tryFail(e);
            }
        });
        return reply.future().map(r -> FilterResult.of(NAME, r.kind(), r.detail(), Duration.between(start, clock.instant())));
    }

    /** Connections opened for session scans so far (0 without a session cache). */
    int sessionsOpened() {
        return sessions == null ? 0 : sessions.opened();
    }

    /** Closes the idle sessions and the shared client; scans still running end with TEMPFAIL. */
    @Override
    public Future<Void> close() {
        if (sessions != null) {
            vertx.cancelTimer(sweepTimer);
            sessions.close();
        }
        return client.close();
    }

    @Override
    public String toString() {
        return "ClamdFilter[" + address + ", timeout " + ClamdExchange.millis(timeout)
                + (sessions == null ? "" : ", sessions") + "]";
    }
}
