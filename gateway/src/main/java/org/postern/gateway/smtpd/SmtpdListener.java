// SmtpdListener: one master.cf smtpd service (e.g. "smtp", "submission", "127.0.0.1:10025") with
// its frozen settings, TLS material and password file, shared by the sessions of every event loop.
// Enforces master.cf's maxproc (default_process_limit) as the limit of concurrent sessions, and per
// client address smtpd_client_connection_count_limit and _connection_rate_limit, and keeps the service's
// anvil counters (smtpd_client_event_limit_exceptions exempt, as Postfix).
package org.postern.gateway.smtpd;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.postern.core.SmtpReply;
import org.postern.gateway.anvil.Anvil;
import org.postern.gateway.cleanup.AddressRewriting;
import org.postern.gateway.queue.IncomingQueue;
import org.postern.gateway.sasl.PasswordFile;
import org.postern.gateway.tls.ServerTls;
import org.postern.gateway.vscan.VscanStage;
import org.postern.policies.checks.ContentChecks;
import org.postern.policies.dns.DnsResolver;
import org.postern.policies.restrict.SmtpdRestrictions;

public final class SmtpdListener {
    private final Vertx vertx;
    private final String serviceName;
    private final String host;
    private final int port;
    private final SmtpdSettings settings;
    private final IncomingQueue queue;
    private final ServerTls tls;
    private final PasswordFile passwords;
    private final Clock clock;
    private final DnsResolver dns;
    private final ContentChecks contentChecks;
    private final SmtpdRestrictions restrictions;
    private final AddressRewriting rewriting;
    private final Supplier<VscanStage> vscan;
    private final QueueSpace queueSpace;
    private final ConcurrentHashMap<String, Integer> connections = new ConcurrentHashMap<>();
    /** master.cf maxproc: concurrent sessions; 0 = no limit. */
    private final int maxSessions;
    private final AtomicInteger sessions = new AtomicInteger();
    private final AtomicLong lastLimitWarning = new AtomicLong(Long.MIN_VALUE);
    /** The service's rate counters; null when no rate limit is set. */
    private final Anvil anvil;

    /** @param maxSessions master.cf maxproc of the service: sessions at the same time, 0 = no limit */
    SmtpdListener(Vertx vertx, String serviceName, String host, int port, SmtpdSettings settings,
                  IncomingQueue queue, ServerTls tls, PasswordFile passwords, Clock clock, DnsResolver dns,
                  ContentChecks contentChecks, SmtpdRestrictions restrictions, AddressRewriting rewriting,
                  Supplier<VscanStage> vscan, QueueSpace queueSpace, int maxSessions) {
        this.maxSessions = maxSessions;
        this.queueSpace = queueSpace;
        this.vscan = vscan;
        this.vertx = vertx;
        this.serviceName = serviceName;
        this.host = host;
        this.port = port;
        this.settings = settings;
        this.queue = queue;
        this.tls = tls;
        this.passwords = passwords;
        this.clock = clock;
        this.dns = dns;
        this.contentChecks = contentChecks;
        this.restrictions = restrictions;
        this.rewriting = rewriting;
        this.anvil = settings.clientLimits().anyRate() ? new Anvil(settings.clientLimits().unit(), clock) : null;
    }

    public String serviceName() { return serviceName; }
    public String host() { return host; }
    public int port() { return port; }
    Vertx vertx() { return vertx; }
    SmtpdSettings settings() { return settings; }
    IncomingQueue queue() { return queue; }
    /** The queue file system's free space, for MAIL FROM (queue_minfree). */
    QueueSpace queueSpace() { return queueSpace; }
    ServerTls tls() { return tls; }
    boolean tlsAvailable() { return tls != null; }
    PasswordFile passwords() { return passwords; }
    Clock clock() { return clock; }
    ContentChecks contentChecks() { return contentChecks; }
    SmtpdRestrictions restrictions() { return restrictions; }
    AddressRewriting rewriting() { return rewriting; }
    /** The backend's vscan stage (before-queue, content-filter), or null when there is no backend. */
    VscanStage vscan() { return vscan.get(); }
    /** Null when smtpd_peername_lookup = no. */
    DnsResolver dns() { return settings.peernameLookup() ? dns : null; }

    /** Socket options: implicit TLS for smtpd_tls_wrappermode = yes, plaintext (with STARTTLS) otherwise. */
    NetServerOptions serverOptions() {
        NetServerOptions base = new NetServerOptions().setHost(host).setPort(port).setReuseAddress(true)
                .setTcpNoDelay(true).setAcceptBacklog(1024);
        return settings.wrapperMode() ? tls.implicitTls(base) : base;
    }

