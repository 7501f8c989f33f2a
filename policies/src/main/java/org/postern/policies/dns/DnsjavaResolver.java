// DnsjavaResolver: DnsResolver on dnsjava's asynchronous LookupSession (never the blocking Lookup),
// with a TTL cache (DnsCache), in-flight de-duplication and a hard per-lookup time budget. Serves the
// DNS needs of smtpd restrictions; servers come from /etc/resolv.conf unless configured ("host:port").
package org.postern.policies.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.lookup.LookupFailedException;
import org.xbill.DNS.lookup.LookupResult;
import org.xbill.DNS.lookup.LookupSession;
import org.xbill.DNS.lookup.NoSuchDomainException;
import org.xbill.DNS.lookup.NoSuchRRSetException;
import org.xbill.DNS.lookup.ServerFailedException;

/**
 * {@code DnsjavaResolver.builder().server("127.0.0.1:5353").timeout(ofSeconds(2)).clock(clock).build()}.
 * Thread-safe; build once and share. Results complete on the configured executor (default: the
 * common ForkJoinPool, where only non-blocking continuations run).
 */
public final class DnsjavaResolver implements DnsResolver {
    private static final Pattern HOST_PORT = Pattern.compile("\\[([0-9A-Fa-f:.]+)]:(\\d+)|([0-9.]+):(\\d+)|([0-9A-Fa-f:.]+)");

    private final List<InetSocketAddress> servers;
    private final Duration timeout;
    private final LookupSession session;
    private final SoaRecordingResolver wire;
    private final DnsCache cache;
    private final Executor executor;
    private final ConcurrentHashMap<DnsCache.Key, CompletableFuture<DnsAnswer>> inFlight = new ConcurrentHashMap<>();

    private DnsjavaResolver(Builder b, List<InetSocketAddress> servers, Resolver transport) {
        this.servers = List.copyOf(servers);
        this.timeout = b.timeout;
        this.wire = new SoaRecordingResolver(transport != null ? transport : network(servers, b.timeout, b.attempts));
        this.session = LookupSession.builder().resolver(wire).clearCaches().executor(b.executor).build();
        this.executor = b.executor;
        this.cache = new DnsCache(b.clock, b.cacheSize, b.maxTtl, b.maxNegativeTtl);
    }

