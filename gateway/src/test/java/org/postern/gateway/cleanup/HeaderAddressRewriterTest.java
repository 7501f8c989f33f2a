// HeaderAddressRewriterTest: the rewriting of header addresses per class and context, as measured on Postfix
// 3.7.11 -- canonical maps per *_canonical_classes, masquerade_classes, append_at_myorigin, the remote
// context (remote_header_rewrite_domain), local_header_rewrite_clients, and what is never touched.
package org.postern.gateway.cleanup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.ClientInfo;
import org.postern.policies.conf.ConfigException;

class HeaderAddressRewriterTest {
    @TempDir
    Path dir;
    RewriteFixture fx;

    static final String TABLES = String.join("\n",
            "canonical_maps = hash:canonical",
            "sender_canonical_maps = hash:sender_canonical",
            "recipient_canonical_maps = hash:recipient_canonical",
            "masquerade_domains = postern.test",
            "masquerade_exceptions = root");

    static final ClientInfo REMOTE = new ClientInfo("far.test", "203.0.113.9", 4000, "far.test", "ESMTP", null, null,
            null, null);
    static final ClientInfo LOOPBACK = new ClientInfo("localhost", "127.0.0.1", 4000, "me", "ESMTP", null, null,
            null, null);

    @BeforeEach
    void setUp() {
        fx = new RewriteFixture(dir);
        fx.file("canonical",
                "joe@old.test        joe@new.test",
                "@olddom.test        @newdom.test",
                "multi@old.test      m1@new.test, m2@new.test",
                "cl1@old.test        cl2@old.test",
                "cl2@old.test        cl1@old.test",
                "jörg@old.test       jörg@new.test");
        fx.file("sender_canonical", "shared@old.test     shared-sender@old.test");
        fx.file("recipient_canonical", "shared@old.test     shared-rcpt@old.test");
    }

    private static String rewrite(AddressRewriting rw, String header) throws RewriteFailure {
        String r = rw.headers().rewrite(header, new ArrayList<>());
        return r == null ? header : r;
    }

    @Test
    void canonicalMapsRewriteSenderAndRecipientHeaders() throws Exception {
        AddressRewriting rw = fx.load(TABLES);
        assertThat(rewrite(rw, "From: joe@old.test")).isEqualTo("From: joe@new.test");
        assertThat(rewrite(rw, "To: Joe <joe@old.test>, \"A B\" <x@olddom.test>,c@x.test"))
                .isEqualTo("To: Joe <joe@new.test>, \"A B\" <x@newdom.test>,c@x.test");
        assertThat(rewrite(rw, "Cc: joe@old.test (Joe Bloggs), grp: a@old.test, b@olddom.test;, undisclosed-recipients:;"))
                .isEqualTo("Cc: joe@new.test (Joe Bloggs), grp: a@old.test, b@newdom.test;, undisclosed-recipients:;");
        assertThat(rewrite(rw, "from: joe@old.test")).isEqualTo("from: joe@new.test"); // the name keeps its case
        assertThat(rewrite(rw, "Resent-Reply-To: joe@old.test")).isEqualTo("Resent-Reply-To: joe@new.test");
        assertThat(rewrite(rw, "Disposition-Notification-To: joe @ old.test"))
                .isEqualTo("Disposition-Notification-To: joe@new.test");
        assertThat(rewrite(rw, "Errors-To: joe@OLD.test.")).isEqualTo("Errors-To: joe@new.test");
    }

    @Test
    void onlyTheAddressChanges() throws Exception {
        AddressRewriting rw = fx.load(TABLES);
        assertThat(rewrite(rw, "Reply-To: Johnny B. Goode <joe@old.test>")).isEqualTo("Reply-To: Johnny B. Goode <joe@new.test>");
        assertThat(rewrite(rw, "Resent-To:\r\n joe@old.test,\r\n  c@x.test")).isEqualTo("Resent-To:\r\n joe@new.test,\r\n  c@x.test");
        assertThat(rewrite(rw, "Resent-From: =?UTF-8?Q?J=C3=B6rg?= <joe@old.test>"))
                .isEqualTo("Resent-From: =?UTF-8?Q?J=C3=B6rg?= <joe@new.test>");
        assertThat(rewrite(rw, "To: <@r1.test,@r2.test:c@x.test>")).isEqualTo("To: <c@x.test>"); // source route dropped
    }

