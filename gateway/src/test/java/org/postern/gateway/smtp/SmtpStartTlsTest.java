// SmtpStartTlsTest: the client's STARTTLS against a scripted TLS peer -- replies injected in the clear
// after the 220 are never read as protected ones (CVE-2011-0411), EHLO is repeated inside TLS,
// verify checks chain and name, a refused STARTTLS means plaintext for "may" and a deferral for "encrypt".
package org.postern.gateway.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postern.gateway.smtp.Destination.TlsPolicy;
import org.postern.gateway.smtp.RecipientResult.Status;

class SmtpStartTlsTest extends ClientTestBase {
    TestTls tls;

    @BeforeEach
    void certificate() throws Exception {
        tls = TestTls.localhost();
    }

    /** Greeting, EHLO with STARTTLS, the 220 plus {@code extra} in the same write, TLS, then a normal session. */
    private ScriptedPeer tlsPeer(String extra) throws Exception {
        return ScriptedPeer.tcp(s -> {
            s.greetAndEhlo("STARTTLS", "PIPELINING");
            s.expect("STARTTLS");
            s.sendRaw("220 2.0.0 Ready to start TLS\r\n" + extra);
            s.startTls(tls.serverContext());
            s.expect("EHLO client.postern.test");
            s.send("250-peer.test", "250 PIPELINING");
            s.serveRest();
        });
    }

    @Test
    void plaintextInjectedAfterThe220IsDiscarded() throws Exception {
        // Read as the reply to the EHLO inside TLS, this would make the client fall back to HELO,
        // which this peer's script would refuse to see.
        try (ScriptedPeer peer = tlsPeer("554 5.7.1 injected in the clear\r\n")) {
            transport(settings().build());
            DeliveryReport r = deliver(queue(MESSAGE, "r0@example.test"),
                    Destination.smtp("127.0.0.1", peer.port()).withTls(TlsPolicy.ENCRYPT));
            peer.awaitSessions(1);
            assertThat(r.result(0).status()).isEqualTo(Status.SENT);
            assertThat(r.tls()).isNotNull();
            assertThat(peer.sessions().get(0).transcript).noneMatch(l -> l.startsWith("C: HELO"));
        }
    }

    @Test
    void verifyAcceptsTheRightNameAndRefusesAnother() throws Exception {
        try (ScriptedPeer peer = tlsPeer("")) {
            transport(settings().tlsCaFile(tls.writePem(dir.resolve("ca.pem"))).build());
            DeliveryReport ok = deliver(queue(MESSAGE, "r0@example.test"),
                    Destination.smtp("localhost", peer.port()).withTls(TlsPolicy.VERIFY));
            assertThat(ok.result(0).status()).isEqualTo(Status.SENT);
            assertThat(ok.tls().protocol()).isIn("TLSv1.2", "TLSv1.3");
            DeliveryReport wrong = deliver(queue(MESSAGE, "r0@example.test"),
                    Destination.smtp("127.0.0.1", peer.port()).withTls(TlsPolicy.VERIFY));
            assertThat(wrong.result(0).status()).isEqualTo(Status.DEFERRED);
            assertThat(wrong.result(0).dsn()).isEqualTo("4.7.5");
        }
    }

    @Test
    void refusedStarttlsIsPlaintextForMayAndADeferralForEncrypt() throws Exception {
        ScriptedPeer.Script refusing = s -> {
            s.greetAndEhlo("STARTTLS");
            s.expect("STARTTLS");
            s.send("454 4.7.0 TLS not available due to local problem");
            s.serveRest();
        };
        try (ScriptedPeer peer = ScriptedPeer.tcp(refusing)) {
            transport(settings().build());
            Destination d = Destination.smtp("127.0.0.1", peer.port());
            DeliveryReport may = deliver(queue(MESSAGE, "r0@example.test"), d.withTls(TlsPolicy.MAY));
            assertThat(may.result(0).status()).isEqualTo(Status.SENT);
            assertThat(may.tls()).isNull();
            DeliveryReport encrypt = deliver(queue(MESSAGE, "r0@example.test"), d.withTls(TlsPolicy.ENCRYPT));
            assertThat(encrypt.result(0).status()).isEqualTo(Status.DEFERRED);
            assertThat(encrypt.result(0).dsn()).isEqualTo("4.7.4");
            assertThat(encrypt.result(0).diagnostic()).isEqualTo("TLS is required, but host 127.0.0.1[127.0.0.1] refused to "
                    + "start TLS: 454 4.7.0 TLS not available due to local problem");
            peer.awaitSessions(2);
        }
    }

    @Test
    void failedHandshakeFallsBackToPlaintextForMayOnly() throws Exception {
        java.util.concurrent.atomic.AtomicInteger sessions = new java.util.concurrent.atomic.AtomicInteger();
        ScriptedPeer.Script brokenTls = s -> {
            if (sessions.incrementAndGet() % 2 == 0) { // the plaintext retry of "may"
                s.serve("STARTTLS", "PIPELINING");
                return;
            }
            s.greetAndEhlo("STARTTLS");
            s.expect("STARTTLS");
            s.send("220 2.0.0 Ready to start TLS");
            s.sendRaw("this is no TLS server hello\r\n");
        };
        try (ScriptedPeer peer = ScriptedPeer.tcp(brokenTls)) {
            transport(settings().build());
            Destination d = Destination.smtp("127.0.0.1", peer.port());
            DeliveryReport may = deliver(queue(MESSAGE, "r0@example.test"), d.withTls(TlsPolicy.MAY));
            assertThat(may.result(0).status()).isEqualTo(Status.SENT);
            assertThat(may.tls()).isNull();
            peer.awaitSessions(2);
            assertThat(peer.sessions().get(1).transcript).noneMatch(l -> l.equals("C: STARTTLS"));
            DeliveryReport encrypt = deliver(queue(MESSAGE, "r0@example.test"), d.withTls(TlsPolicy.ENCRYPT));
            assertThat(encrypt.result(0).status()).isEqualTo(Status.DEFERRED);
            assertThat(encrypt.result(0).dsn()).isEqualTo("4.7.5");
            assertThat(encrypt.result(0).diagnostic()).startsWith("Cannot start TLS: handshake failure with 127.0.0.1[127.0.0.1]: ");
            peer.awaitSessions(1);
            assertThat(peer.sessions()).hasSize(3);
        }
    }
}