    /** Each server gets {@code attempts} tries of timeout / (attempts * servers), at least 100 ms each. */
    private static Resolver network(List<InetSocketAddress> servers, Duration timeout, int attempts) {
        Duration perTry = timeout.dividedBy((long) attempts * servers.size());
        if (perTry.compareTo(Duration.ofMillis(100)) < 0) perTry = Duration.ofMillis(100);
        List<Resolver> simple = new ArrayList<>();
        for (InetSocketAddress s : servers) {
            SimpleResolver r = new SimpleResolver(s);
            r.setTimeout(perTry);
            simple.add(r);
        }
        ExtendedResolver extended = new ExtendedResolver(simple);
        extended.setRetries(attempts);
        extended.setLoadBalance(false);
        extended.setTimeout(timeout);
        return extended;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The servers asked, in order. */
    public List<InetSocketAddress> servers() {
        return servers;
    }

    @Override
    public CompletionStage<DnsAnswer> lookup(String name, int type) {
        String shown = name.endsWith(".") && name.length() > 1 ? name.substring(0, name.length() - 1) : name;
        Name qname;
        try {
            if (name.isEmpty()) throw new TextParseException("empty name");
            qname = Name.fromString(name, Name.root);
        } catch (TextParseException e) {
            // a name that cannot be written in DNS cannot exist there
            return CompletableFuture.completedStage(new DnsAnswer(DnsAnswer.Status.NXDOMAIN, shown, type, List.of(), 0,
                    "invalid domain name: " + e.getMessage()));
        }
        DnsCache.Key key = DnsCache.Key.of(qname.toString(), type);
        DnsAnswer cached = cache.get(key);
        if (cached != null) return CompletableFuture.completedStage(cached);
        CompletableFuture<DnsAnswer> promise = new CompletableFuture<>();
        CompletableFuture<DnsAnswer> running = inFlight.putIfAbsent(key, promise);
        if (running != null) return running.minimalCompletionStage();
        query(qname, shown, type).whenComplete((answer, err) -> {
            DnsAnswer a = err != null ? DnsAnswer.tempfail(shown, type, "internal error: " + err) : answer;
            cache.put(key, a);
            inFlight.remove(key, promise);
            complete(promise, a);
        });
        return promise.minimalCompletionStage();
    }

    /** Callers' continuations run on the executor, never on dnsjava's NIO selector thread. */
    private void complete(CompletableFuture<DnsAnswer> promise, DnsAnswer answer) {
        try {
            executor.execute(() -> promise.complete(answer));
        } catch (RuntimeException rejected) {
            promise.complete(answer);
        }
    }

    private CompletableFuture<DnsAnswer> query(Name qname, String shown, int type) {
        CompletableFuture<LookupResult> sent;
        try {
            sent = session.lookupAsync(qname, type).toCompletableFuture();
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        // a second guard on top of dnsjava's own: a lookup never outlives its budget
        return sent.orTimeout(timeout.toMillis() + 250, TimeUnit.MILLISECONDS)
                .handle((result, err) -> err == null ? found(result, qname, shown, type) : failure(err, qname, shown, type));
    }

    private DnsAnswer found(LookupResult result, Name qname, String shown, int type) {
        List<Record> records = result.getRecords().stream().filter(r -> r.getType() == type).toList();
        // LookupSession reports some NODATA answers as an empty result rather than NoSuchRRSetException
        if (records.isEmpty()) return DnsAnswer.nodata(shown, type, Math.max(0, wire.takeNegativeTtl(qname, type)));
        long ttl = records.stream().mapToLong(Record::getTTL).min().orElse(0);
        return DnsAnswer.found(shown, type, records, ttl);
    }

    private DnsAnswer failure(Throwable err, Name qname, String shown, int type) {
        Throwable e = err;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof NoSuchDomainException n) {
            return DnsAnswer.nxdomain(shown, type, negativeTtl(n, qname, type));
        }
        if (e instanceof NoSuchRRSetException n) {
            return DnsAnswer.nodata(shown, type, negativeTtl(n, qname, type));
        }
        String why;
        if (e instanceof ServerFailedException) why = "SERVFAIL from " + serversText();
        else if (e instanceof LookupFailedException) why = e.getMessage() + " (from " + serversText() + ")";
        else if (e instanceof TimeoutException || e instanceof SocketTimeoutException) {
            why = "no answer from " + serversText() + " within " + timeout.toMillis() + " ms";
        } else if (e instanceof PortUnreachableException) why = "port unreachable at " + serversText();
        else if (e instanceof IOException) why = "network error talking to " + serversText() + ": " + e;
        else why = e.toString();
        return DnsAnswer.tempfail(shown, type, why);
    }

    private long negativeTtl(LookupFailedException e, Name qname, int type) {
        long ttl = e.getName() == null ? -1 : wire.takeNegativeTtl(e.getName(), type);
        long asked = wire.takeNegativeTtl(qname, type);
        if (ttl < 0) ttl = asked;
        return Math.max(ttl, 0); // RFC 2308 section 5: no SOA, no negative caching
    }

    private String serversText() {
        if (servers.isEmpty()) return "the test transport";
        StringBuilder sb = new StringBuilder();
        for (InetSocketAddress s : servers) {
            if (sb.length() > 0) sb.append(", ");
            String host = s.getAddress().getHostAddress();
            sb.append(host.contains(":") ? "[" + host + "]" : host).append(':').append(s.getPort());
        }
        return sb.toString();
    }

    /** Entries in the cache now (for tests and metrics). */
    int cachedEntries() {
        return cache.size();
    }

    /**
     * Parses "127.0.0.1:5353", "[::1]:5353", "192.0.2.1" or "2001:db8::1" (port 53). Only IP
     * literals: a resolver named by hostname would need DNS to find DNS.
     */
    static InetSocketAddress parseServer(String text) {
        Matcher m = HOST_PORT.matcher(text.strip());
        if (!m.matches()) throw new IllegalArgumentException("bad DNS server \"" + text + "\": expected IP or IP:port");
        String host = m.group(1) != null ? m.group(1) : m.group(3) != null ? m.group(3) : m.group(5);
        String port = m.group(2) != null ? m.group(2) : m.group(4);
        if (host.indexOf(':') < 0 && !host.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new IllegalArgumentException("bad DNS server \"" + text + "\": \"" + host + "\" is not an IP address");
        }
        int p = port == null ? 53 : Integer.parseInt(port.length() > 5 ? "99999" : port);
        if (p < 1 || p > 65535) throw new IllegalArgumentException("bad DNS server \"" + text + "\": port " + port);
        try {
            return new InetSocketAddress(InetAddress.getByName(host), p); // a literal: no lookup happens
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad DNS server \"" + text + "\": " + e.getMessage(), e);
        }
    }