    @Test
    void unchangedAndUnreadableHeadersAndOtherHeadersAreLeftAlone() throws Exception {
        AddressRewriting rw = fx.load(TABLES);
        List<String> w = new ArrayList<>();
        assertThat(rw.headers().rewrite("To: a@x.test,   b@x.test", w)).isNull();
        assertThat(rw.headers().rewrite("To: \"joe\"@x.test", w)).isNull();
        assertThat(rw.headers().rewrite("To: (comment joe@old.test", w)).isNull();
        assertThat(rw.headers().rewrite("Cc: joe@old.test <", w)).isNull();
        assertThat(rw.headers().rewrite("X-Other: joe@old.test", w)).isNull();
        assertThat(rw.headers().rewrite("Subject: joe", w)).isNull();
        assertThat(rw.headers().rewrite("Message-Id: <joe@old.test>", w)).isNull();
        assertThat(w).isEmpty();
    }

    @Test
    void appendAtMyoriginCompletesBareNamesAndMasqueradingFollows() throws Exception {
        AddressRewriting rw = fx.load(TABLES);
        assertThat(rewrite(rw, "Reply-To: joe")).isEqualTo("Reply-To: joe@example.test");
        assertThat(rewrite(rw, "Sender: u@host.postern.test")).isEqualTo("Sender: u@postern.test");
        assertThat(rewrite(rw, "To: u@host.postern.test, root@host.postern.test"))
                .isEqualTo("To: u@postern.test, root@host.postern.test"); // masquerade_exceptions
        AddressRewriting noAppend = fx.load(TABLES + "\nappend_at_myorigin = no\n");
        assertThat(rewrite(noAppend, "Reply-To: joe")).isEqualTo("Reply-To: joe");
    }

    @Test
    void eachTableAppliesToItsOwnHeaderClass() throws Exception {
        AddressRewriting rw = fx.load(TABLES);
        assertThat(rewrite(rw, "From: shared@old.test")).isEqualTo("From: shared-sender@old.test");
        assertThat(rewrite(rw, "To: shared@old.test")).isEqualTo("To: shared-rcpt@old.test");
    }

    @Test
    void theClassesChooseWhichHeadersAreRewritten() throws Exception {
        AddressRewriting envelopeOnly = fx.load(TABLES + "\ncanonical_classes = envelope_sender, envelope_recipient\n"
                + "masquerade_classes = envelope_sender\n");
        assertThat(rewrite(envelopeOnly, "From: joe@old.test, u@host.postern.test"))
                .isEqualTo("From: joe@old.test, u@host.postern.test");
        AddressRewriting sendersOnly = fx.load(TABLES + "\ncanonical_classes = header_sender\n"
                + "masquerade_classes = header_recipient\n" + "sender_canonical_classes = envelope_sender\n");
        assertThat(rewrite(sendersOnly, "From: joe@old.test, u@host.postern.test, shared@old.test"))
                .isEqualTo("From: joe@new.test, u@host.postern.test, shared@old.test");
        assertThat(rewrite(sendersOnly, "To: joe@old.test, u@host.postern.test, shared@old.test"))
                .isEqualTo("To: joe@old.test, u@postern.test, shared-rcpt@old.test");
    }

    @Test
    void multiValuedEntriesAndLoopsWarnAsForTheEnvelope() throws Exception {
        AddressRewriting rw = fx.load(TABLES);
        List<String> w = new ArrayList<>();
        assertThat(rw.headers().rewrite("From: multi@old.test", w)).isEqualTo("From: m1@new.test");
        assertThat(w).containsExactly("multi-valued canonical_maps entry for multi@old.test");
        w.clear();
        assertThat(rw.headers().rewrite("To: cl1@old.test", w)).isNull();
        assertThat(w).containsExactly("unreasonable canonical_maps map nesting for cl1@old.test"
                + " -- message not accepted, try again later");
    }

    @Test
    void utf8AddressesAreLookedUpAsText() throws Exception {
        AddressRewriting rw = fx.load(TABLES);
        String header = octets("From: Jörg <jörg@old.test>");
        assertThat(rewrite(rw, header)).isEqualTo(octets("From: Jörg <jörg@new.test>"));
    }

