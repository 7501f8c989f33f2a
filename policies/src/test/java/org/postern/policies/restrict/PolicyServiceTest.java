// PolicyServiceTest: check_policy_service against a scripted server on loopback and on a UNIX-domain
// socket: the request attributes of SMTPD_POLICY_README, action= as an access(5) result, connection
// reuse within max_idle/max_ttl/request_limit, timeout and try_limit leading to the default action.
package org.postern.policies.restrict;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.testkit.MutableClock;

class PolicyServiceTest {
    @TempDir
    Path dir;
    Fixture fx;
    MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
    FakePolicyServer server;

    @BeforeEach
    void setUp() {
        fx = new Fixture(dir);
        fx.clock = clock;
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
        if (server != null) server.close();
    }

    private void load(String service, String more) throws Exception {
        fx.load("smtpd_recipient_restrictions = check_policy_service " + service + "\n" + more);
    }

    private Verdict rcpt() {
        return fx.rcpt(Fixture.facts(Stage.RCPT).sender("s@example.com").recipient("x@example.net")
                .sasl("PLAIN", "alice", null).queueId(null).messageSize(4096).build());
    }

    @Test
    void theRequestCarriesThePostfixAttributes() throws Exception {
        server = FakePolicyServer.inet(r -> "action=DUNNO");
        load("{ " + server.endpoint() + ", policy_context=submission }", "smtpd_sasl_auth_enable = yes\n");
        assertThat(rcpt().accepted()).isTrue();
        Map<String, String> r = server.requests.get(0);
        assertThat(r).containsEntry("request", "smtpd_access_policy").containsEntry("protocol_state", "RCPT")
                .containsEntry("protocol_name", "ESMTP").containsEntry("client_address", "198.51.100.7")
                .containsEntry("client_name", "unknown").containsEntry("reverse_client_name", "unknown")
                .containsEntry("client_port", "40000").containsEntry("server_address", "192.0.2.25")
                .containsEntry("server_port", "25").containsEntry("helo_name", "client.example.org")
                .containsEntry("sender", "s@example.com").containsEntry("recipient", "x@example.net")
                .containsEntry("recipient_count", "0").containsEntry("queue_id", "").containsEntry("instance", "1a2b.3c4d.0")
                .containsEntry("size", "4096").containsEntry("sasl_method", "PLAIN").containsEntry("sasl_username", "alice")
                .containsEntry("sasl_sender", "").containsEntry("encryption_protocol", "")
                .containsEntry("policy_context", "submission");
        assertThat(FakePolicyServer.keys(server.rawRequests.get(0))).startsWith("request", "protocol_state", "protocol_name");
        assertThat(server.rawRequests.get(0)).endsWith("\n\n");
    }

    @Test
    void theActionIsAnAccessResult() throws Exception {
        server = FakePolicyServer.inet(r -> switch (r.get("sender")) {
            case "reject@example.com" -> "action=REJECT not today";
            case "defer@example.com" -> "action=defer_if_permit Greylisted, try again";
            case "tag@example.com" -> "foo=bar\naction=PREPEND X-Policy: checked";
            case "list@example.com" -> "action=reject_unauth_destination";
            default -> "action=dunno";
        });
        load(server.endpoint(), "");
        String p = "<x@example.net>: Recipient address rejected: ";
        assertThat(fx.rcpt(Fixture.rcpt("reject@example.com", "x@example.net")).reply().oneLine())
                .isEqualTo("554 5.7.1 " + p + "not today");
        assertThat(fx.rcpt(Fixture.rcpt("defer@example.com", "x@example.net")).reply().oneLine())
                .isEqualTo("450 4.7.1 " + p + "Greylisted, try again");
        Verdict tag = fx.rcpt(Fixture.rcpt("tag@example.com", "x@example.net"));
        assertThat(tag.accepted()).isTrue();
        assertThat(tag.effects(Action.PREPEND)).extracting(Decision::argument).containsExactly("X-Policy: checked");
        assertThat(tag.effects(Action.PREPEND).get(0).origin().toString()).isEqualTo(dir.resolve("main.cf") + ":6");
        assertThat(fx.rcpt(Fixture.rcpt("list@example.com", "x@example.net")).accepted()).isTrue();
        assertThat(fx.rcpt(Fixture.rcpt("list@example.com", "x@elsewhere.example")).reply().code()).isEqualTo(554); // Postern's default relay list rejects
    }

    @Test
    void oneConnectionIsReusedUntilMaxIdle() throws Exception {
        server = FakePolicyServer.inet(r -> "action=DUNNO");
        load(server.endpoint(), "smtpd_policy_service_max_idle = 60s\n");
        rcpt();
        rcpt();
        assertThat(server.connections.get()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(61));
        rcpt();
        assertThat(server.connections.get()).isEqualTo(2);
    }

