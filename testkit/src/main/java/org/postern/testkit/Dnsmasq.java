// Dnsmasq: Debian's dnsmasq started in the foreground on 127.0.0.1:<free port> serving the zones a
// test declares (DNSBL entries, MX, TXT, PTR), logging every query to a file so tests can count them;
// plus StubServer, a loopback DNS endpoint that never answers or answers SERVFAIL. Test support only.
package org.postern.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * <pre>{@code
 * try (Dnsmasq dns = Dnsmasq.builder().zone("zen.test").host("2.0.0.127.zen.test", "127.0.0.2")
 *         .txt("2.0.0.127.zen.test", "listed for a test").start()) {
 *     resolver = DnsjavaResolver.builder().server(dns.hostPort()).build(); ...
 *     assertThat(dns.queryCount("2.0.0.127.zen.test", "A")).isEqualTo(1);
 * }}</pre>
 * Names in a declared {@link Builder#zone zone} that have no record get NXDOMAIN (dnsmasq --local);
 * names outside every zone get REFUSED. Default TTL 300 s. dnsmasq answers without an SOA, so its
 * NXDOMAIN/NODATA are not cacheable (RFC 2308); {@link Builder#authoritative()} adds one.
 * Temporary failures: {@link Builder#unreachableZone} (no answer: the client times out) and
 * {@link Builder#servfailZone} (SERVFAIL), or point a resolver at a {@link StubServer} directly.
 */
public final class Dnsmasq implements AutoCloseable {
    private static final Pattern QUERY = Pattern.compile("(?:query|auth)\\[([A-Za-z0-9]+)] (\\S+) from ");

    private final RunningProgram program;
    private final int port;
    private final Path dir;
    private final Path log;
    private final String conf;
    private final List<StubServer> stubs;

    /** {@code conf}: the zone data, written to a file (only there does dnsmasq honour quotes in TXT). */
    private Dnsmasq(List<String> command, List<String> conf, int port, Path dir, List<StubServer> stubs) {
        this.port = port;
        this.dir = dir;
        this.log = dir.resolve("queries.log");
        this.conf = String.join("\n", conf) + "\n";
        this.stubs = stubs;
        Path confFile = dir.resolve("dnsmasq.conf");
        try {
            Files.writeString(confFile, this.conf, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + confFile, e);
        }
        List<String> cmd = new ArrayList<>(command);
        cmd.add("--conf-file=" + confFile);
        cmd.add("--port=" + port);
        cmd.add("--log-facility=" + log);
        this.program = RunningProgram.start(cmd, Map.of(), false, 8192, 8192, null);
    }

    public static Builder builder() {
        return new Builder();
    }

    public String host() { return "127.0.0.1"; }
    public int port() { return port; }
    /** "127.0.0.1:PORT", the form DnsjavaResolver.Builder.server takes. */
    public String hostPort() { return host() + ":" + port; }
    public long pid() { return program.pid(); }

    /** Every query dnsmasq logged, oldest first, as "TYPE name" (e.g. "A 2.0.0.127.zen.test"). */
    public List<String> queries() {
        List<String> out = new ArrayList<>();
        Matcher m = QUERY.matcher(queryLog());
        while (m.find()) out.add(m.group(1).toUpperCase(Locale.ROOT) + " " + m.group(2).toLowerCase(Locale.ROOT));
        return out;
    }

    /** How many times {@code name} was asked for {@code type} ("A", "TXT", "MX", ...). */
    public int queryCount(String name, String type) {
        String n = name.toLowerCase(Locale.ROOT);
        String want = type.toUpperCase(Locale.ROOT) + " " + (n.endsWith(".") ? n.substring(0, n.length() - 1) : n);
        return (int) queries().stream().filter(want::equals).count();
    }

    /** dnsmasq's log file (start-up lines and one "query[TYPE] name from ..." line per query). */
    public String queryLog() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + log, e);
        }
    }

    /** Command line, state, output and the tail of the query log, for failure messages. */
    public String describe() {
        String q = queryLog();
        return program.describe() + "\n  dnsmasq.conf:\n    " + conf.strip().replace("\n", "\n    ")
                + "\n  query log (tail): " + (q.length() > 3000 ? "[...]" + q.substring(q.length() - 3000) : q);
    }

    @Override
    public void close() {
        try {
            program.close();
        } finally {
            stubs.forEach(StubServer::close);
            SharedDirs.deleteTree(dir);
        }
    }

    /** Zones and records; {@link #start()} launches dnsmasq and waits until it answers. */
    public static final class Builder {
        private final List<String> zones = new ArrayList<>();
        private final List<String> records = new ArrayList<>();
        private final List<String> extra = new ArrayList<>();
        private final List<String> silentZones = new ArrayList<>();
        private final List<String> servfailZones = new ArrayList<>();
        private boolean authoritative;
        private boolean usesAddress;
        private Duration ttl = Duration.ofSeconds(300);
        private Duration startTimeout = Duration.ofSeconds(10);

        private Builder() {}

        /** A zone this server owns: names in it without records get NXDOMAIN. */
        public Builder zone(String zone) { zones.add(zone); return this; }

        /** A and/or AAAA records for exactly {@code name} (--host-record; dnsmasq also answers their PTR). */
        public Builder host(String name, String... addresses) {
            for (String a : addresses) records.add("host-record=" + name + "," + a);
            return this;
        }

        /** {@code name} and every name below it resolve to {@code ip} (--address; no PTR; not in authoritative mode). */
        public Builder address(String name, String ip) {
            usesAddress = true;
            records.add("address=/" + name + "/" + ip);
            return this;
        }

        /** One TXT record of one or more character-strings (no '"' or '\' in them). */
        public Builder txt(String name, String... strings) {
            StringBuilder sb = new StringBuilder("txt-record=").append(name);
            for (String s : strings) {
                if (s.indexOf('"') >= 0 || s.indexOf('\\') >= 0 || s.chars().anyMatch(c -> c < ' ')) {
                    throw new IllegalArgumentException(
                            "TXT text for dnsmasq may not hold '\"', '\\' or control characters: " + s);
                }
                sb.append(",\"").append(s).append('"');
            }
            records.add(sb.toString());
            return this;
        }

        public Builder mx(String domain, String host, int preference) {
            records.add("mx-host=" + domain + "," + host + "," + preference);
            return this;
        }

        /** PTR for an IPv4 or IPv6 address (the reverse name is computed). */
        public Builder ptr(String address, String name) {
            records.add("ptr-record=" + reverseName(address) + "," + name);
            return this;
        }

        public Builder cname(String alias, String target) {
            records.add("cname=" + alias + "," + target);
            return this;
        }

        /** TTL of every answer (default 300 s); in authoritative mode also the SOA minimum (negative TTL). */
        public Builder ttl(Duration t) { this.ttl = t; return this; }

        /**
         * Serve the zones authoritatively (--auth-zone): answers then carry an SOA, so NXDOMAIN and
         * NODATA are negatively cacheable for {@link #ttl}. Names outside the zones get REFUSED;
         * {@link #address}, {@link #unreachableZone} and {@link #servfailZone} are unavailable.
         */
        public Builder authoritative() { this.authoritative = true; return this; }

        /** Queries for names in {@code zone} are forwarded to a server that never answers: clients time out. */
        public Builder unreachableZone(String zone) { silentZones.add(zone); return this; }

        /** Queries for names in {@code zone} get SERVFAIL (forwarded to a {@link StubServer#servfail()}). */
        public Builder servfailZone(String zone) { servfailZones.add(zone); return this; }

        /** More dnsmasq options, e.g. "--srv-host=...". */
        public Builder args(String... args) { extra.addAll(List.of(args)); return this; }

        public Builder startTimeout(Duration t) { this.startTimeout = t; return this; }

        public Dnsmasq start() {
            Path exe = Assumptions.requireCommand("dnsmasq");
            if (authoritative && (usesAddress || !silentZones.isEmpty() || !servfailZones.isEmpty())) {
                throw new IllegalStateException(
                        "address(), unreachableZone() and servfailZone() need a non-authoritative dnsmasq");
            }
            if (authoritative && zones.isEmpty()) throw new IllegalStateException("authoritative() needs at least one zone()");
            List<StubServer> stubs = new ArrayList<>();
            // the conf file replaces /etc/dnsmasq.conf, so nothing of the host's set-up leaks in
            List<String> cmd = new ArrayList<>(List.of(exe.toString(), "--keep-in-foreground", "--no-resolv", "--no-hosts",
                    "--listen-address=127.0.0.1", "--bind-interfaces", "--pid-file=", "--cache-size=0", "--log-queries"));
            if (SharedDirs.isRoot()) cmd.add("--user=root"); // no privilege drop: the log file stays writable
            cmd.addAll(extra);
            List<String> conf = new ArrayList<>();
            long seconds = Math.max(0, ttl.toSeconds());
            if (authoritative) {
                conf.add("auth-server=ns." + zones.get(0) + ",127.0.0.1");
                conf.add("auth-ttl=" + seconds);
                conf.add("auth-soa=1,hostmaster." + zones.get(0) + ",1200,180,1209600");
                zones.forEach(z -> conf.add("auth-zone=" + z));
            } else {
                conf.add("local-ttl=" + seconds);
                zones.forEach(z -> conf.add("local=/" + z + "/"));
            }
            conf.addAll(records);
            for (String z : silentZones) conf.add(forward(z, stubs, StubServer.silent()));
            for (String z : servfailZones) conf.add(forward(z, stubs, StubServer.servfail()));
            AssertionError last = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                Path dir = SharedDirs.createSharedTempDir("dnsmasq-");
                Dnsmasq d = new Dnsmasq(cmd, conf, FreePort.next(), dir, stubs);
                try {
                    d.awaitAnswer(startTimeout);
                    return d;
                } catch (AssertionError e) {
                    last = e;
                    d.program.close();
                    SharedDirs.deleteTree(dir);
                    if (!d.program.stderr().text().contains("Address already in use")) break;
                }
            }
            stubs.forEach(StubServer::close);
            throw last;
        }

        private static String forward(String zone, List<StubServer> stubs, StubServer stub) {
            stubs.add(stub);
            return "server=/" + zone + "/127.0.0.1#" + stub.port();
        }
    }

    /** Sends "version.bind CH TXT" until any reply with our id comes back (even REFUSED means it is up). */
    private void awaitAnswer(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String problem = "no reply";
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            s.setSoTimeout(200);
            while (System.nanoTime() < deadline) {
                if (!program.isAlive()) {
                    program.drain();
                    throw new AssertionError("dnsmasq exited during start-up: " + describe());
                }
                int id = ThreadLocalRandom.current().nextInt(1, 0xffff);
                byte[] q = query(id, "version.bind", 16, 3);
                s.send(new DatagramPacket(q, q.length, InetAddress.getLoopbackAddress(), port));
                try {
                    DatagramPacket p = new DatagramPacket(new byte[1500], 1500);
                    s.receive(p);
                    if (p.getLength() >= 12 && ((p.getData()[0] & 0xff) << 8 | (p.getData()[1] & 0xff)) == id) return;
                } catch (SocketTimeoutException e) {
                    problem = "no reply within 200 ms";
                } catch (IOException e) {
                    problem = e.toString(); // ICMP port unreachable: not bound yet
                }
            }
        } catch (IOException e) {
            problem = e.toString();
        }
        throw new AssertionError("dnsmasq did not answer on 127.0.0.1:" + port + " within " + timeout.toMillis()
                + " ms (" + problem + "): " + describe());
    }

    /** A DNS query message: header with RD set, one question. */
    static byte[] query(int id, String name, int type, int dnsClass) {
        byte[] qname = encodeName(name);
        byte[] m = new byte[12 + qname.length + 4];
        m[0] = (byte) (id >> 8);
        m[1] = (byte) id;
        m[2] = 0x01; // RD
        m[5] = 1; // QDCOUNT
        System.arraycopy(qname, 0, m, 12, qname.length);
        int p = 12 + qname.length;
        m[p] = (byte) (type >> 8);
        m[p + 1] = (byte) type;
        m[p + 2] = (byte) (dnsClass >> 8);
        m[p + 3] = (byte) dnsClass;
        return m;
    }

    private static byte[] encodeName(String name) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (String label : name.split("\\.")) {
            if (label.isEmpty()) continue;
            byte[] b = label.getBytes(StandardCharsets.US_ASCII);
            out.write(b.length);
            out.write(b, 0, b.length);
        }
        out.write(0);
        return out.toByteArray();
    }

    /** "25.2.0.192.in-addr.arpa" / 32 nibbles + ".ip6.arpa". */
    static String reverseName(String address) {
        byte[] b;
        try {
            b = InetAddress.getByName(address).getAddress(); // callers pass literals: no lookup
        } catch (IOException e) {
            throw new IllegalArgumentException("not an IP address: " + address, e);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = b.length - 1; i >= 0; i--) {
            int v = b[i] & 0xff;
            if (b.length == 4) sb.append(v).append('.');
            else sb.append(Integer.toHexString(v & 0xf)).append('.').append(Integer.toHexString(v >> 4)).append('.');
        }
        return sb.append(b.length == 4 ? "in-addr.arpa" : "ip6.arpa").toString();
    }

    /**
     * A DNS "server" on 127.0.0.1:&lt;free UDP port&gt; that reads queries and either ignores them
     * ({@link #silent()}: resolvers time out) or answers each with SERVFAIL ({@link #servfail()}).
     */
    public static final class StubServer implements AutoCloseable {
        private final DatagramSocket socket;
        private final boolean servfail;
        private final AtomicInteger received = new AtomicInteger();

        private StubServer(boolean servfail) {
            this.servfail = servfail;
            try {
                socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            } catch (SocketException e) {
                throw new UncheckedIOException("cannot bind a UDP socket on 127.0.0.1", e);
            }
            Thread t = new Thread(this::serve, "testkit-dns-stub-" + socket.getLocalPort());
            t.setDaemon(true);
            t.start();
        }

        public static StubServer silent() { return new StubServer(false); }
        public static StubServer servfail() { return new StubServer(true); }

        public int port() { return socket.getLocalPort(); }
        public String hostPort() { return "127.0.0.1:" + port(); }
        /** Queries received so far. */
        public int received() { return received.get(); }

        private void serve() {
            byte[] buf = new byte[4096];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    socket.receive(p);
                    received.incrementAndGet();
                    if (servfail && p.getLength() > 12) {
                        byte[] r = servfailFor(p.getData(), p.getLength());
                        if (r != null) socket.send(new DatagramPacket(r, r.length, p.getSocketAddress()));
                    }
                } catch (IOException e) {
                    // closed, or a send to a vanished client: keep serving until closed
                }
            }
        }

        /** The query's header and question with QR, RA and RCODE=2 set; null when it is not parseable. */
        static byte[] servfailFor(byte[] q, int len) {
            int p = 12;
            while (p < len && q[p] != 0) p += (q[p] & 0xff) + 1;
            if (p + 5 > len) return null;
            byte[] r = new byte[p + 5];
            System.arraycopy(q, 0, r, 0, r.length);
            r[2] = (byte) (0x80 | (q[2] & 0x79)); // QR, opcode, RD
            r[3] = (byte) 0x82; // RA, RCODE 2
            r[4] = 0;
            r[5] = 1;
            for (int i = 6; i < 12; i++) r[i] = 0;
            return r;
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
