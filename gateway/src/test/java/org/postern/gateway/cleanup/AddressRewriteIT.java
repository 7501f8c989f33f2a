// AddressRewriteIT: address rewriting end to end -- swaks sends through a real Postern gateway and the
// queued envelope (incoming/) shows canonical, masquerade and virtual alias results with the original
// recipients; relocated_maps refuses at RCPT. The same sessions go to a throwaway Postfix 3.7 too.
package org.postern.gateway.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.core.Recipient;
import org.postern.gateway.GatewayHarness;
import org.postern.gateway.queue.QueueFile;
import org.postern.testkit.CommandResult;
import org.postern.testkit.FreePort;
import org.postern.testkit.Swaks;

class AddressRewriteIT {
    @TempDir
    Path dir;

    /** The tables both mail systems get (file name, content). */
    static final List<String[]> TABLES = List.of(
            new String[] {"virtual", String.join("\n",
                    "virt.test             anything",
                    "known@virt.test       k1@example.test",
                    "a@example.test        x@example.test, y@example.test",
                    "self@example.test     self@example.test, other@example.test",
                    "loop1@example.test    loop2@example.test",
                    "loop2@example.test    loop1@example.test",
                    "ext@example.test      extdest@example.test",
                    "dup1@example.test     same@example.test",
                    "dup2@example.test     same@example.test, dup1@example.test",
                    "bare@example.test     localonly",
                    "@dom.example.test     @example.test",
                    "vuser                 vlocal@example.test", "")},
            new String[] {"canonical", String.join("\n",
                    "csender@sender.test   canonsender@sender.test",
                    "crec@example.test     crec-canon@example.test",
                    "ext2@example.test     ext2-canon",
                    "@olddomain.test       @newdomain.test", "")},
            new String[] {"sender_canonical", "s1@sender.test s1-sc@sender.test\n"},
            new String[] {"recipient_canonical", "r1@example.test r1-rc@example.test\n"},
            new String[] {"relocated", "moved@example.test new@place.test\n@gone.example.test contact via phone\n"});

    /** main.cf lines both get; tables named relative to {@code tableDir}. */
    static String mainCf(Path tableDir) {
        return String.join("\n",
                "recipient_delimiter = +",
                "virtual_alias_maps = texthash:" + tableDir.resolve("virtual"),
                "canonical_maps = texthash:" + tableDir.resolve("canonical"),
                "sender_canonical_maps = texthash:" + tableDir.resolve("sender_canonical"),
                "recipient_canonical_maps = texthash:" + tableDir.resolve("recipient_canonical"),
                "relocated_maps = texthash:" + tableDir.resolve("relocated"),
                "masquerade_domains = postern.test",
                "masquerade_exceptions = root", "");
    }

    /** Sessions sent to both: sender, then recipients. */
    static final List<List<String>> SESSIONS = List.of(
            List.of("csender@sender.test", "crec@example.test", "a@example.test"),
            List.of("s1@sender.test", "self@example.test", "dup1@example.test", "dup2@example.test"),
            List.of("user@host.postern.test", "ext+foo@example.test", "ext2+bar@example.test"),
            List.of("x+tag@olddomain.test", "r1@example.test", "bare@example.test", "known@virt.test",
                    "vuser@mx.postern.test"),
            List.of("root@host.postern.test", "user+e@dom.example.test", "Y@example.test", "y@example.test"),
            List.of("MAILER-DAEMON@mx.postern.test", "q@example.test", "moved@example.test", "unknown@virt.test"),
            List.of("s@sender.test", "loop1@example.test"),
            List.of("s@sender.test", "who@gone.example.test"));

    private GatewayHarness startPostern() throws Exception {
        for (String[] t : TABLES) Files.writeString(dir.resolve(t[0]), t[1]);
        return GatewayHarness.start(dir, mainCf(dir));
    }

    private static CommandResult send(int port, List<String> session) {
        return Swaks.server("127.0.0.1", port).from(session.get(0))
                .to(session.subList(1, session.size()).toArray(String[]::new)).header("Subject", "rewrite").run();
    }

