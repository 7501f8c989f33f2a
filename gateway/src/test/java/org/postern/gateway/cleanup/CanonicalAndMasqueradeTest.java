// CanonicalAndMasqueradeTest: the one-to-one rewriting cleanup applies before virtual aliasing --
// append_at_myorigin, sender_/recipient_canonical_maps and canonical_maps with their classes, nesting,
// masquerade_domains with exceptions, MAILER-DAEMON -- as observed on Postfix 3.7.11 with these tables.
package org.postern.gateway.cleanup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.postern.gateway.cleanup.RewriteFixture.addresses;
import static org.postern.gateway.cleanup.RewriteFixture.rewrite;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.Recipient;
import org.postern.policies.conf.ConfigException;

class CanonicalAndMasqueradeTest {
    @TempDir
    Path dir;
    RewriteFixture fx;
    AddressRewriting rw;

    static final String TABLES = String.join("\n",
            "canonical_maps = hash:canonical",
            "sender_canonical_maps = hash:sender_canonical",
            "recipient_canonical_maps = hash:recipient_canonical",
            "virtual_alias_maps = hash:virtual",
            "masquerade_domains = example.test",
            "masquerade_exceptions = root");

    @BeforeEach
    void setUp() throws Exception {
        fx = new RewriteFixture(dir);
        fx.file("canonical",
                "csender@sender.test      canonsender@sender.test",
                "@olddomain.test          @newdomain.test",
                "multi@sender.test        m1@sender.test, m2@sender.test",
                "cuser                    cuser-canon@example.test",
                "crec@relay.test          crec-canon@relay.test",
                "cr1@relay.test           cr2@relay.test",
                "cr2@relay.test           cr3@relay.test",
                "s1-sc@sender.test        s1-both@sender.test",
                "a@relay.test             a-canon@relay.test",
                "ext@relay.test           ext-canon",
                "cl1@relay.test           cl2@relay.test",
                "cl2@relay.test           cl1@relay.test");
        fx.file("sender_canonical",
                "s1@sender.test           s1-sc@sender.test",
                "shared@relay.test        shared-sender@relay.test");
        fx.file("recipient_canonical",
                "r1@relay.test            r1-rc@relay.test",
                "shared@relay.test        shared-rcpt@relay.test",
                "a-canon@relay.test       b@relay.test");
        fx.file("virtual", "a@relay.test x@relay.test, y@relay.test");
        rw = fx.load(TABLES);
    }

    private String sender(AddressRewriting r, String sender) {
        AddressRewriting.Result res = rewrite(r, sender, "someone@relay.test");
        return res.envelope().sender();
    }

    @Test
    void canonicalRewritesSenderAndRecipients() {
        AddressRewriting.Result r = rewrite(rw, "csender@sender.test", "crec@relay.test");
        assertThat(r.envelope().sender()).isEqualTo("canonsender@sender.test");
        assertThat(r.envelope().recipients()).containsExactly(
                new Recipient("crec-canon@relay.test", Set.of(), "rfc822;crec@relay.test", "crec@relay.test"));
    }

    @Test
    void canonicalIsAppliedUntilItSettles() {
        assertThat(addresses(rewrite(rw, "s@sender.test", "cr1@relay.test"))).containsExactly("cr3@relay.test");
        assertThat(sender(rw, "x+tag@olddomain.test")).isEqualTo("x+tag@newdomain.test");
    }

    @Test
    void aCanonicalLoopOnlyWarnsAsPostfix37Does() {
        AddressRewriting.Result r = rewrite(rw, "s@sender.test", "cl1@relay.test");
        assertThat(addresses(r)).containsExactly("cl1@relay.test"); // ten rounds: back where it started
        assertThat(r.refusal()).isNull();
        assertThat(r.warnings()).containsExactly("3F2A61C0A1B: unreasonable canonical_maps map nesting for "
                + "cl1@relay.test -- message not accepted, try again later");
    }

    @Test
    void aMultiValuedEntryGivesItsFirstAddress() {
        AddressRewriting.Result r = rewrite(rw, "multi@sender.test", "r1@relay.test");
        assertThat(r.envelope().sender()).isEqualTo("m1@sender.test");
        assertThat(r.warnings()).contains("3F2A61C0A1B: multi-valued canonical_maps entry for multi@sender.test");
    }

    @Test
    void senderAndRecipientTablesApplyToTheirOwnSide() {
        AddressRewriting.Result r = rewrite(rw, "shared@relay.test", "shared@relay.test");
        assertThat(r.envelope().sender()).isEqualTo("shared-sender@relay.test");
        assertThat(addresses(r)).containsExactly("shared-rcpt@relay.test");
        // sender_canonical_maps first, then canonical_maps on its result
        assertThat(sender(rw, "s1@sender.test")).isEqualTo("s1-both@sender.test");
        // recipient_canonical_maps first (a@ is not in it), canonical_maps (a@ -> a-canon@), then virtual
        assertThat(addresses(rewrite(rw, "s@sender.test", "a@relay.test"))).containsExactly("a-canon@relay.test");
    }

    @Test
    void canonicalClassesChooseTheAddresses() throws Exception {
        AddressRewriting recipientsOnly = fx.load(TABLES + "\ncanonical_classes = envelope_recipient\n"
                + "sender_canonical_classes = header_sender\n");
        AddressRewriting.Result r = rewrite(recipientsOnly, "csender@sender.test", "crec@relay.test");
        assertThat(r.envelope().sender()).isEqualTo("csender@sender.test");
        assertThat(addresses(r)).containsExactly("crec-canon@relay.test");
        assertThat(sender(recipientsOnly, "s1@sender.test")).isEqualTo("s1@sender.test");
        AddressRewriting noRecipients = fx.load(TABLES + "\nrecipient_canonical_classes = header_recipient\n");
        assertThat(addresses(rewrite(noRecipients, "s@sender.test", "r1@relay.test"))).containsExactly("r1@relay.test");
    }

