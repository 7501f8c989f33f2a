// ConnectPhaseDnsTest: next-hop lookup through a stub DnsResolver -- MX preference order, the next MX
// when one is down, null MX, NXDOMAIN, DNS failure, implicit MX, host names by A/AAAA, localhost,
// smtp_host_lookup, disable_dns_lookups, smtp_address_preference, smtp_mx_address_limit and
// smtp_mx_session_limit, and relay= naming the MX host used. Peers are ScriptedPeers on 127.0.0.1.
package org.postern.gateway.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.vertx.core.Future;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.postern.gateway.smtp.RecipientResult.Status;
import org.postern.gateway.smtp.SmtpSettings.AddressPreference;
import org.postern.gateway.smtp.SmtpSettings.HostLookup;
import org.postern.testkit.FreePort;

class ConnectPhaseDnsTest extends ClientTestBase {
    private final StubDns dns = new StubDns();

    private SmtpTransport transport(SmtpSettings.Builder b) {
        transport = new SmtpTransport(vertx, b.build(), clock, dns);
        return transport;
    }

    /** The addresses ConnectPhase would try for {@code d}, as "host/address". */
    private List<String> targets(SmtpSettings s, Destination d) throws Exception {
        ConnectPhase p = new ConnectPhase(vertx, vertx.createNetClient(), vertx.createSharedWorkerExecutor("t"), dns, s, d, clock);
        Future<List<ConnectPhase.Target>> f = vertx.getOrCreateContext().<List<ConnectPhase.Target>>executeBlocking(() -> null)
                .compose(v -> p.targets());
        return QueuedMessages.await(f).stream().map(t -> t.hostName() + "/" + t.address().getHostAddress()).toList();
    }