    /** Called on the event loop that accepted the connection. */
    void accept(NetSocket socket) {
        String addr = socket.remoteAddress().hostAddress();
        if (maxSessions > 0 && sessions.incrementAndGet() > maxSessions) {
            sessions.decrementAndGet();
            warnProcessLimit();
            socket.write(SmtpReply.of(421, "4.3.2", settings.hostname()
                    + " Service temporarily unavailable: too many sessions; try again later").render());
            socket.end();
            return;
        }
        ClientLimits limits = settings.clientLimits();
        String over = limits.exempt(numeric(addr)) ? null : overConnectionLimits(addr, limits);
        if (over != null) {
            refuse(socket, addr, over);
            return;
        }
        new SmtpSession(this, socket).start();
    }

    /** Counts the connection of {@code addr}; the warning when it is over a limit (it is then not counted as open). */
    private String overConnectionLimits(String addr, ClientLimits limits) {
        if (limits.connectionCount() > 0) {
            int n = connections.merge(addr, 1, Integer::sum);
            if (n > limits.connectionCount()) {
                closed(addr);
                return "Connection concurrency limit exceeded: " + n;
            }
        }
        int rateLimit = limits.rateLimit(Anvil.Event.CONNECT);
        if (rateLimit > 0) {
            int rate = anvil.count(addr, Anvil.Event.CONNECT);
            if (rate > rateLimit) {
                if (limits.connectionCount() > 0) closed(addr);
                return "Connection rate limit exceeded: " + rate;
            }
        }
        return null;
    }

    private void closed(String addr) {
        connections.computeIfPresent(addr, (k, v) -> v <= 1 ? null : v - 1);
    }

    /** Postfix smtpd's answer to a client over a connection limit: 421 instead of the greeting, then close. */
    private void refuse(NetSocket socket, String addr, String why) {
        if (maxSessions > 0) sessions.decrementAndGet();
        SessionLog.LOG.warn("{} from {}[{}] for service {}", why, clientName(addr), addr, serviceName);
        socket.write(SmtpReply.of(421, "4.7.0", settings.hostname() + " Error: too many connections from "
                + addr).render());
        socket.end();
    }

    /**
     * Counts a MAIL, RCPT or AUTH command of {@code s} against its rate limit. Over the limit: logs Postfix's
     * warning and returns Postfix's 450 reply for the command; within it, unlimited or exempt: null.
     */
    SmtpReply overRate(SmtpSession s, Anvil.Event event) {
        ClientLimits limits = settings.clientLimits();
        int limit = limits.rateLimit(event);
        if (limit <= 0 || limits.exempt(s.clientInet)) return null;
        int n = anvil.count(s.clientAddress, event);
        if (n <= limit) return null;
        String[] texts = switch (event) {
            case MAIL -> new String[] {"Message delivery request rate limit exceeded", "too much mail from"};
            case RCPT -> new String[] {"Recipient address rate limit exceeded", "too many recipients from"};
            case AUTH -> new String[] {"AUTH command rate limit exceeded", "too many AUTH commands from"};
            case CONNECT -> throw new IllegalArgumentException("connections are counted when accepted");
        };
        SessionLog.LOG.warn("{}: {} from {}[{}] for service {}", texts[0], n, s.clientName, s.clientAddress, serviceName);
        return SmtpReply.of(450, "4.7.1", "Error: " + texts[1] + " " + s.clientAddress);
    }

    void sessionClosed(SmtpSession s) {
        if (maxSessions > 0) sessions.decrementAndGet();
        if (settings.clientLimits().connectionCount() > 0 && !settings.clientLimits().exempt(s.clientInet)) {
            closed(s.clientAddress);
        }
    }

    /** Postfix master's warning, at most once a minute per service. */
    private void warnProcessLimit() {
        long now = clock.millis();
        long last = lastLimitWarning.get();
        if ((last != Long.MIN_VALUE && now - last < 60_000) || !lastLimitWarning.compareAndSet(last, now)) return;
        SessionLog.LOG.warn("service \"{}\" ({}) has reached its process limit \"{}\": new clients are refused with 421"
                + " -- see default_process_limit or the service's maxproc in master.cf", serviceName, port, maxSessions);
    }

    /** A numeric address as an InetAddress; InetAddress parses a literal without any lookup. */
    static InetAddress numeric(String address) {
        try {
            return InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not a numeric address: " + address, e);
        }
    }

    /** A name for log lines written before the session's own lookup (connection limit): no DNS. */
    String clientName(String address) {
        return numeric(address).isLoopbackAddress() ? "localhost" : "unknown";
    }
}
