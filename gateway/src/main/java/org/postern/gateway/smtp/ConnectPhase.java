// ConnectPhase: first phase of a session -- finds the next hop's addresses (MX lookup with RFC 7505 null
// MX and the implicit MX of RFC 5321 5.1, then A/AAAA, asynchronously through DnsResolver), connects to
// them in turn (smtp_connect_timeout each) and reads the greeting (smtp_helo_timeout). A UNIX-domain
// socket is connected directly. Governed by disable_dns_lookups, smtp_host_lookup, smtp_address_preference,
// smtp_mx_address_limit, smtp_mx_session_limit. Yields the SmtpConnection the later phases use.
package org.postern.gateway.smtp;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.SocketAddress;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import org.postern.core.SmtpReply;
import org.postern.policies.conf.InetLiteral;
import org.postern.policies.dns.DnsAnswer;
import org.postern.policies.dns.DnsResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Promise: the greeted connection, or a {@link SessionFailure} (5.1.10 null MX, 5.1.2 no such domain,
 * 5.4.4/4.4.4 no address, 4.4.3 DNS failure, 4.4.1 connect, greeting). Addresses come in MX preference
 * order (equal preferences shuffled, RFC 5321 5.1), each host's addresses in DNS order, at most
 * smtp_mx_address_limit in all; a refused connect moves on to the next address, and so does a server
 * that fails after connecting, until smtp_mx_session_limit such servers have failed.
 * Without a DnsResolver (or with disable_dns_lookups) every name goes to the JDK resolver on a worker
 * and an MX destination is taken as a host name, as Postfix does with DNS disabled.
 */
final class ConnectPhase {
    static final String GREETING = "receiving the initial server greeting";
    /** "type=" in the lookup failure texts of address lookups (A and AAAA are asked together). */
    private static final String ADDRESS_TYPE = "A";

    /** One address to try and the host name it belongs to (an MX host, or the next hop itself) for relay=. */
    record Target(String hostName, InetAddress address) {}

    /** The addresses of one name, or why there are none. */
    private record Found(List<InetAddress> addresses, SessionFailure failure) {}

    private final Vertx vertx;
    private final NetClient client;
    private final WorkerExecutor workers;
    private final DnsResolver dns;
    private final SmtpSettings settings;
    private final Destination destination;
    private final Clock clock;
    private final Logger log;
    private final Promise<SmtpConnection> promise = Promise.promise();
    private final Context context;

    /** {@code dns} null: the JDK resolver only (no MX lookups). */
    ConnectPhase(Vertx vertx, NetClient client, WorkerExecutor workers, DnsResolver dns, SmtpSettings settings,
                 Destination destination, Clock clock) {
        this.vertx = vertx;
        this.client = client;
        this.workers = workers;
        this.dns = settings.dnsLookups() ? dns : null;
        this.settings = settings;
        this.destination = destination;
        this.clock = clock;
        this.log = LoggerFactory.getLogger(destination.protocol() == Destination.Protocol.LMTP ? "postern.lmtp" : "postern.smtp");
        this.context = vertx.getOrCreateContext(); // DNS answers come back here
    }

    Future<SmtpConnection> run() {
        if (destination.isUnix()) {
            String path = destination.unixSocket().toString();
            connect(SocketAddress.domainSocketAddress(path), "localhost", path, 0).compose(this::greeting)
                    .onComplete(promise);
        } else {
            Future.succeededFuture().compose(v -> targets()).compose(list -> tryTargets(list, 0, 0, null))
                    .onComplete(promise);
        }
        return promise.future();
    }

    /** The addresses to try, in order, for this destination. */
    Future<List<Target>> targets() {
        String host = destination.host();
        Future<List<Target>> all;
        if (destination.mx() && dns != null) {
            all = mx(host);
        } else {
            all = addresses(host, false).map(a -> ordered(List.of(byHost(host, a))));
        }
        return all.map(list -> list.subList(0, Math.min(list.size(), settings.addressLimit())));
    }

    /** MX lookup: null MX bounces, NXDOMAIN bounces, NODATA means the domain itself (implicit MX), else the MX hosts. */
    private Future<List<Target>> mx(String domain) {
        return ask(dns.mx(domain), domain).<List<Target>>compose(answer -> switch (answer.status()) {
            case TEMPFAIL -> Future.failedFuture(SessionFailure.dnsTempfail(domain, "MX"));
            case NXDOMAIN -> Future.failedFuture(SessionFailure.noSuchDomain(domain, "MX"));
            case NODATA -> addresses(domain, true).map(a -> ordered(List.of(byHost(domain, a))));
            case FOUND -> answer.isNullMx() ? Future.failedFuture(SessionFailure.nullMx(domain)) : mxHosts(domain, answer);
        });
    }