    @Test
    void lowestPreferenceMxGetsTheMailAndRelayNamesIt() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> s.serve())) {
            dns.mx("example.test", 20, "mx2.example.test").mx("example.test", 10, "mx1.example.test")
                    .a("mx1.example.test", "127.0.0.1").a("mx2.example.test", "127.0.0.1");
            transport(settings());
            DeliveryReport r = deliver(queue(MESSAGE, "r0@example.test"), Destination.smtpMx("example.test", peer.port()));
            assertThat(r.result(0).status()).isEqualTo(Status.SENT);
            assertThat(r.relay()).isEqualTo("mx1.example.test[127.0.0.1]:" + peer.port());
            assertThat(dns.count("MX", "example.test")).isEqualTo(1);
        }
    }

    @Test
    void firstMxDownSecondMxGetsIt() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> s.serve())) {
            dns.mx("example.test", 10, "mx1.example.test").mx("example.test", 20, "mx2.example.test")
                    .a("mx1.example.test", "127.0.0.2").a("mx2.example.test", "127.0.0.1");
            transport(settings());
            DeliveryReport r = deliver(queue(MESSAGE, "r0@example.test"), Destination.smtpMx("example.test", peer.port()));
            assertThat(r.result(0).status()).isEqualTo(Status.SENT);
            assertThat(r.relay()).isEqualTo("mx2.example.test[127.0.0.1]:" + peer.port());
        }
    }

    @Test
    void allMxDownReportsTheLastConnectFailure() throws Exception {
        int port = FreePort.next();
        dns.mx("example.test", 10, "mx1.example.test").mx("example.test", 20, "mx2.example.test")
                .a("mx1.example.test", "127.0.0.2").a("mx2.example.test", "127.0.0.3");
        transport(settings());
        DeliveryReport r = deliver(queue(MESSAGE, "r0@example.test"), Destination.smtpMx("example.test", port));
        assertThat(r.result(0).status()).isEqualTo(Status.DEFERRED);
        assertThat(r.result(0).dsn()).isEqualTo("4.4.1");
        assertThat(r.result(0).diagnostic()).isEqualTo("connect to mx2.example.test[127.0.0.3]:" + port + ": Connection refused");
        assertThat(r.relay()).isEqualTo("none");
    }

    @Test
    void nullMxBouncesWithoutConnecting() throws Exception {
        dns.mx("nomail.test", 0, ".");
        transport(settings());
        DeliveryReport r = deliver(queue(MESSAGE, "r0@nomail.test"), Destination.smtpMx("nomail.test", 25));
        assertThat(r.result(0).status()).isEqualTo(Status.BOUNCED);
        assertThat(r.result(0).dsn()).isEqualTo("5.1.10");
        assertThat(r.result(0).diagnostic()).isEqualTo("Domain nomail.test does not accept mail (nullMX)");
        assertThat(r.relay()).isEqualTo("none");
        assertThat(dns.asked).containsExactly("MX nomail.test");
    }

    @Test
    void nonexistentDomainBounces() throws Exception {
        transport(settings());
        DeliveryReport r = deliver(queue(MESSAGE, "r0@nowhere.test"), Destination.smtpMx("nowhere.test", 25));
        assertThat(r.result(0).status()).isEqualTo(Status.BOUNCED);
        assertThat(r.result(0).dsn()).isEqualTo("5.1.2");
        assertThat(r.result(0).diagnostic()).isEqualTo(
                "Host or domain name not found. Name service error for name=nowhere.test type=MX: Host not found");
    }

    @Test
    void dnsFailureDefers() throws Exception {
        dns.broken("flaky.test");
        transport(settings());
        DeliveryReport r = deliver(queue(MESSAGE, "r0@flaky.test"), Destination.smtpMx("flaky.test", 25));
        assertThat(r.result(0).status()).isEqualTo(Status.DEFERRED);
        assertThat(r.result(0).dsn()).isEqualTo("4.4.3");
        assertThat(r.result(0).diagnostic()).isEqualTo(
                "Host or domain name not found. Name service error for name=flaky.test type=MX: Host not found, try again");
    }

    @Test
    void noMxRecordsMeansTheDomainItself() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> s.serve())) {
            dns.a("implicit.test", "127.0.0.1");
            transport(settings());
            DeliveryReport r = deliver(queue(MESSAGE, "r0@implicit.test"), Destination.smtpMx("implicit.test", peer.port()));
            assertThat(r.result(0).status()).isEqualTo(Status.SENT);
            assertThat(r.relay()).isEqualTo("implicit.test[127.0.0.1]:" + peer.port());
            assertThat(dns.asked).contains("MX implicit.test", "A implicit.test");
        }
    }

    @Test
    void noMxAndNoAddressBounces() throws Exception {
        dns.exists("bare.test");
        transport(settings());
        DeliveryReport r = deliver(queue(MESSAGE, "r0@bare.test"), Destination.smtpMx("bare.test", 25));
        assertThat(r.result(0).status()).isEqualTo(Status.BOUNCED);
        assertThat(r.result(0).dsn()).isEqualTo("5.4.4");
        assertThat(r.result(0).diagnostic()).isEqualTo(
                "Host or domain name not found. Name service error for name=bare.test type=A: Host not found");
    }

    @Test
    void mxHostsWithoutAddressesBounceUnlessOneLookupFailedForNow() throws Exception {
        dns.mx("a.test", 10, "gone1.a.test").mx("a.test", 20, "gone2.a.test");
        dns.mx("b.test", 10, "gone.b.test").mx("b.test", 20, "flaky.b.test").broken("flaky.b.test");
        transport(settings());
        DeliveryReport a = deliver(queue(MESSAGE, "r0@a.test"), Destination.smtpMx("a.test", 25));
        assertThat(a.result(0).status()).isEqualTo(Status.BOUNCED);
        assertThat(a.result(0).dsn()).isEqualTo("5.4.4");
        DeliveryReport b = deliver(queue(MESSAGE, "r0@b.test"), Destination.smtpMx("b.test", 25));
        assertThat(b.result(0).status()).isEqualTo(Status.DEFERRED);
        assertThat(b.result(0).dsn()).isEqualTo("4.4.3");
        assertThat(b.result(0).diagnostic()).contains("name=flaky.b.test");
    }

    @Test
    void hostNamesResolveThroughDnsAndDeferWhenUnknown() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> s.serve())) {
            dns.a("relay.test", "127.0.0.1").mx("relay.test", 10, "elsewhere.test");
            transport(settings());
            DeliveryReport r = deliver(queue(MESSAGE, "r0@x.test"), Destination.smtp("relay.test", peer.port()));
            assertThat(r.result(0).status()).isEqualTo(Status.SENT);
            assertThat(r.relay()).isEqualTo("relay.test[127.0.0.1]:" + peer.port());
            assertThat(dns.count("MX", "relay.test")).as("[host] means no MX lookup").isZero();
            DeliveryReport unknown = deliver(queue(MESSAGE, "r0@x.test"), Destination.smtp("typo.test", peer.port()));
            assertThat(unknown.result(0).status()).isEqualTo(Status.DEFERRED);
            assertThat(unknown.result(0).dsn()).isEqualTo("4.4.4");
        }
    }

    @Test
    void localhostAndAddressLiteralsNeedNoLookup() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> s.serve())) {
            transport(settings());
            assertThat(deliver(queue(MESSAGE, "r0@x.test"), Destination.smtp("localhost", peer.port())).relay())
                    .isEqualTo("localhost[127.0.0.1]:" + peer.port());
            assertThat(deliver(queue(MESSAGE, "r0@x.test"), Destination.smtp("127.0.0.1", peer.port())).relay())
                    .isEqualTo("127.0.0.1[127.0.0.1]:" + peer.port());
            assertThat(dns.asked).isEmpty();
        }
    }

    @Test
    void anMxHostNamedLocalhostIsAskedOfDns() throws Exception {
        dns.mx("lh.test", 10, "localhost");
        assertThat(catching(() -> targets(settings().build(), Destination.smtpMx("lh.test", 25))))
                .isInstanceOf(SessionFailure.class).hasMessageContaining("name=localhost type=A: Host not found");
        assertThat(dns.asked).contains("A localhost");
    }

    @Test
    void aHostLookupThatFailsForNowDefers() throws Exception {
        dns.broken("relay.test");
        transport(settings());
        DeliveryReport r = deliver(queue(MESSAGE, "r0@x.test"), Destination.smtp("relay.test", 25));
        assertThat(r.result(0).status()).isEqualTo(Status.DEFERRED);
        assertThat(r.result(0).dsn()).isEqualTo("4.4.3");
        assertThat(r.result(0).diagnostic()).isEqualTo(
                "Host or domain name not found. Name service error for name=relay.test type=A: Host not found, try again");
    }

    @Test
    void hostLookupMechanisms() throws Exception {
        String name = InetAddress.getLocalHost().getHostName();
        List<String> jdk;
        try {
            jdk = Arrays.stream(InetAddress.getAllByName(name)).map(a -> name + "/" + a.getHostAddress()).toList();
        } catch (java.net.UnknownHostException e) {
            jdk = List.of();
        }
        assumeThat(jdk).as("this machine's name resolves natively").isNotEmpty();
        SmtpSettings.Builder b = settings().addressLimit(100);
        assertThat(targets(b.hostLookup(HostLookup.DNS_THEN_NATIVE).build(), Destination.smtp(name, 25)))
                .containsExactlyElementsOf(jdk);
        assertThat(targets(b.hostLookup(HostLookup.NATIVE).build(), Destination.smtp(name, 25))).containsExactlyElementsOf(jdk);
        int asked = dns.asked.size();
        assertThat(catching(() -> targets(b.hostLookup(HostLookup.DNS).build(), Destination.smtp(name, 25))))
                .isInstanceOf(SessionFailure.class).hasMessageContaining("type=A: Host not found");
        assertThat(dns.asked.size()).isGreaterThan(asked);
    }

    @Test
    void disabledDnsTakesAnMxDomainAsHostName() throws Exception {
        dns.mx("localhost", 10, "mx.elsewhere.test");
        List<String> jdk = Arrays.stream(InetAddress.getAllByName("localhost"))
                .map(a -> "localhost/" + a.getHostAddress()).toList();
        assertThat(targets(settings().dnsLookups(false).addressLimit(100).build(), Destination.smtpMx("localhost", 25)))
                .containsExactlyElementsOf(jdk);
        assertThat(dns.asked).isEmpty();
    }

    @Test
    void addressPreferenceAndLimit() throws Exception {
        dns.mx("d.test", 10, "mx1.d.test").mx("d.test", 20, "mx2.d.test")
                .a("mx1.d.test", "2001:db8::1", "192.0.2.1").a("mx2.d.test", "192.0.2.2", "2001:db8::2");
        Destination d = Destination.smtpMx("d.test", 25);
        assertThat(targets(settings().build(), d)).containsExactly("mx1.d.test/192.0.2.1", "mx1.d.test/2001:db8:0:0:0:0:0:1",
                "mx2.d.test/192.0.2.2", "mx2.d.test/2001:db8:0:0:0:0:0:2");
        assertThat(targets(settings().addressPreference(AddressPreference.IPV6).build(), d)).containsExactly(
                "mx1.d.test/2001:db8:0:0:0:0:0:1", "mx1.d.test/192.0.2.1", "mx2.d.test/2001:db8:0:0:0:0:0:2",
                "mx2.d.test/192.0.2.2");
        assertThat(targets(settings().addressPreference(AddressPreference.IPV4).addressLimit(3).build(), d))
                .containsExactly("mx1.d.test/192.0.2.1", "mx1.d.test/2001:db8:0:0:0:0:0:1", "mx2.d.test/192.0.2.2");
    }

    @Test
    void equalPreferencesAreShuffled() throws Exception {
        dns.mx("eq.test", 10, "a.eq.test").mx("eq.test", 10, "b.eq.test").mx("eq.test", 5, "first.eq.test")
                .a("a.eq.test", "192.0.2.1").a("b.eq.test", "192.0.2.2").a("first.eq.test", "192.0.2.3");
        Set<List<String>> orders = new HashSet<>();
        for (int i = 0; i < 40; i++) orders.add(targets(settings().build(), Destination.smtpMx("eq.test", 25)));
        assertThat(orders).containsExactlyInAnyOrder(
                List.of("first.eq.test/192.0.2.3", "a.eq.test/192.0.2.1", "b.eq.test/192.0.2.2"),
                List.of("first.eq.test/192.0.2.3", "b.eq.test/192.0.2.2", "a.eq.test/192.0.2.1"));
    }

    @Test
    void serversFailingAfterConnectStopAtTheSessionLimit() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> {
            s.send("421 4.3.2 busy");
            s.awaitEof();
        })) {
            dns.mx("busy.test", 10, "mx1.busy.test").mx("busy.test", 20, "mx2.busy.test").mx("busy.test", 30, "mx3.busy.test")
                    .a("mx1.busy.test", "127.0.0.1").a("mx2.busy.test", "127.0.0.1").a("mx3.busy.test", "127.0.0.1");
            transport(settings());
            DeliveryReport r = deliver(queue(MESSAGE, "r0@busy.test"), Destination.smtpMx("busy.test", peer.port()));
            assertThat(r.result(0).status()).isEqualTo(Status.DEFERRED);
            assertThat(r.result(0).diagnostic()).isEqualTo("host mx2.busy.test[127.0.0.1] refused to talk to me: 421 4.3.2 busy");
            peer.awaitSessions(2);
            assertThat(peer.sessions()).hasSize(2); // smtp_mx_session_limit = 2: mx3 is not tried
        }
    }

    private static Throwable catching(ThrowingCallable c) {
        try {
            c.call();
            return null;
        } catch (Throwable t) {
            Throwable root = t;
            while (root.getCause() != null && !(root instanceof SessionFailure)) root = root.getCause();
            return root;
        }
    }

    private interface ThrowingCallable {
        void call() throws Exception;
    }
}
