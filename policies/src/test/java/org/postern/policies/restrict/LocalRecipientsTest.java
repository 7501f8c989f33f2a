// LocalRecipientsTest: recipients in mydestination at RCPT -- refused as "User unknown in local recipient
// table" when local_transport is the default error: transport (Postern has no local delivery: accepting
// them would mean a bounce to a possibly forged sender), checked against local_recipient_maps when set.
package org.postern.policies.restrict;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalRecipientsTest {
    @TempDir
    Path dir;
    Fixture fx;

    @BeforeEach
    void setUp() {
        fx = new Fixture(dir);
        fx.file("virtual", "postmaster@example.net   admin@relay.example\n");
        fx.file("users", "alice    x\nbob@example.net   x\n");
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private String reply(String recipient) {
        Verdict v = fx.rcpt(Fixture.rcpt("s@example.com", recipient));
        return v.accepted() ? "accepted" : v.reply().oneLine();
    }

    @Test
    void withLocalDeliveryDisabledNoLocalRecipientExists_unlessAliasedAway() throws Exception {
        fx.load("local_transport = error:5.1.1 local mail delivery is disabled\nvirtual_alias_maps = hash:virtual\n");
        assertThat(reply("nosuchuser@example.net"))
                .isEqualTo("550 5.1.1 <nosuchuser@example.net>: Recipient address rejected: User unknown in local recipient table");
        assertThat(reply("NoSuchUser@EXAMPLE.NET")).startsWith("550 5.1.1 <NoSuchUser@EXAMPLE.NET>: ");
        assertThat(reply("postmaster@example.net")).isEqualTo("accepted"); // virtual_alias_maps sends it elsewhere
        assertThat(reply("someone@relay.example")).isEqualTo("accepted"); // not local: relay_domains' rules
    }

    @Test
    void localRecipientMapsListUsersByNameOrAddress() throws Exception {
        fx.load("local_recipient_maps = hash:users\n");
        assertThat(reply("alice@example.net")).isEqualTo("accepted");
        assertThat(reply("bob@example.net")).isEqualTo("accepted");
        assertThat(reply("carol@example.net"))
                .isEqualTo("550 5.1.1 <carol@example.net>: Recipient address rejected: User unknown in local recipient table");
    }

    @Test
    void theReplyCodeAndTableNameAreParameters() throws Exception {
        fx.load("local_recipient_maps = hash:users\nunknown_local_recipient_reject_code = 450\nshow_user_unknown_table_name = no\n");
        assertThat(reply("carol@example.net")).isEqualTo("450 4.1.1 <carol@example.net>: Recipient address rejected: User unknown");
    }

    @Test
    void withAnotherLocalTransportAnEmptyMapAcceptsEveryLocalRecipient_asPostfix() throws Exception {
        fx.load("local_transport = smtp:[192.0.2.25]\n");
        assertThat(reply("anyone@example.net")).isEqualTo("accepted");
    }

    @Test
    void smtpdRejectUnlistedRecipientNoAcceptsThemAsBefore() throws Exception {
        fx.load("local_transport = error\nsmtpd_reject_unlisted_recipient = no\n");
        assertThat(reply("nosuchuser@example.net")).isEqualTo("accepted");
    }
}
