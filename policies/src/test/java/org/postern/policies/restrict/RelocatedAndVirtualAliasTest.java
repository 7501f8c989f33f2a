// RelocatedAndVirtualAliasTest: the address checks smtpd makes at RCPT for cleanup's rewriting tables --
// relocated_maps ("User has moved to"), virtual_alias_domains ("User unknown in virtual alias table"),
// addresses known to canonical/virtual tables counting as listed -- with Postfix 3.7's exact replies.
package org.postern.policies.restrict;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.policies.conf.ConfigException;

class RelocatedAndVirtualAliasTest {
    @TempDir
    Path dir;
    Fixture fx;

    @BeforeEach
    void setUp() {
        fx = new Fixture(dir);
        fx.file("relocated", String.join("\n",
                "moved@relay.example      new@place.test",
                "@gone.relay.example      contact via phone",
                "olduser                  olduser@new.test",
                "moved@virt.example       elsewhere@place.test",
                "aliased@relay.example    ignored@place.test",
                ""));
        fx.file("virtual", String.join("\n",
                "virt.example             anything",
                "known@virt.example       k@relay.example",
                "aliased@relay.example    other@relay.example",
                ""));
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private String reply(String sender, String recipient) {
        Verdict v = fx.rcpt(Fixture.rcpt(sender, recipient));
        return v.accepted() ? "accepted" : v.reply().oneLine();
    }

    private void load(String more) throws ConfigException {
        fx.load("myorigin = example.net\nrecipient_delimiter = +\nrelocated_maps = hash:relocated\n"
                + "virtual_alias_maps = hash:virtual\n" + more);
    }

    @Test
    void aRelocatedRecipientIsRefusedWithItsNewAddress() throws Exception {
        load("");
        assertThat(reply("s@example.com", "moved@relay.example"))
                .isEqualTo("550 5.1.6 <moved@relay.example>: Recipient address rejected: User has moved to new@place.test");
        // user@domain without the extension, then @domain (mail_addr_find), as Postfix's trivial-rewrite
        assertThat(reply("s@example.com", "moved+box@relay.example"))
                .isEqualTo("550 5.1.6 <moved+box@relay.example>: Recipient address rejected: User has moved to new@place.test");
        assertThat(reply("s@example.com", "anyone@gone.relay.example")).isEqualTo(
                "550 5.1.6 <anyone@gone.relay.example>: Recipient address rejected: User has moved to contact via phone");
        assertThat(reply("s@example.com", "stays@relay.example")).isEqualTo("accepted");
    }

    @Test
    void aBareUserKeyMatchesOnlyLocalDomains() throws Exception {
        load("");
        assertThat(reply("s@example.com", "olduser@example.net")) // mydestination (and $myorigin)
                .isEqualTo("550 5.1.6 <olduser@example.net>: Recipient address rejected: User has moved to olduser@new.test");
        assertThat(reply("s@example.com", "olduser")) // qualified with @$myorigin first
                .isEqualTo("550 5.1.6 <olduser>: Recipient address rejected: User has moved to olduser@new.test");
        assertThat(reply("s@example.com", "olduser@relay.example")).isEqualTo("accepted");
    }

    @Test
    void relocatedIsPartOfTheUnlistedRecipientCheck() throws Exception {
        load("smtpd_reject_unlisted_recipient = no\n");
        assertThat(reply("s@example.com", "moved@relay.example")).isEqualTo("accepted");
        fx.close();
        fx = new Fixture(dir);
        load("smtpd_reject_unlisted_recipient = no\n"
                + "smtpd_recipient_restrictions = reject_unlisted_recipient, reject_unauth_destination\n");
        assertThat(reply("s@example.com", "moved@relay.example")).startsWith("550 5.1.6 <moved@relay.example>:");
    }

    @Test
    void aRelocatedSenderIsRefusedToo() throws Exception {
        load("smtpd_reject_unlisted_sender = yes\n");
        // Postfix 3.7.11 answers "550 5.1.7 ...": its smtpd_dsn_fix maps a sender's 5.1.6 to 5.1.7
        assertThat(reply("moved@relay.example", "x@example.net"))
                .isEqualTo("550 5.1.7 <moved@relay.example>: Sender address rejected: User has moved to new@place.test");
    }

    @Test
    void virtualAliasDomainsAcceptOnlyTheirListedAddresses() throws Exception {
        load("");
        // the default virtual_alias_domains = $virtual_alias_maps: the table's domain key makes it one
        assertThat(reply("s@example.com", "known@virt.example")).isEqualTo("accepted");
        assertThat(reply("s@example.com", "unknown@virt.example")).isEqualTo(
                "550 5.1.1 <unknown@virt.example>: Recipient address rejected: User unknown in virtual alias table");
        // no subdomains: sub.virt.example is nobody's destination
        assertThat(reply("s@example.com", "x@sub.virt.example"))
                .isEqualTo("554 5.7.1 <x@sub.virt.example>: Relay access denied");
        // relocated wins over "User unknown", with the virtual alias reply code
        assertThat(reply("s@example.com", "moved@virt.example")).isEqualTo(
                "550 5.1.6 <moved@virt.example>: Recipient address rejected: User has moved to elsewhere@place.test");
    }

    @Test
    void aVirtualAliasDomainNeedsNoDns() throws Exception {
        // reject_unknown_recipient_domain skips Postfix's "final" classes: local and virtual alias domains
        load("smtpd_recipient_restrictions = reject_unknown_recipient_domain\n");
        assertThat(reply("s@example.com", "known@virt.example")).isEqualTo("accepted");
        assertThat(reply("s@example.com", "x@relay.example")).startsWith("450 4.1.2 <x@relay.example>:");
    }

    @Test
    void virtualAliasRejectCodeAndTableName() throws Exception {
        load("unknown_virtual_alias_reject_code = 450\nshow_user_unknown_table_name = no\n");
        assertThat(reply("s@example.com", "unknown@virt.example"))
                .isEqualTo("450 4.1.1 <unknown@virt.example>: Recipient address rejected: User unknown");
    }

    @Test
    void explicitVirtualAliasDomainsWithNegation() throws Exception {
        load("virtual_alias_domains = !no.virt.example, virt.example, alias.example\n");
        assertThat(reply("s@example.com", "x@alias.example")).isEqualTo(
                "550 5.1.1 <x@alias.example>: Recipient address rejected: User unknown in virtual alias table");
        assertThat(reply("s@example.com", "x@no.virt.example"))
                .isEqualTo("554 5.7.1 <x@no.virt.example>: Relay access denied");
        fx.close();
        fx = new Fixture(dir);
        load("virtual_alias_domains =\n");
        assertThat(reply("s@example.com", "unknown@virt.example"))
                .isEqualTo("554 5.7.1 <unknown@virt.example>: Relay access denied");
    }

    @Test
    void addressesTheRewritingTablesKnowCountAsListed() throws Exception {
        fx.file("relay_recipients", "listed@relay.example x\n");
        fx.file("canonical", "canon@relay.example listed@relay.example\n");
        load("relay_recipient_maps = hash:relay_recipients\ncanonical_maps = hash:canonical\n");
        assertThat(reply("s@example.com", "listed@relay.example")).isEqualTo("accepted");
        assertThat(reply("s@example.com", "canon@relay.example")).isEqualTo("accepted");
        assertThat(reply("s@example.com", "aliased@relay.example")).isEqualTo("accepted"); // also beats relocated
        assertThat(reply("s@example.com", "other@relay.example")).isEqualTo(
                "550 5.1.1 <other@relay.example>: Recipient address rejected: User unknown in relay recipient table");
    }

    @Test
    void aTableThatCannotAnswerIsATemporaryFailure() throws Exception {
        load("relocated_maps = fail:down\n");
        assertThat(reply("s@example.com", "x@relay.example"))
                .isEqualTo("451 4.3.0 <x@relay.example>: Temporary lookup failure");
        fx.close();
        fx = new Fixture(dir);
        load("virtual_alias_maps = hash:virtual, fail:down\n");
        assertThat(reply("s@example.com", "known@virt.example")).isEqualTo("accepted"); // found before the failing table
        assertThat(reply("s@example.com", "x@relay.example"))
                .isEqualTo("451 4.3.0 <x@relay.example>: Temporary lookup failure");
        fx.close();
        fx = new Fixture(dir);
        load("virtual_alias_domains = fail:down\n");
        assertThat(reply("s@example.com", "x@relay.example"))
                .isEqualTo("451 4.3.0 <x@relay.example>: Temporary lookup failure");
    }

    @Test
    void badTablesAreLoadErrors() {
        ConfigException e = fx.failure("relocated_maps = hash:missing\nvirtual_alias_domains = /etc/domains\n");
        assertThat(e.getMessage()).contains("relocated_maps").contains("virtual_alias_domains");
    }
}