    /** Each MX host's addresses, looked up together; preference groups in order, each group shuffled. */
    private Future<List<Target>> mxHosts(String domain, DnsAnswer answer) {
        List<List<String>> groups = new ArrayList<>();
        int pref = -1;
        for (DnsAnswer.MxHost h : answer.mxHosts()) {
            if (h.host().isEmpty()) continue; // a "0 ." beside real MX records (RFC 7505 forbids it): ignored
            if (groups.isEmpty() || h.preference() != pref) groups.add(new ArrayList<>());
            pref = h.preference();
            groups.get(groups.size() - 1).add(h.host());
        }
        if (groups.isEmpty()) return Future.failedFuture(SessionFailure.nullMx(domain));
        List<String> hosts = new ArrayList<>();
        for (List<String> g : groups) {
            Collections.shuffle(g, ThreadLocalRandom.current());
            hosts.addAll(g);
        }
        List<Future<Found>> lookups = new ArrayList<>();
        for (String h : hosts) {
            lookups.add(addresses(h, true).map(a -> new Found(a, null))
                    .recover(e -> Future.succeededFuture(new Found(List.of(), failure(e)))));
        }
        return Future.all(lookups).compose(done -> {
            List<List<Target>> byGroup = new ArrayList<>();
            SessionFailure soft = null;
            SessionFailure hard = null;
            int i = 0;
            for (List<String> g : groups) {
                List<Target> group = new ArrayList<>();
                for (String h : g) {
                    Found f = lookups.get(i++).result();
                    group.addAll(byHost(h, f.addresses()));
                    if (f.failure() != null && f.failure().reply.isTransient() && soft == null) soft = f.failure();
                    if (f.failure() != null && f.failure().reply.isPermanent()) hard = f.failure();
                }
                byGroup.add(group);
            }
            List<Target> out = ordered(byGroup);
            if (!out.isEmpty()) return Future.succeededFuture(out);
            // a soft error dominates hard ones, as in Postfix: a host that may have addresses later
            return Future.failedFuture(soft != null ? soft : hard);
        });
    }

    /**
     * A host's addresses: an IP literal as it is; without DNS (or smtp_host_lookup = native) from the JDK
     * resolver; with DNS a configured "localhost" (RFC 6761) as 127.0.0.1 and ::1, other names from DNS,
     * and with "dns, native" from the JDK resolver when DNS does not know them.
     * {@code mailDomain}: a name from the recipient's domain (MX host, implicit MX), whose absence bounces
     * and which gets no localhost shortcut; else a configured next hop, whose absence defers.
     */
    private Future<List<InetAddress>> addresses(String host, boolean mailDomain) {
        byte[] literal = InetLiteral.parse(host);
        if (literal != null) return Future.succeededFuture(List.of(address(host, literal)));
        if (dns == null || !settings.hostLookup().dns()) return nativeAddresses(host);
        String h = host.toLowerCase(Locale.ROOT);
        if (!mailDomain && (h.equals("localhost") || h.endsWith(".localhost"))) {
            return Future.succeededFuture(List.of(address(host, new byte[] {127, 0, 0, 1}),
                    address(host, InetLiteral.parse("::1"))));
        }
        return ask(dns.addresses(host), host).<List<InetAddress>>compose(answer -> switch (answer.status()) {
            case FOUND -> Future.succeededFuture(answer.addresses());
            case TEMPFAIL -> Future.failedFuture(SessionFailure.dnsTempfail(host, ADDRESS_TYPE));
            case NXDOMAIN, NODATA -> settings.hostLookup().nativeLookup() ? nativeAddresses(host)
                    : Future.failedFuture(SessionFailure.noAddress(host, ADDRESS_TYPE, mailDomain));
        });
    }

    /**
     * The JDK resolver (hosts file, then the system's DNS). Blocking, so on a worker. It does not tell a
     * missing name from a failed lookup, so its failures defer (4.4.3).
     */
    private Future<List<InetAddress>> nativeAddresses(String host) {
        return workers.<List<InetAddress>>executeBlocking(() -> Arrays.asList(InetAddress.getAllByName(host)), false)
                .recover(e -> Future.failedFuture(e instanceof UnknownHostException
                        ? SessionFailure.hostNotFound(host, "Host not found")
                        : SessionFailure.hostNotFound(host, String.valueOf(e.getMessage()))));
    }