    @Test
    void theQueuedEnvelopeIsRewritten() throws Exception {
        org.postern.testkit.Assumptions.requireCommand("swaks");
        try (GatewayHarness gw = startPostern()) {
            CommandResult r = send(gw.port, SESSIONS.get(0));
            assertThat(r.exitCode()).as(r.describe()).isZero();
            QueueFile q = queued(gw, r);
            assertThat(q.envelope().sender()).isEqualTo("canonsender@sender.test");
            assertThat(q.envelope().recipients()).containsExactly(
                    new Recipient("crec-canon@example.test", Set.of(), "rfc822;crec@example.test", "crec@example.test"),
                    new Recipient("x@example.test", Set.of(), "rfc822;a@example.test", "a@example.test"),
                    new Recipient("y@example.test", Set.of(), "rfc822;a@example.test", "a@example.test"));

            CommandResult ext = send(gw.port, SESSIONS.get(2));
            QueueFile e = queued(gw, ext);
            assertThat(e.envelope().sender()).isEqualTo("user@postern.test"); // masqueraded
            assertThat(e.envelope().recipients()).extracting(Recipient::address)
                    .containsExactly("extdest+foo@example.test", "ext2-canon+bar@mx.postern.test");
        }
    }

    @Test
    void relocatedAndUnknownVirtualAliasRecipientsAreRefusedAtRcpt() throws Exception {
        org.postern.testkit.Assumptions.requireCommand("swaks");
        try (GatewayHarness gw = startPostern()) {
            CommandResult r = send(gw.port, List.of("s@sender.test", "moved@example.test"));
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(24); // no recipient accepted
            assertThat(r.output()).contains(
                    "550 5.1.6 <moved@example.test>: Recipient address rejected: User has moved to new@place.test");
            CommandResult v = send(gw.port, List.of("s@sender.test", "unknown@virt.test"));
            assertThat(v.output()).contains(
                    "550 5.1.1 <unknown@virt.test>: Recipient address rejected: User unknown in virtual alias table");
            CommandResult known = send(gw.port, List.of("s@sender.test", "known@virt.test"));
            assertThat(known.exitCode()).as(known.describe()).isZero(); // a virtual alias domain is our destination
            assertThat(queued(gw, known).envelope().recipients()).extracting(Recipient::address)
                    .containsExactly("k1@example.test");
        }
    }

    @Test
    void anAliasLoopOrAFailingTableRefusesTheMessageForNow() throws Exception {
        org.postern.testkit.Assumptions.requireCommand("swaks");
        try (GatewayHarness gw = startPostern()) {
            CommandResult r = send(gw.port, List.of("s@sender.test", "loop1@example.test"));
            assertThat(r.output()).contains("451 4.6.0 Alias expansion error");
            assertThat(gw.incomingMessages()).isEmpty();
        }
        try (GatewayHarness gw = GatewayHarness.start(dir, mainCf(dir) + "sender_canonical_maps = fail:down\n")) {
            CommandResult r = send(gw.port, List.of("s@sender.test", "y@example.test"));
            assertThat(r.output()).contains("451 4.3.0 Error: queue file write error");
            assertThat(gw.incomingMessages()).isEmpty();
        }
    }

    /** The same sessions through Postern and through Postfix 3.7: same replies, same queued envelopes. */
    @Test
    void postfixQueuesTheSameEnvelopes() throws Exception {
        org.postern.testkit.Assumptions.requireCommand("swaks");
        Assumptions.assumeTrue(ThrowawayPostfix.available(), "needs root and Debian's postfix package");
        try (GatewayHarness gw = startPostern();
             ThrowawayPostfix pf = ThrowawayPostfix.start(FreePort.next(), postfixMainCf(), TABLES)) {
            for (List<String> session : SESSIONS) {
                CommandResult ours = send(gw.port, session);
                CommandResult theirs = send(pf.port, session);
                assertThat(replies(ours)).as("replies for " + session + "\nPostern:\n" + ours.output()
                        + "\nPostfix:\n" + theirs.output()).isEqualTo(replies(theirs));
                String id = queueId(theirs);
                if (id == null) continue;
                ThrowawayPostfix.Queued expected = pf.queued(id);
                QueueFile q = queued(gw, ours);
                assertThat(q.envelope().sender()).as("sender for " + session).isEqualTo(expected.sender());
                assertThat(q.envelope().recipients()).extracting(Recipient::address).as("recipients for " + session)
                        .containsExactlyElementsOf(expected.recipients());
                assertThat(q.envelope().recipients()).extracting(Recipient::givenAddress).as("originals for " + session)
                        .containsExactlyElementsOf(expected.originals());
            }
        }
    }

