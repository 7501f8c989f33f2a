// SmtpdListener: one master.cf smtpd service (e.g. "smtp", "submission", "127.0.0.1:10025") with
// its frozen settings, TLS material and password file, shared by the sessions of every event loop.
// Enforces master.cf's maxproc (default_process_limit) as the limit of concurrent sessions, and
// smtpd_client_connection_count_limit per client address (mynetworks exempt, as Postfix).
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
    private final ConcurrentHashMap<String, Integer> connections = new ConcurrentHashMap<>();
    /** master.cf maxproc: concurrent sessions; 0 = no limit. */
    private final int maxSessions;
    private final AtomicInteger sessions = new AtomicInteger();
    private final AtomicLong lastLimitWarning = new AtomicLong(Long.MIN_VALUE);

    /** @param maxSessions master.cf maxproc of the service: sessions at the same time, 0 = no limit */
    SmtpdListener(Vertx vertx, String serviceName, String host, int port, SmtpdSettings settings,
                  IncomingQueue queue, ServerTls tls, PasswordFile passwords, Clock clock, DnsResolver dns,
                  ContentChecks contentChecks, SmtpdRestrictions restrictions, AddressRewriting rewriting,
                  Supplier<VscanStage> vscan, int maxSessions) {
        this.maxSessions = maxSessions;
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
    }

    public String serviceName() { return serviceName; }
    public String host() { return host; }
    public int port() { return port; }
    Vertx vertx() { return vertx; }
    SmtpdSettings settings() { return settings; }
    IncomingQueue queue() { return queue; }
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
        int limit = settings.connectionCountLimit();
        if (limit > 0 && !inMynetworks(addr)) {
            int n = connections.merge(addr, 1, Integer::sum);
            if (n > limit) {
                connections.merge(addr, -1, Integer::sum);
                if (maxSessions > 0) sessions.decrementAndGet();
                SessionLog.LOG.warn("Connection concurrency limit exceeded: {} from {}[{}] for service {}",
                        n, clientName(addr), addr, serviceName);
                socket.write(SmtpReply.of(421, "4.7.0", settings.hostname() + " Error: too many connections from "
                        + addr).render());
                socket.end();
                return;
            }
        }
        new SmtpSession(this, socket).start();
    }

    void sessionClosed(SmtpSession s) {
        if (maxSessions > 0) sessions.decrementAndGet();
        if (settings.connectionCountLimit() > 0 && !settings.mynetworks().contains(s.clientInet)) {
            connections.computeIfPresent(s.clientAddress, (k, v) -> v <= 1 ? null : v - 1);
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

    boolean inMynetworks(String address) {
        return settings.mynetworks().contains(numeric(address));
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
