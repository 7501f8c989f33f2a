// HeaderRewriteIT: header address rewriting end to end -- swaks sends the same messages through a real
// Postern gateway and a throwaway Postfix 3.7, and the queued header sections (GatewayHarness content,
// postcat -h) must be the same: canonical_maps, masquerading, append_at_myorigin, header_checks first.
package org.postern.gateway.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.gateway.GatewayHarness;
import org.postern.gateway.queue.QueueFile;
import org.postern.testkit.CommandResult;
import org.postern.testkit.ExternalCommand;
import org.postern.testkit.FreePort;
import org.postern.testkit.Swaks;

class HeaderRewriteIT {
    @TempDir
    Path dir;

    /** The tables both mail systems get (file name, content). */
    static final List<String[]> TABLES = List.of(
            new String[] {"canonical", "joe@old.test   joe@new.test\n@olddom.test   @newdom.test\n"},
            new String[] {"header_checks", String.join("\n",
                    "/^Sender: joe@old\\.test$/   REPLACE Sender: joe@old.test (matched before rewriting)",
                    "/^X-Replace: (.*)$/          REPLACE Reply-To: $1", "")});

    /** main.cf lines both get; tables named relative to {@code tableDir}. */
    static String mainCf(Path tableDir) {
        return String.join("\n",
                "canonical_maps = texthash:" + tableDir.resolve("canonical"),
                "header_checks = regexp:" + tableDir.resolve("header_checks"),
                "masquerade_domains = postern.test",
                "masquerade_exceptions = root", "");
    }

    /** The messages sent to both; each has Date: and Message-Id:, which Postfix would add otherwise. */
    static final List<String> MESSAGES = List.of(
            message("From: Joe <joe@old.test>",
                    "To: joe@old.test, \"A B\" <x@olddom.test>, c@x.test",
                    "Cc: joe@old.test (Joe Bloggs), grp: a@old.test, b@olddom.test;",
                    "Subject: canonical"),
            message("From: user@host.postern.test",
                    "Sender: root@host.postern.test",
                    "To: u@sub.postern.test, v@example.test",
                    "Reply-To: joe",
                    "Subject: masquerade and myorigin"),
            message("From: s@sender.test",
                    "To: (comment joe@old.test",
                    "Cc: joe@old.test <",
                    "X-Other: joe@old.test",
                    "Subject: left alone"),
            message("From: s@sender.test",
                    "Sender: joe@old.test",
                    "X-Replace: joe@old.test",
                    "To: r@example.test",
                    "Cc: undisclosed-recipients:;",
                    "Subject: header checks first"));

    private static String message(String... headers) {
        return String.join("\n", headers) + "\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nMessage-Id: <"
                + Integer.toHexString(String.join("", headers).hashCode()) + "@sender.test>\n\nFrom: joe@old.test\n";
    }

    private GatewayHarness startPostern(String extra) throws Exception {
        for (String[] t : TABLES) Files.writeString(dir.resolve(t[0]), t[1]);
        return GatewayHarness.start(dir, mainCf(dir) + extra);
    }

    private static CommandResult send(int port, String message) {
        return Swaks.server("127.0.0.1", port).from("s@sender.test").to("r@example.test")
                .data(message.getBytes(java.nio.charset.StandardCharsets.UTF_8)).run();
    }

    @Test
    void theQueuedHeadersAreRewritten() throws Exception {
        org.postern.testkit.Assumptions.requireCommand("swaks");
        try (GatewayHarness gw = startPostern("")) {
            List<List<String>> h = new ArrayList<>();
            for (String m : MESSAGES) h.add(headers(content(gw, send(gw.port, m))));
            assertThat(h.get(0)).contains("From: Joe <joe@new.test>",
                    "To: joe@new.test, \"A B\" <x@newdom.test>, c@x.test",
                    "Cc: joe@new.test (Joe Bloggs), grp: a@old.test, b@newdom.test;");
            assertThat(h.get(1)).contains("From: user@postern.test", "Sender: root@host.postern.test",
                    "To: u@postern.test, v@example.test", "Reply-To: joe@postern.test");
            assertThat(h.get(2)).contains("To: (comment joe@old.test", "Cc: joe@old.test <", "X-Other: joe@old.test");
            assertThat(h.get(3)).contains("Sender: joe@new.test (matched before rewriting)", "Reply-To: joe@new.test",
                    "Cc: undisclosed-recipients:;");
            assertThat(content(gw, send(gw.port, MESSAGES.get(0)))).contains("\r\n\r\nFrom: joe@old.test\r\n"); // body
        }
    }

    /** The same messages through Postern and through Postfix 3.7: the same header sections. */
    @Test
    void postfixQueuesTheSameHeaders() throws Exception {
        compareWithPostfix("");
    }

    /**
     * A client that local_header_rewrite_clients does not list: no header rewriting at all while
     * remote_header_rewrite_domain is empty (Postfix 3.7.11, verified), canonical maps included.
     */
    @Test
    void remoteClientsHeadersAreLeftAloneAsByPostfix() throws Exception {
        compareWithPostfix("local_header_rewrite_clients =\n");
    }

    private void compareWithPostfix(String extra) throws Exception {
        org.postern.testkit.Assumptions.requireCommand("swaks");
        Assumptions.assumeTrue(ThrowawayPostfix.available(), "needs root and Debian's postfix package");
        try (GatewayHarness gw = startPostern(extra);
             ThrowawayPostfix pf = ThrowawayPostfix.start(FreePort.next(), postfixMainCf() + extra, TABLES)) {
            for (String m : MESSAGES) {
                CommandResult ours = send(gw.port, m);
                CommandResult theirs = send(pf.port, m);
                String id = queueId(theirs);
                assertThat(id).as(theirs.describe()).isNotNull();
                List<String> expected = headers(ExternalCommand.of("postcat", "-c", pf.conf.toString(), "-h", "-q", id)
                        .timeout(Duration.ofSeconds(30)).run().requireSuccess().stdout());
                assertThat(headers(content(gw, ours))).as("headers of\n" + m).isEqualTo(expected);
            }
        }
    }

    /** Postern's harness settings, for Postfix. */
    private String postfixMainCf() {
        return String.join("\n",
                "myhostname = mx.postern.test",
                "mydestination = $myhostname, localhost",
                "relay_domains = example.test",
                "mynetworks = 127.0.0.1/32",
                "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination",
                mainCf(Path.of("$config_directory")));
    }

    /** The logical headers of the header section, folded lines joined by "\n", Received: left out. */
    static List<String> headers(String content) {
        List<String> out = new ArrayList<>();
        for (String line : content.split("\r?\n", -1)) {
            if (line.isEmpty()) break;
            if ((line.startsWith(" ") || line.startsWith("\t")) && !out.isEmpty()) {
                out.set(out.size() - 1, out.get(out.size() - 1) + "\n" + line);
            } else {
                out.add(line);
            }
        }
        out.removeIf(h -> h.toLowerCase(Locale.ROOT).startsWith("received:"));
        return out;
    }

    private static String queueId(CommandResult r) {
        Matcher m = Pattern.compile("queued as ([0-9A-Za-z]+)").matcher(r.output());
        return m.find() ? m.group(1) : null;
    }

    private static String content(GatewayHarness gw, CommandResult r) throws IOException {
        String id = queueId(r);
        assertThat(id).as(r.describe()).isNotNull();
        QueueFile q = gw.incomingMessages().stream().filter(f -> f.envelope().queueId().value().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("not in incoming/: " + id));
        return GatewayHarness.content(q);
    }
}