    @Test
    void bareUserKeysAndExtensions() {
        assertThat(sender(rw, "cuser")).isEqualTo("cuser-canon@example.test"); // cuser@$myorigin, key "cuser"
        assertThat(addresses(rewrite(rw, "", "cuser@example.test"))).containsExactly("cuser-canon@example.test");
        // the result is qualified, then the unmatched extension goes in front of its '@'
        assertThat(addresses(rewrite(rw, "s@sender.test", "ext+zz@relay.test"))).containsExactly("ext-canon+zz@example.test");
    }

    @Test
    void masqueradingStripsSubdomainsOfSendersOnlyByDefault() {
        AddressRewriting.Result r = rewrite(rw, "user@host.example.test", "user2@host.example.test");
        assertThat(r.envelope().sender()).isEqualTo("user@example.test");
        assertThat(addresses(r)).containsExactly("user2@host.example.test"); // envelope_recipient is not a default class
        assertThat(sender(rw, "x@a.b.example.test")).isEqualTo("x@example.test");
        assertThat(sender(rw, "x@example.test")).isEqualTo("x@example.test");
        assertThat(sender(rw, "x@notexample.test")).isEqualTo("x@notexample.test");
        assertThat(sender(rw, "ROOT@a.example.test")).isEqualTo("ROOT@a.example.test"); // masquerade_exceptions
    }

    @Test
    void masqueradeOrderNegationClassesAndTableExceptions() throws Exception {
        fx.file("except", "admin x");
        AddressRewriting m = fx.load("masquerade_domains = !sub.example.test, example.test\n"
                + "masquerade_exceptions = hash:except\nmasquerade_classes = envelope_sender, envelope_recipient\n");
        assertThat(sender(m, "u@host.sub.example.test")).isEqualTo("u@host.sub.example.test");
        assertThat(sender(m, "u@host.other.example.test")).isEqualTo("u@example.test");
        assertThat(sender(m, "admin@host.example.test")).isEqualTo("admin@host.example.test");
        assertThat(addresses(rewrite(m, "s@sender.test", "r@h.example.test"))).containsExactly("r@example.test");
    }

    @Test
    void mailerDaemonAtMyoriginIsTheNullSender() {
        assertThat(sender(rw, "MAILER-DAEMON@example.test")).isEmpty();
        assertThat(sender(rw, "mailer-daemon@EXAMPLE.test")).isEmpty();
        assertThat(sender(rw, "MAILER-DAEMON")).isEmpty();
        assertThat(sender(rw, "MAILER-DAEMON@mx.example.test")).isEqualTo("MAILER-DAEMON@example.test"); // masqueraded
        assertThat(sender(rw, "")).isEmpty();
    }

    @Test
    void appendAtMyoriginAndDotMydomain() throws Exception {
        assertThat(addresses(rewrite(rw, "bareuser", "bare2"))).containsExactly("bare2@example.test");
        assertThat(sender(rw, "bareuser")).isEqualTo("bareuser@example.test");
        AddressRewriting noAppend = fx.load("append_at_myorigin = no\nappend_dot_mydomain = yes\n");
        assertThat(addresses(rewrite(noAppend, "s@sender.test", "bare2"))).containsExactly("bare2");
        assertThat(addresses(rewrite(noAppend, "s@sender.test", "u@host", "u@host.", "u@[192.0.2.1]")))
                .containsExactly("u@host.example.test", "u@host.example.test", "u@[192.0.2.1]");
    }

    @Test
    void aFailingCanonicalTableRefusesTheMessageForNow() throws Exception {
        AddressRewriting failing = fx.load("sender_canonical_maps = fail:sc\n");
        AddressRewriting.Result r = rewrite(failing, "s@sender.test", "y@relay.test");
        assertThat(r.refusal().oneLine()).isEqualTo("451 4.3.0 Error: queue file write error");
        assertThat(r.warnings().get(0)).startsWith("3F2A61C0A1B: sender_canonical_maps map lookup problem for s@sender.test");
        assertThat(rewrite(failing, "", "y@relay.test").refusal()).isNull(); // the null sender is never looked up
    }

    @Test
    void noneChangesNothing() {
        AddressRewriting.Result r = AddressRewriting.NONE.apply(RewriteFixture.envelope("bare", "bare2"), null,
                List.of("bcc@x.test"));
        assertThat(r.envelope().sender()).isEqualTo("bare");
        assertThat(addresses(r)).containsExactly("bare2", "bcc@x.test");
    }

    @Test
    void configurationErrorsNameTheParameter() {
        assertThatThrownBy(() -> fx.load("canonical_classes = envelope_sender, body\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("canonical_classes: unknown address class \"body\"");
        assertThatThrownBy(() -> fx.load("propagate_unmatched_extensions = canonical, aliases\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("propagate_unmatched_extensions: unknown value");
        assertThatThrownBy(() -> fx.load("virtual_alias_maps = hash:nosuchfile\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("virtual_alias_maps: ");
        assertThatThrownBy(() -> fx.load("virtual_alias_recursion_limit = 0\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("virtual_alias_recursion_limit = 0");
    }
}