    /** Recipients in mydestination: listed in local_recipient_maps, aliased away, or refused -- as Postfix 3.7 answers. */
    @Test
    void unknownLocalRecipientsAreRefusedAsPostfixRefusesThem() throws Exception {
        org.postern.testkit.Assumptions.requireCommand("swaks");
        Assumptions.assumeTrue(ThrowawayPostfix.available(), "needs root and Debian's postfix package");
        String[] users = {"local_users", "alice    x\npostmaster    x\n"};
        Files.writeString(dir.resolve(users[0]), users[1]);
        List<String[]> tables = new ArrayList<>(TABLES);
        tables.add(users);
        List<List<String>> sessions = List.of(List.of("s@sender.test", "alice@mx.postern.test"),
                List.of("s@sender.test", "bob@mx.postern.test"), List.of("s@sender.test", "bob@localhost", "alice@localhost"),
                List.of("s@sender.test", "postmaster@mx.postern.test"));
        for (String[] t : TABLES) Files.writeString(dir.resolve(t[0]), t[1]);
        try (GatewayHarness gw = GatewayHarness.start(dir, mainCf(dir) + "local_recipient_maps = texthash:" + dir.resolve(users[0]) + "\n");
             ThrowawayPostfix pf = ThrowawayPostfix.start(FreePort.next(),
                     postfixMainCf() + "\nlocal_recipient_maps = texthash:$config_directory/local_users", tables)) {
            for (List<String> session : sessions) {
                CommandResult ours = send(gw.port, session);
                CommandResult theirs = send(pf.port, session);
                assertThat(replies(ours)).as("replies for " + session + "\nPostern:\n" + ours.output()
                        + "\nPostfix:\n" + theirs.output()).isEqualTo(replies(theirs));
            }
            assertThat(send(gw.port, sessions.get(1)).output())
                    .contains("550 5.1.1 <bob@mx.postern.test>: Recipient address rejected: User unknown in local recipient table");
        }
    }

    /** Postern's harness settings, for Postfix. */
    private String postfixMainCf() {
        Path conf = Path.of("$config_directory"); // Postfix expands it in table names
        return String.join("\n",
                "myhostname = mx.postern.test",
                "mydestination = $myhostname, localhost",
                "relay_domains = example.test",
                "mynetworks = 127.0.0.1/32",
                "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination",
                mainCf(conf));
    }

    /** The server's replies to RCPT and at the end of DATA ("250 ... queued as" without the id). */
    private static List<String> replies(CommandResult r) {
        List<String> out = new ArrayList<>();
        for (String line : r.output().split("\n")) {
            String l = line.strip();
            if (l.startsWith("<** ")) out.add(l.substring(4));
            else if (l.startsWith("<-  250 2.0.0 Ok: queued as")) out.add("250 2.0.0 Ok: queued");
        }
        return out;
    }

    private static String queueId(CommandResult r) {
        Matcher m = Pattern.compile("queued as ([0-9A-Za-z]+)").matcher(r.output());
        return m.find() ? m.group(1) : null;
    }

    private static QueueFile queued(GatewayHarness gw, CommandResult r) throws IOException {
        String id = queueId(r);
        assertThat(id).as(r.describe()).isNotNull();
        return gw.incomingMessages().stream().filter(q -> q.envelope().queueId().value().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("not in incoming/: " + id));
    }
}
