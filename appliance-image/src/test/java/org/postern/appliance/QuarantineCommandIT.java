// QuarantineCommandIT: a running `postern` with Debian's clamd quarantines EICAR; `postern quarantine list
// --reason virus`, `show`, `release` (the copy reaches Postfix's smtp-sink, a second release is refused)
// and `delete` act on it from the shell, as a postmaster would; a release killed at its worst point is
// completed by `postern quarantine purge` and reaches smtp-sink exactly once.
package org.postern.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.testkit.Await;
import org.postern.testkit.Clamd;
import org.postern.testkit.CommandResult;
import org.postern.testkit.FreePort;
import org.postern.testkit.SinkMessage;
import org.postern.testkit.SmtpSink;
import org.postern.testkit.Swaks;

class QuarantineCommandIT {
    private static final Pattern ID = Pattern.compile("(?m)^([a-z2-7]{20}) ");

    @TempDir
    Path config;

    @AfterEach
    void stopLeftovers() throws IOException {
        PosternProcess.killLeftover(config);
    }

    /** Writes main.cf and master.cf (clamd, smtp-sink as relayhost, smtpd on {@code port}) and starts postern. */
    private void start(Clamd clamd, SmtpSink sink, int port) throws Exception {
        Files.writeString(config.resolve("main.cf"), String.join("\n",
                "queue_directory = $config_directory/spool", "data_directory = $config_directory/data",
                "maillog_file = $config_directory/maillog", "myhostname = it.example.test",
                "relay_domains = example.test", "relayhost = [127.0.0.1]:" + sink.port(),
                "smtpd_peername_lookup = no", "vscan_clamd_address = " + clamd.unixAddress(), ""));
        Files.writeString(config.resolve("master.cf"), "qmgr unix n - n 300 1 qmgr\n"
                + "127.0.0.1:" + port + " inet n - n - - smtpd\n");
        assertThat(PosternProcess.run(config, "start").exit()).isZero();
    }