    /** The resolver's answer on this phase's context; an exceptional completion counts as TEMPFAIL. */
    private Future<DnsAnswer> ask(CompletionStage<DnsAnswer> stage, String name) {
        return Future.fromCompletionStage(stage, context)
                .recover(e -> Future.succeededFuture(DnsAnswer.tempfail(name, 0, String.valueOf(e))));
    }

    private static List<Target> byHost(String host, List<InetAddress> addresses) {
        return addresses.stream().map(a -> new Target(host, a)).toList();
    }

    /** The groups in order, each sorted by smtp_address_preference (stable: "any" keeps DNS order). */
    private List<Target> ordered(List<List<Target>> groups) {
        List<Target> out = new ArrayList<>();
        for (List<Target> g : groups) {
            List<Target> sorted = new ArrayList<>(g);
            switch (settings.addressPreference()) {
                case IPV4 -> sorted.sort(Comparator.comparingInt(t -> t.address() instanceof Inet4Address ? 0 : 1));
                case IPV6 -> sorted.sort(Comparator.comparingInt(t -> t.address() instanceof Inet4Address ? 1 : 0));
                case ANY -> { }
            }
            out.addAll(sorted);
        }
        return out;
    }

    private static InetAddress address(String host, byte[] raw) {
        try {
            return InetAddress.getByAddress(host, raw); // no lookup: the address is given
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static SessionFailure failure(Throwable e) {
        return e instanceof SessionFailure f ? f
                : SessionFailure.local(SmtpReply.of(451, "4.4.0", "next-hop lookup or connect failed: " + e), false);
    }

    /**
     * Tries each address in turn; the last failure is the one reported, earlier ones are logged as
     * Postfix logs them. A server that connected but failed its greeting counts toward smtp_mx_session_limit.
     */
    private Future<SmtpConnection> tryTargets(List<Target> list, int i, int sessions, SessionFailure last) {
        if (i >= list.size()) return Future.failedFuture(last);
        Target t = list.get(i);
        String ip = t.address().getHostAddress();
        SocketAddress to = SocketAddress.inetSocketAddress(destination.port(), ip);
        return connect(to, t.hostName(), ip, destination.port()).transform(ar -> {
            if (ar.failed()) return next(list, i, sessions, failure(ar.cause()));
            return greeting(ar.result()).recover(e -> sessions + 1 >= settings.sessionLimit()
                    ? Future.failedFuture(e) : next(list, i, sessions + 1, failure(e)));
        });
    }

    private Future<SmtpConnection> next(List<Target> list, int i, int sessions, SessionFailure f) {
        if (i + 1 < list.size()) log.info(f.diagnostic);
        return tryTargets(list, i + 1, sessions, f);
    }

    private Future<SmtpConnection> connect(SocketAddress to, String name, String addr, int port) {
        ConnectOptions o = new ConnectOptions().setRemoteAddress(to)
                .setTimeout((int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()));
        String where = name + "[" + addr + "]" + (port > 0 ? ":" + port : "");
        return client.connect(o)
                .map(so -> new SmtpConnection(vertx, so, name, addr, port, settings.replyLimit(), clock.instant()))
                .recover(e -> Future.failedFuture(SessionFailure.connect(where, reason(e))));
    }

    private static String reason(Throwable e) {
        if (e instanceof ConnectTimeoutException) return "Connection timed out";
        if (e instanceof ConnectException) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("refused")) return "Connection refused";
            if (m.contains("No such file")) return "No such file or directory";
            return m;
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /** The greeting must be 2xx; a 5xx one counts as temporary (smtp_skip_5xx_greeting = yes). */
    private Future<SmtpConnection> greeting(SmtpConnection c) {
        return c.read(settings.heloTimeout(), GREETING).transform(ar -> {
            if (ar.failed()) {
                c.close();
                return Future.failedFuture(ar.cause());
            }
            if (ar.result().code() / 100 == 2) return Future.succeededFuture(c);
            c.close();
            SessionFailure f = SessionFailure.refusedToTalk(c.peer(), ar.result());
            return Future.failedFuture(f.reply.isPermanent() ? f.asTransient() : f);
        });
    }
}