    /** Settings; {@link #build()} validates them. */
    public static final class Builder {
        private final List<InetSocketAddress> servers = new ArrayList<>();
        private Duration timeout = Duration.ofSeconds(10);
        private int attempts = 2;
        private Clock clock = Clock.systemUTC();
        private int cacheSize = 10_000;
        private Duration maxTtl = Duration.ofDays(1);
        private Duration maxNegativeTtl = Duration.ofHours(3);
        private Executor executor = ForkJoinPool.commonPool();
        private Resolver transport;

        private Builder() {}

        /** Adds a server: "127.0.0.1:5353", "[::1]:53", "192.0.2.1". Default: /etc/resolv.conf's. */
        public Builder server(String hostPort) {
            servers.add(parseServer(hostPort));
            return this;
        }

        public Builder server(InetSocketAddress server) {
            servers.add(server);
            return this;
        }

        /** Time budget of one lookup over all servers and attempts (default 10 s); then TEMPFAIL. */
        public Builder timeout(Duration t) {
            this.timeout = t;
            return this;
        }

        /**
         * Tries per server (default 2); each try gets timeout / (attempts * servers). dnsjava notices a
         * try's timeout only about once a second (its NIO selector wakes every 1000 ms), so tries
         * shorter than that end late; the overall {@link #timeout} is enforced regardless.
         */
        public Builder attempts(int n) {
            this.attempts = n;
            return this;
        }

        /** Time source of the cache (tests pass a settable clock). */
        public Builder clock(Clock c) {
            this.clock = c;
            return this;
        }

        /** Most answers kept (default 10000); 0 turns the cache off. */
        public Builder cacheSize(int n) {
            this.cacheSize = n;
            return this;
        }

        /** Longest time a positive answer is kept, whatever its TTL (default 1 day). */
        public Builder maxTtl(Duration d) {
            this.maxTtl = d;
            return this;
        }

        /** Longest time NXDOMAIN/NODATA is kept (default 3 h, RFC 2308 section 5). */
        public Builder maxNegativeTtl(Duration d) {
            this.maxNegativeTtl = d;
            return this;
        }

        /** Where continuations run (default the common ForkJoinPool); must not be an event loop that blocks. */
        public Builder executor(Executor e) {
            this.executor = e;
            return this;
        }

        /** Tests: send queries to this dnsjava Resolver instead of the network. */
        Builder transport(Resolver r) {
            this.transport = r;
            return this;
        }

        /** Reads /etc/resolv.conf (via dnsjava's ResolverConfig) when no server was given: call off the event loop. */
        public DnsjavaResolver build() {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout " + timeout);
            }
            if (attempts < 1) throw new IllegalArgumentException("attempts " + attempts);
            if (cacheSize < 0) throw new IllegalArgumentException("cacheSize " + cacheSize);
            if (clock == null || executor == null) throw new IllegalArgumentException("clock and executor are required");
            if (transport != null) return new DnsjavaResolver(this, servers, transport);
            List<InetSocketAddress> list = servers.isEmpty() ? ResolverConfig.getCurrentConfig().servers() : servers;
            if (list.isEmpty()) throw new IllegalArgumentException("no DNS server configured");
            return new DnsjavaResolver(this, list, null);
        }
    }
}
