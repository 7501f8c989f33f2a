// SenderLoginTest: reject_sender_login_mismatch and its halves with smtpd_sender_login_maps --
// owned addresses, @domain owners, logged-in and anonymous clients, the 553 5.7.1 replies.
package org.postern.policies.restrict;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SenderLoginTest {
    @TempDir
    Path dir;
    Fixture fx;

    @BeforeEach
    void setUp() throws Exception {
        fx = new Fixture(dir);
        fx.file("logins", "alice@example.com alice, Alice2\n@shared.example bob carol\n");
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private Verdict send(String sender, String login) {
        SessionFacts.Builder b = Fixture.facts(Stage.RCPT).sender(sender).recipient("x@example.net");
        if (login != null) b.sasl("PLAIN", login, null);
        return fx.rcpt(b.build());
    }

    private void load(String restriction) throws Exception {
        fx.load("smtpd_sasl_auth_enable = yes\nsmtpd_sender_login_maps = hash:logins\nsmtpd_sender_restrictions = " + restriction + "\n");
    }

    @Test
    void senderLoginMismatch() throws Exception {
        load("reject_sender_login_mismatch");
        assertThat(send("alice@example.com", "alice").accepted()).isTrue();
        assertThat(send("alice@example.com", "ALICE2").accepted()).isTrue();
        assertThat(send("any@shared.example", "carol").accepted()).isTrue();
        assertThat(send("alice@example.com", "bob").reply().oneLine())
                .isEqualTo("553 5.7.1 <alice@example.com>: Sender address rejected: not owned by user bob");
        assertThat(send("stranger@example.org", "bob").reply().oneLine())
                .isEqualTo("553 5.7.1 <stranger@example.org>: Sender address rejected: not owned by user bob");
        assertThat(send("alice@example.com", null).reply().oneLine())
                .isEqualTo("553 5.7.1 <alice@example.com>: Sender address rejected: not logged in");
        assertThat(send("stranger@example.org", null).accepted()).isTrue();
        assertThat(send("", "bob").accepted()).isTrue();
    }

    @Test
    void knownSenderLoginMismatchLetsUnknownSendersPass() throws Exception {
        load("reject_known_sender_login_mismatch");
        assertThat(send("stranger@example.org", "bob").accepted()).isTrue();
        assertThat(send("alice@example.com", "bob").reply().code()).isEqualTo(553);
        assertThat(send("alice@example.com", null).reply().code()).isEqualTo(553);
    }

    @Test
    void theHalves() throws Exception {
        load("reject_authenticated_sender_login_mismatch");
        assertThat(send("alice@example.com", null).accepted()).isTrue();
        assertThat(send("alice@example.com", "bob").reply().code()).isEqualTo(553);
        fx.close();
        fx = new Fixture(dir);
        load("reject_unauthenticated_sender_login_mismatch");
        assertThat(send("alice@example.com", "bob").accepted()).isTrue();
        assertThat(send("alice@example.com", null).reply().code()).isEqualTo(553);
    }

    @Test
    void withoutSaslTheRestrictionIsIgnoredWithALoadWarning() throws Exception {
        fx.load("smtpd_sender_login_maps = hash:logins\nsmtpd_sender_restrictions = reject_sender_login_mismatch\n");
        assertThat(fx.restrictions.warnings()).singleElement().asString()
                .contains("restriction `reject_sender_login_mismatch' ignored: no SASL support");
        assertThat(send("alice@example.com", null).accepted()).isTrue();
    }
}
