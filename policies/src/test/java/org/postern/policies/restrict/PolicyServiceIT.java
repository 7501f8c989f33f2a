// PolicyServiceIT: check_policy_service against REAL policy servers from Debian -- postfwd2 (rules
// written by the test) over inet: and unix:, and postfix-policyd-spf-python (policyd-spf, run per
// connection as spawn(8) would) doing SPF against dnsmasq -- both through SmtpdRestrictions at RCPT.
package org.postern.policies.restrict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postern.testkit.Assumptions.requireCommand;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.testkit.Await;
import org.postern.testkit.Dnsmasq;
import org.postern.testkit.FreePort;

class PolicyServiceIT {
    private static final String RULES = """
            id=R001; sender_domain=spammer.example; action=REJECT spammer domain not welcome
            id=R002; recipient=hold@example.net; action=HOLD held by postfwd
            id=R003; client_address=192.0.2.66; action=DEFER_IF_PERMIT greylisted by postfwd
            id=R999; action=DUNNO
            """;

    @TempDir
    Path dir;
    Fixture fx;

    @BeforeEach
    void setUp() {
        fx = new Fixture(dir);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private int transactions;

    /** One RCPT of a new mail transaction (policyd-spf caches its answer per "instance"). */
    private Verdict rcpt(String client, String sender, String recipient) {
        return fx.rcpt(SessionFacts.builder(Stage.RCPT, FakeDns.literal(client)).helo("mx.spf.test", "ESMTP")
                .sender(sender).recipient(recipient).instance("12ab.34cd." + (++transactions)).build());
    }

    @Test
    void postfwdOverInet() throws Exception {
        try (Postfwd pf = Postfwd.start(RULES, false)) {
            checkPostfwd(pf.endpoint());
        }
    }

    @Test
    void postfwdOverUnix() throws Exception {
        try (Postfwd pf = Postfwd.start(RULES, true)) {
            checkPostfwd(pf.endpoint());
        }
    }

    private void checkPostfwd(String endpoint) throws Exception {
        fx.load("smtpd_recipient_restrictions = check_policy_service " + endpoint + "\n");
        assertThat(rcpt("198.51.100.7", "s@spammer.example", "x@example.net").reply().oneLine())
                .isEqualTo("554 5.7.1 <x@example.net>: Recipient address rejected: spammer domain not welcome");
        Verdict hold = rcpt("198.51.100.7", "s@good.example", "hold@example.net");
        assertThat(hold.accepted()).isTrue();
        assertThat(hold.effects(Action.HOLD)).singleElement().satisfies(d ->
                assertThat(d.text()).isEqualTo("<hold@example.net>: Recipient address held by postfwd"));
        assertThat(rcpt("192.0.2.66", "s@good.example", "x@example.net").reply().oneLine())
                .isEqualTo("450 4.7.1 <x@example.net>: Recipient address rejected: greylisted by postfwd");
        Verdict plain = rcpt("198.51.100.7", "s@good.example", "x@example.net");
        assertThat(plain.accepted()).isTrue();
        assertThat(plain.sideEffects()).isEmpty();
    }

    @Test
    void policydSpfOverInet() throws Exception {
        try (Dnsmasq dns = spfZone(); SpawnServer spf = SpawnServer.inet(policydSpf(dns))) {
            checkSpf(spf);
        }
    }

    @Test
    void policydSpfOverUnix() throws Exception {
        try (Dnsmasq dns = spfZone(); SpawnServer spf = SpawnServer.unix(dir.resolve("spf.sock"), policydSpf(dns))) {
            checkSpf(spf);
        }
    }

    private void checkSpf(SpawnServer spf) throws Exception {
        fx.load("smtpd_recipient_restrictions = check_policy_service { " + spf.endpoint() + ", timeout=20s }\n");
        Verdict fail = rcpt("192.0.2.99", "a@spf.test", "x@example.net");
        assertThat(fail.reply()).as("policyd-spf stderr: %s, log: %s", spf.stderr(), fail.log()).isNotNull();
        assertThat(fail.reply().oneLine()).startsWith("550 5.7.23 <x@example.net>: Recipient address rejected:"
                + " Message rejected due to: SPF fail - not authorized.");
        Verdict pass = rcpt("192.0.2.10", "b@spf.test", "x@example.net");
        assertThat(pass.accepted()).as("%s", pass.log()).isTrue();
        assertThat(pass.effects(Action.PREPEND)).singleElement().satisfies(d -> assertThat(d.argument())
                .startsWith("Received-SPF: Pass (mailfrom) identity=mailfrom; client-ip=192.0.2.10; helo=mx.spf.test;"
                        + " envelope-from=b@spf.test;"));
        assertThat(spf.spawned()).isEqualTo(1); // one connection, reused for both requests
    }

    private static Dnsmasq spfZone() {
        return Dnsmasq.builder().zone("spf.test").txt("spf.test", "v=spf1 ip4:192.0.2.10 -all").start();
    }

    /**
     * policyd-spf reads resolv.conf through pydns, which cannot name a port: a three-line wrapper
     * points pydns at dnsmasq's port, then runs policyd-spf's own main() unchanged.
     */
    private List<String> policydSpf(Dnsmasq dns) throws IOException {
        requireCommand("policyd-spf");
        Path python = requireCommand("/usr/bin/python3");
        Path wrapper = dir.resolve("policyd-spf-wrapper.py");
        Files.writeString(wrapper, """
                import sys
                import spf, DNS
                DNS.defaults['server'] = ['127.0.0.1']
                DNS.defaults['port'] = int(sys.argv[1])
                sys.argv = ['policyd-spf', sys.argv[2]]
                from spf_engine.policyd_spf import main
                sys.exit(main())
                """);
        Path conf = dir.resolve("policyd-spf.conf");
        Files.writeString(conf, "debugLevel = 0\nTestOnly = 1\nHELO_reject = Fail\nMail_From_reject = Fail\n"
                + "PermError_reject = False\nTempError_Defer = False\n");
        return List.of(python.toString(), wrapper.toString(), Integer.toString(dns.port()), conf.toString());
    }

    /** postfwd2 daemonizes: started with a pid file, stopped by that pid (and its children). */
    static final class Postfwd implements AutoCloseable {
        private final Path work;
        private final String endpoint;
        private final long pid;

        private Postfwd(Path work, String endpoint, long pid) {
            this.work = work;
            this.endpoint = endpoint;
            this.pid = pid;
        }

        String endpoint() {
            return endpoint;
        }

        static Postfwd start(String rules, boolean unix) throws Exception {
            Path exe = requireCommand("postfwd2");
            // postfwd2 drops to "nobody" when started as root: the directory must be open to it
            Path work = Files.createTempDirectory("postfwd-");
            Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxrwxrwx"));
            Path rulesFile = work.resolve("rules.cf");
            Files.writeString(rulesFile, rules);
            Files.setPosixFilePermissions(rulesFile, PosixFilePermissions.fromString("rw-r--r--"));
            List<String> cmd = new ArrayList<>(List.of(exe.toString(), "-f", rulesFile.toString(), "--nodns", "-P",
                    "--pidfile", work.resolve("postfwd.pid").toString()));
            String endpoint;
            if (unix) {
                Path sock = work.resolve("postfwd.sock");
                cmd.addAll(List.of("--proto", "unix", "--port", sock.toString()));
                endpoint = "unix:" + sock;
            } else {
                int port = FreePort.next();
                cmd.addAll(List.of("--server_socket", "tcp:127.0.0.1:" + port));
                endpoint = "inet:127.0.0.1:" + port;
            }
            if ("root".equals(System.getProperty("user.name"))) {
                cmd.addAll(List.of("-u", "nobody", "-g", Files.exists(Path.of("/etc/group")) && Files.readString(
                        Path.of("/etc/group")).contains("\nnogroup:") ? "nogroup" : "nobody"));
            } else {
                String group = Files.getAttribute(work, "posix:group").toString();
                cmd.addAll(List.of("-u", System.getProperty("user.name"), "-g", group));
            }
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(work.resolve("postfwd.out").toFile()).start();
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("postfwd2 did not start: " + cmd + "\n" + Files.readString(work.resolve("postfwd.out")));
            }
            try { // another process binding: no clock can stand in, so poll with a bound
                Await.until("postfwd2 to listen on " + endpoint, Duration.ofSeconds(15), () -> answers(endpoint, work));
            } catch (AssertionError e) {
                throw new AssertionError("postfwd2 does not listen on " + endpoint + ": "
                        + Files.readString(work.resolve("postfwd.out")), e);
            }
            long pid = Long.parseLong(Files.readString(work.resolve("postfwd.pid")).strip());
            return new Postfwd(work, endpoint, pid);
        }

        private static boolean answers(String endpoint, Path work) {
            if (!Files.exists(work.resolve("postfwd.pid"))) return false;
            try {
                if (endpoint.startsWith("unix:")) {
                    try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                        c.connect(UnixDomainSocketAddress.of(endpoint.substring(5)));
                    }
                } else {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1))), 500);
                    }
                }
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public void close() throws Exception {
            ProcessHandle.of(pid).ifPresent(h -> {
                List<ProcessHandle> children = h.descendants().toList();
                h.destroy();
                children.forEach(ProcessHandle::destroy);
                try {
                    h.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    h.destroyForcibly();
                }
            });
            try (Stream<Path> s = Files.walk(work)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
