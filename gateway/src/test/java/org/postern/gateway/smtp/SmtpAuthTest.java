// SmtpAuthTest: the SASL client and the TLS requirement against a scripted peer -- AUTH PLAIN and LOGIN
// with the right encoding, no credentials in the clear unless allowed, a refused AUTH defers (soft
// bounce), a peer without AUTH gets the mail unauthenticated, TLS required but not offered defers.
package org.postern.gateway.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.postern.gateway.smtp.Destination.SaslCredentials;
import org.postern.gateway.smtp.Destination.TlsPolicy;
import org.postern.gateway.smtp.RecipientResult.Status;

class SmtpAuthTest extends ClientTestBase {
    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static final SaslCredentials ALICE_CLEAR = new SaslCredentials("alice", "pässword", true);

    @Test
    void authPlainWhenPlaintextIsAllowed() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> {
            s.greetAndEhlo("AUTH LOGIN PLAIN", "PIPELINING");
            s.expect("AUTH PLAIN " + b64("\0alice\0pässword"));
            s.send("235 2.7.0 Authentication successful");
            s.serveRest();
        })) {
            transport(settings().build());
            DeliveryReport r = deliver(queue(MESSAGE, "r0@example.test"),
                    Destination.smtp("127.0.0.1", peer.port()).withSasl(ALICE_CLEAR));
            peer.awaitSessions(1);
            assertThat(r.result(0).status()).isEqualTo(Status.SENT);
        }
    }

    @Test
    void authLoginWhenPlainIsNotOffered() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> {
            s.greetAndEhlo("AUTH=LOGIN");
            s.expect("AUTH LOGIN");
            s.send("334 VXNlcm5hbWU6");
            s.expect(b64("alice"));
            s.send("334 UGFzc3dvcmQ6");
            s.expect(b64("pässword"));
            s.send("235 2.7.0 ok");
            s.serveRest();
        })) {
            transport(settings().build());
            DeliveryReport r = deliver(queue(MESSAGE, "r0@example.test"),
                    Destination.smtp("127.0.0.1", peer.port()).withSasl(ALICE_CLEAR));
            peer.awaitSessions(1);
            assertThat(r.result(0).status()).isEqualTo(Status.SENT);
        }
    }

    @Test
    void refusedAuthenticationDefersEvenWith5xx() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> {
            s.greetAndEhlo("AUTH PLAIN");
            s.expect("AUTH PLAIN");
            s.send("535 5.7.8 Error: authentication failed");
            s.expect("QUIT");
            s.send("221 bye");
        })) {
            transport(settings().build());
            DeliveryReport r = deliver(queue(MESSAGE, "r0@example.test"),
                    Destination.smtp("127.0.0.1", peer.port()).withSasl(ALICE_CLEAR));
            peer.awaitSessions(1);
            assertThat(r.result(0).status()).isEqualTo(Status.DEFERRED); // smtp_sasl_auth_soft_bounce = yes
            assertThat(r.result(0).dsn()).isEqualTo("4.7.8");
            assertThat(r.result(0).diagnostic()).isEqualTo("SASL authentication failed; server 127.0.0.1[127.0.0.1] said: "
                    + "535 5.7.8 Error: authentication failed");
        }
    }

    @Test
    void noCredentialsInTheClearUnlessAllowed() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> s.serve("AUTH PLAIN LOGIN"))) {
            transport(settings().build());
            DeliveryReport r = deliver(queue(MESSAGE, "r0@example.test"), Destination.smtp("127.0.0.1", peer.port())
                    .withSasl(new SaslCredentials("alice", "secret", false)));
            peer.awaitSessions(1);
            assertThat(r.result(0).status()).isEqualTo(Status.DEFERRED);
            assertThat(r.result(0).dsn()).isEqualTo("4.7.0");
            assertThat(peer.sessions().get(0).transcript).noneMatch(l -> l.startsWith("C: AUTH") || l.startsWith("C: MAIL"));
        }
    }

    @Test
    void aServerWithoutAuthGetsTheMailUnauthenticated() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> s.serve("PIPELINING"))) {
            transport(settings().build());
            DeliveryReport r = deliver(queue(MESSAGE, "r0@example.test"),
                    Destination.smtp("127.0.0.1", peer.port()).withSasl(ALICE_CLEAR));
            peer.awaitSessions(1);
            assertThat(r.result(0).status()).isEqualTo(Status.SENT);
        }
    }

    @Test
    void requiredTlsNotOfferedDefers() throws Exception {
        for (TlsPolicy p : new TlsPolicy[] {TlsPolicy.ENCRYPT, TlsPolicy.VERIFY}) {
            try (ScriptedPeer peer = ScriptedPeer.tcp(s -> s.serve("PIPELINING"))) {
                transport(settings().build());
                DeliveryReport r = deliver(queue(MESSAGE, "r0@example.test"), Destination.smtp("127.0.0.1", peer.port()).withTls(p));
                peer.awaitSessions(1);
                assertThat(r.result(0).status()).isEqualTo(Status.DEFERRED);
                assertThat(r.result(0).dsn()).isEqualTo("4.7.4");
                assertThat(r.result(0).diagnostic()).isEqualTo("TLS is required, but was not offered by host 127.0.0.1[127.0.0.1]");
                assertThat(peer.sessions().get(0).transcript).noneMatch(l -> l.startsWith("C: MAIL"));
                QueuedMessages.await(transport.close());
            }
        }
        transport = null;
    }

    @Test
    void mayMeansPlaintextWhenStarttlsIsNotOffered() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.tcp(s -> s.serve("PIPELINING"))) {
            transport(settings().build());
            DeliveryReport r = deliver(queue(MESSAGE, "r0@example.test"),
                    Destination.smtp("127.0.0.1", peer.port()).withTls(TlsPolicy.MAY));
            assertThat(r.result(0).status()).isEqualTo(Status.SENT);
            assertThat(r.tls()).isNull();
        }
    }
}