    @Test
    void aFailingTableIsARewriteFailure() throws Exception {
        AddressRewriting rw = fx.load(TABLES + "\nrecipient_canonical_maps = fail:down\n");
        assertThat(rewrite(rw, "From: joe@old.test")).isEqualTo("From: joe@new.test");
        assertThatThrownBy(() -> rw.headers().rewrite("To: a@x.test", new ArrayList<>()))
                .isInstanceOf(RewriteFailure.class)
                .hasMessageStartingWith("recipient_canonical_maps map lookup problem for a@x.test");
    }

    @Test
    void remoteClientsHeadersAreNotRewrittenByDefault() throws Exception {
        AddressRewriting rw = fx.load(TABLES);
        assertThat(rw.forClient(REMOTE).headers()).isNull();
        assertThat(rw.forClient(LOOPBACK).headers()).isNotNull(); // permit_inet_interfaces
        assertThat(rw.forClient(REMOTE).forClient(LOOPBACK).headers()).isSameAs(rw.headers());
        assertThat(AddressRewriting.NONE.headers()).isNull();
        assertThat(AddressRewriting.NONE.forClient(LOOPBACK).headers()).isNull();
    }

    @Test
    void remoteHeaderRewriteDomainCompletesRemoteHeaders() throws Exception {
        AddressRewriting rw = fx.load(TABLES + "\nremote_header_rewrite_domain = domain.invalid\n"
                + "append_dot_mydomain = yes\n").forClient(REMOTE);
        assertThat(rewrite(rw, "From: joe")).isEqualTo("From: joe@domain.invalid");
        assertThat(rewrite(rw, "To: joe@old.test, x@host.postern.test, u@h"))
                .isEqualTo("To: joe@new.test, x@postern.test, u@h.domain.invalid");
        AddressRewriting local = fx.load(TABLES + "\nremote_header_rewrite_domain = domain.invalid\n"
                + "append_dot_mydomain = yes\n").forClient(LOOPBACK);
        assertThat(rewrite(local, "To: joe, u@h")).isEqualTo("To: joe@example.test, u@h.example.test");
    }

    @Test
    void localHeaderRewriteClientsEntries() throws Exception {
        fx.file("pop-before-smtp", "203.0.113.9 ok");
        assertThat(fx.load(TABLES + "\nlocal_header_rewrite_clients =\n").forClient(LOOPBACK).headers()).isNull();
        assertThat(fx.load(TABLES + "\nlocal_header_rewrite_clients = static:all\n").forClient(REMOTE).headers())
                .isNotNull();
        assertThat(fx.load(TABLES + "\nlocal_header_rewrite_clients = check_address_map hash:pop-before-smtp\n")
                .forClient(REMOTE).headers()).isNotNull();
        AddressRewriting mynetworks = fx.load(TABLES + "\nmynetworks = 203.0.113.0/24\n"
                + "local_header_rewrite_clients = permit_mynetworks\n");
        assertThat(mynetworks.forClient(REMOTE).headers()).isNotNull();
        assertThat(mynetworks.forClient(LOOPBACK).headers()).isNull();
        AddressRewriting sasl = fx.load(TABLES + "\nlocal_header_rewrite_clients = permit_sasl_authenticated\n");
        assertThat(sasl.forClient(REMOTE).headers()).isNull();
        assertThat(sasl.forClient(new ClientInfo("far.test", "203.0.113.9", 4000, "far.test", "ESMTPA", null, null,
                "PLAIN", "joe")).headers()).isNotNull();
        AddressRewriting failing = fx.load(TABLES + "\nlocal_header_rewrite_clients = fail:down, permit_inet_interfaces\n");
        assertThat(failing.forClient(LOOPBACK).headers()).isNull(); // a table failure: not local
    }

    @Test
    void badLocalHeaderRewriteClientsAreLoadErrors() {
        assertThatThrownBy(() -> fx.load(TABLES + "\nlocal_header_rewrite_clients = permit_everyone\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("main.cf:")
                .hasMessageContaining("local_header_rewrite_clients: unknown entry \"permit_everyone\"");
        assertThatThrownBy(() -> fx.load(TABLES + "\nlocal_header_rewrite_clients = permit_tls_clientcerts\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not implemented");
        assertThatThrownBy(() -> fx.load(TABLES + "\nlocal_header_rewrite_clients = check_address_map\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("needs a type:table");
    }

    private static String octets(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }
}
