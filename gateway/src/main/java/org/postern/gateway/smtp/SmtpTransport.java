// SmtpTransport: the smtp and lmtp delivery agents (Postfix's smtp(8)/lmtp(8)) on a Vert.x NetClient.
// qmgr calls deliver(message, destination); the whole path is in deliver(): a connection (cached
// after RSET, or connect -> greeting -> EHLO -> STARTTLS -> AUTH), one transaction, per-recipient outcomes.
package org.postern.gateway.smtp;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import org.postern.core.SmtpReply;
import org.postern.policies.dns.DnsResolver;

/**
 * A Transport for SMTP and LMTP destinations. It never retries or waits to retry: every failure ends
 * as DEFERRED or BOUNCED recipients in the report (trying a host's next address when a connect fails,
 * and reconnecting when a cached connection is stale, are part of one attempt, as in Postfix).
 * Queue-file reads run on the worker pool {@value #POOL_NAME}; nothing blocks an event loop.
 */
public final class SmtpTransport implements Transport {
    static final String POOL_NAME = "postern-smtp";
    static final int POOL_SIZE = 8;

    private final Vertx vertx;
    private final SmtpSettings settings;
    private final Clock clock;
    private final NetClient client;
    private final WorkerExecutor workers;
    private final ConnectionCache cache;
    private final DnsResolver dns;
    private volatile boolean closed;

    /**
     * A transport without DNS: every next hop is looked up by the JDK resolver on a worker and MX
     * destinations are taken as host names (as with disable_dns_lookups = yes). For tests and tools.
     */
    public SmtpTransport(Vertx vertx, SmtpSettings settings, Clock clock) {
        this(vertx, settings, clock, null);
    }

    /**
     * The gateway's transport: MX and host lookups go through {@code dns} asynchronously (see
     * SmtpSettings for disable_dns_lookups and smtp_host_lookup); {@code dns} null means no DNS.
     */
    public SmtpTransport(Vertx vertx, SmtpSettings settings, Clock clock, DnsResolver dns) {
        this.dns = dns;
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.client = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis())));
        this.workers = vertx.createSharedWorkerExecutor(POOL_NAME, POOL_SIZE);
        this.cache = new ConnectionCache(vertx, clock, settings);
    }

    @Override
    public Future<DeliveryReport> deliver(QueuedMessage message, Destination destination) {
        if (closed) return Future.failedFuture(new IllegalStateException("transport closed"));
        Attempt a = new Attempt(message, destination, clock.instant());
        Promise<DeliveryReport> report = Promise.promise();
        // compose() turns anything a phase throws into a failed future: the report always completes.
        vertx.getOrCreateContext().runOnContext(v -> Future.succeededFuture().compose(x -> session(a))
                .compose(conn -> {
                    a.connected = clock.instant();
                    conn.uses++;
                    return conn.onContext(() -> new TransactionPhase(vertx, workers, conn, settings, destination,
                            message, a.outcomes).run());
                })
                .onComplete(ar -> {
                    try {
                        report.complete(finish(a, ar));
                    } catch (RuntimeException e) {
                        report.fail(e);
                    }
                }));
        return report.future();
    }

    /** QUITs cached connections and releases the client and the worker pool. Deliveries in flight finish. */
    public Future<Void> close() {
        closed = true;
        return cache.close().eventually(() -> client.close()).eventually(() -> workers.close());
    }

    /** Idle connections in the cache (tests). */
    int cachedConnections() {
        return cache.size();
    }

    /** A cached connection that answers RSET, else a fresh one. */
    private Future<SmtpConnection> session(Attempt a) {
        SmtpConnection cached = cache.take(a.destination);
        if (cached == null) return fresh(a, a.destination);
        return cached.onContext(() -> cached.hasUnreadInput()
                        ? Future.failedFuture(new IllegalStateException("unexpected input on idle connection"))
                        : new ResetPhase(cached, settings).run())
                .onSuccess(c -> a.conn = c)
                .recover(e -> {
                    cached.close();
                    return session(a);
                });
    }

    /** connect, greeting, EHLO, STARTTLS, AUTH. At TLS level "may" a failed handshake means plaintext, as in Postfix. */
    private Future<SmtpConnection> fresh(Attempt a, Destination d) {
        return new ConnectPhase(vertx, client, workers, dns, settings, d, clock).run().compose(conn -> {
            a.conn = conn;
            return conn.onContext(() -> new HelloPhase(conn, settings, d.protocol()).run()
                    .compose(v -> new StartTlsPhase(conn, settings, d).run())
                    .compose(v -> new AuthPhase(conn, settings, d.sasl()).run())
                    .map(conn));
        }).recover(e -> e instanceof SessionFailure f && f.tlsHandshakeFailed && d.tls() == Destination.TlsPolicy.MAY
                ? fresh(a, d.withTls(Destination.TlsPolicy.NONE))
                : Future.failedFuture(e));
    }

    /** Every recipient decided; the connection cached when it is still in step, else QUIT or closed. */
    private DeliveryReport finish(Attempt a, AsyncResult<Void> ar) {
        SmtpConnection conn = a.conn;
        boolean usable;
        if (ar.failed()) {
            SessionFailure f = ar.cause() instanceof SessionFailure sf ? sf : internal(ar.cause());
            a.outcomes.failRemaining(f);
            usable = f.connectionUsable;
        } else {
            if (!a.outcomes.allFinal()) a.outcomes.failRemaining(internal(new IllegalStateException("undecided")));
            usable = true;
        }
        if (conn != null) {
            if (usable && !conn.isClosed() && conn.uses > 0) cache.release(a.destination, conn);
            else if (usable) new QuitPhase(conn, settings).run();
            else conn.close();
        }
        Instant end = clock.instant();
        return new DeliveryReport(a.message.queueId(), conn != null ? conn.relay() : "none", a.outcomes.results(),
                new DeliveryReport.Timings(a.started, a.connected != null ? a.connected : end, end),
                conn == null ? null : conn.tls, conn != null && conn.capabilities.dsn(), conn == null ? 0 : conn.uses);
    }

    private static SessionFailure internal(Throwable e) {
        return SessionFailure.local(SmtpReply.of(451, "4.3.0", "internal error in the SMTP client: " + e), false);
    }

    /** The state of one deliver call. */
    private static final class Attempt {
        final QueuedMessage message;
        final Destination destination;
        final Instant started;
        final RecipientOutcomes outcomes;
        SmtpConnection conn;
        Instant connected;

        Attempt(QueuedMessage message, Destination destination, Instant started) {
            this.message = message;
            this.destination = destination;
            this.started = started;
            this.outcomes = new RecipientOutcomes(message);
        }
    }
}