    /** Sends EICAR to a@ and b@example.test and waits for it in the quarantine; its quarantine id. */
    private String quarantineEicar(int port) throws Exception {
        String msg = "Subject: infected\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: application/octet-stream; name=e.com\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + Base64.getMimeEncoder().encodeToString(Clamd.eicar()) + "\r\n--b--\r\n";
        CommandResult sent = Swaks.server("127.0.0.1", port).from("sender@client.test")
                .to("a@example.test", "b@example.test").data(msg.getBytes(StandardCharsets.US_ASCII)).run();
        assertThat(sent.exitCode()).as(sent.output()).isZero();
        Await.until("quarantined", Duration.ofSeconds(30),
                () -> PosternProcess.run(config, "quarantine", "list", "--reason", "virus").out().contains("infected"));
        Matcher m = ID.matcher(PosternProcess.run(config, "quarantine", "list", "--reason", "virus").out());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    @Test
    void listShowReleaseOnceAndDelete() throws Exception {
        int port = FreePort.next();
        try (Clamd clamd = Clamd.builder().start(); SmtpSink sink = SmtpSink.builder().dumpMessages().start()) {
            start(clamd, sink, port);
            quarantineEicar(port);
            PosternProcess.Result list = PosternProcess.run(config, "quarantine", "list", "--reason", "virus", "--since", "1h");
            assertThat(list.out()).contains("<sender@client.test>", "a@example.test (quarantined)", "-- 1 quarantined message");
            assertThat(PosternProcess.run(config, "quarantine", "list", "--reason", "spam").out())
                    .contains("-- 0 quarantined messages");
            for (String[] bad : new String[][] {{"--reason", "bogus"}, {"--since", "2026-13-45"}}) {
                PosternProcess.Result refused = PosternProcess.run(config, "quarantine", "list", bad[0], bad[1]);
                assertThat(refused.exit()).isEqualTo(1);
                assertThat(refused.err()).as("one line naming the option, no stack trace")
                        .contains("fatal: " + bad[0] + " " + bad[1] + ": expected").doesNotContain("Exception", "\tat ");
            }
            Matcher m = ID.matcher(list.out());
            assertThat(m.find()).isTrue();
            String id = m.group(1);

            PosternProcess.Result show = PosternProcess.run(config, "quarantine", "show", id);
            assertThat(show.out()).contains("virus: " + Clamd.EICAR_FOUND, "class: infected", "subject: infected",
                    "rule: builtin:vscan_infected_action");

            PosternProcess.Result release = PosternProcess.run(config, "quarantine", "release", id, "--rcpt", "a@example.test");
            assertThat(release.exit()).as(release.toString()).isZero();
            assertThat(release.out()).containsPattern("released to a@example.test as [0-9A-F]{11}P[0-9]+");
            sink.awaitMessages(1, Duration.ofSeconds(30));
            assertThat(sink.messages().get(0).recipients()).containsExactly("a@example.test");

            PosternProcess.Result again = PosternProcess.run(config, "quarantine", "release", id, "--rcpt", "a@example.test");
            assertThat(again.exit()).isEqualTo(1);
            assertThat(again.err()).contains("already released");

            assertThat(PosternProcess.run(config, "quarantine", "delete", id).out()).contains(id + ": deleted");
            assertThat(PosternProcess.run(config, "quarantine", "show", id).exit()).isEqualTo(1);
            assertThat(PosternProcess.run(config, "stop").exit()).isZero();
            assertThat(sink.messageCount()).isEqualTo(1);
        }
    }

    /**
     * The release command killed (SIGKILL, power loss) right after its copy was committed, before its claim was
     * complete: the copy waits in hold/ (mailq shows it held, `queue release` leaves it), and the next purge (the
     * gateway's hourly one, here `postern quarantine purge`) completes the release -- smtp-sink gets it once.
     */
    @Test
    void aReleaseKilledAtItsWorstPointIsDeliveredExactlyOnceByThePurge() throws Exception {
        int port = FreePort.next();
        try (Clamd clamd = Clamd.builder().start(); SmtpSink sink = SmtpSink.builder().dumpMessages().start()) {
            start(clamd, sink, port);
            String id = quarantineEicar(port);

            PosternProcess.Result killed = PosternProcess.run(config,
                    List.of("-D" + QuarantineCommand.HALT_PROPERTY + "=after-commit"), "quarantine", "release", id, "--rcpt",
                    "a@example.test");
            assertThat(killed.exit()).as(killed.toString()).isEqualTo(137);
            Matcher copy = Pattern.compile("a@example.test \\(releasing as ([0-9A-F]{11}P[0-9]+)\\)")
                    .matcher(PosternProcess.run(config, "quarantine", "show", id).out());
            assertThat(copy.find()).isTrue();
            String queueId = copy.group(1);
            assertThat(PosternProcess.run(config, "mailq").out()).contains(queueId + "!",
                    "(quarantine release in progress; postern quarantine purge completes or undoes it)");
            assertThat(PosternProcess.run(config, "queue", "release", queueId).out())
                    .contains(queueId + ": staged quarantine release, left in hold");
            assertThat(sink.messageCount()).isZero();

            PosternProcess.Result purge = PosternProcess.run(config, "quarantine", "purge");
            assertThat(purge.exit()).as(purge.toString()).isZero();
            assertThat(purge.err()).contains(queueId + ": quarantine release of " + id + " to <a@example.test> was "
                    + "interrupted; completed and sent on");
            sink.awaitMessages(1, Duration.ofSeconds(30));
            assertThat(PosternProcess.run(config, "quarantine", "show", id).out())
                    .contains("recipient: a@example.test (released as " + queueId + ")", "b@example.test (quarantined)");
            assertThat(PosternProcess.run(config, "quarantine", "release", id, "--rcpt", "a@example.test").err())
                    .contains("already released");
            assertThat(PosternProcess.run(config, "quarantine", "purge").exit()).isZero();

            PosternProcess.Result b = PosternProcess.run(config, "quarantine", "release", id);
            assertThat(b.out()).contains("released to b@example.test");
            sink.awaitMessages(2, Duration.ofSeconds(30));
            assertThat(PosternProcess.run(config, "stop").exit()).isZero();
            assertThat(sink.messages()).flatExtracting(SinkMessage::recipients)
                    .containsExactlyInAnyOrder("a@example.test", "b@example.test");
        }
    }
}