    @Test
    void maxTtlAndRequestLimitEndConnections() throws Exception {
        server = FakePolicyServer.inet(r -> "action=DUNNO");
        load("{ " + server.endpoint() + ", max_ttl=100s }", "");
        rcpt();
        clock.advance(Duration.ofSeconds(60));
        rcpt();
        clock.advance(Duration.ofSeconds(60));
        rcpt();
        assertThat(server.connections.get()).isEqualTo(2);
        fx.close();
        server.close();
        fx = new Fixture(dir);
        server = FakePolicyServer.inet(r -> "action=DUNNO");
        load(server.endpoint(), "smtpd_policy_service_request_limit = 1\n");
        rcpt();
        rcpt();
        assertThat(server.connections.get()).isEqualTo(2);
    }

    @Test
    void aSilentServerTimesOutAndTheDefaultActionApplies() throws Exception {
        server = FakePolicyServer.inet(r -> FakePolicyServer.SILENT);
        load("{ " + server.endpoint() + ", timeout=300ms }", "");
        Verdict v = rcpt();
        assertThat(v.reply().oneLine())
                .isEqualTo("451 4.3.5 <x@example.net>: Recipient address rejected: Server configuration problem");
        assertThat(server.requests).hasSize(2); // smtpd_policy_service_try_limit = 2, each on a new connection
        assertThat(server.connections.get()).isEqualTo(2);
        assertThat(fx.sleeps).containsExactly(Duration.ofSeconds(1)); // smtpd_policy_service_retry_delay
        assertThat(v.log()).filteredOn(LogEvent::warning).singleElement().asString()
                .contains("problem talking to server inet:127.0.0.1:").contains("timeout after 300 ms");
    }

    @Test
    void aServerThatIsDownGivesTheDefaultAction() throws Exception {
        server = FakePolicyServer.inet(r -> "action=DUNNO");
        String endpoint = server.endpoint();
        server.close();
        load("{ " + endpoint + ", default_action=DUNNO, try_limit=1 }", "smtpd_relay_restrictions = reject_unauth_destination\n");
        assertThat(rcpt().accepted()).isTrue();
        fx.close();
        fx = new Fixture(dir);
        fx.load("smtpd_recipient_restrictions = check_policy_service " + endpoint + "\n"
                + "smtpd_policy_service_default_action = 450 4.7.1 policy down\nsmtpd_policy_service_try_limit = 3\n");
        assertThat(rcpt().reply().oneLine()).isEqualTo("450 4.7.1 <x@example.net>: Recipient address rejected: policy down");
        assertThat(fx.sleeps).hasSize(2);
    }

    @Test
    void aReplyWithoutActionOrAHangupIsAFailure() throws Exception {
        server = FakePolicyServer.inet(r -> "s@example.com".equals(r.get("sender")) ? "foo=bar" : FakePolicyServer.HANGUP);
        load("{ " + server.endpoint() + ", try_limit=1 }", "");
        assertThat(rcpt().reply().code()).isEqualTo(451);
        assertThat(fx.rcpt(Fixture.rcpt("other@example.com", "x@example.net")).reply().code()).isEqualTo(451);
    }

    @Test
    void unixDomainSockets() throws Exception {
        server = FakePolicyServer.unix(dir.resolve("policy.sock"), r -> "action=REJECT via unix");
        load(server.endpoint(), "");
        assertThat(rcpt().reply().oneLine()).isEqualTo("554 5.7.1 <x@example.net>: Recipient address rejected: via unix");
        rcpt();
        assertThat(server.connections.get()).isEqualTo(1);
    }

    @Test
    void relativeUnixPathsAreBelowTheQueueDirectory() throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("spool/private"));
        server = FakePolicyServer.unix(dir.resolve("spool/private/policy"), r -> "action=OK");
        fx.load("queue_directory = " + dir.resolve("spool") + "\nsmtpd_recipient_restrictions = "
                + "check_policy_service unix:private/policy, reject\n");
        assertThat(rcpt().accepted()).isTrue();
    }

    @Test
    void atDataTheRecipientCountIsSent() throws Exception {
        server = FakePolicyServer.inet(r -> "action=DUNNO");
        fx.load("smtpd_data_restrictions = check_policy_service " + server.endpoint() + "\n");
        Fixture.await(fx.restrictions.data(Fixture.facts(Stage.DATA).sender("s@example.com").recipient("x@example.net")
                .recipientCount(3).build()));
        assertThat(server.requests.get(0)).containsEntry("protocol_state", "DATA").containsEntry("recipient_count", "3")
                .containsEntry("recipient", "");
    }
}
