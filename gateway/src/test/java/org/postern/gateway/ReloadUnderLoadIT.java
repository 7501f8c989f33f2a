package org.postern.gateway;

import org.postern.testkit.Await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.policies.conf.Config;
import org.postern.testkit.Assumptions;
import org.postern.testkit.CommandResult;
import org.postern.testkit.RawSmtpClient;
import org.postern.testkit.SmtpSource;

/** Reload while smtp-source is sending: no session dropped, no message lost, new policy for new sessions. */
class ReloadUnderLoadIT {
    @TempDir Path dir;

    @Test
    void reloadsDuringLoadDropNothing() throws Exception {
        Assumptions.requireCommand("smtp-source");
        int messages = 1500;
        try (GatewayHarness gw = GatewayHarness.start(dir, "smtpd_banner = $myhostname ESMTP generation 0\n")) {
            CompletableFuture<CommandResult> load = CompletableFuture.supplyAsync(() ->
                    SmtpSource.to("127.0.0.1", gw.port).sessions(10).messages(messages).size(1024)
                            .from("a@sender.test").rcpt("user@example.test").timeout(Duration.ofSeconds(240)).run());
            int generation = 0;
            while (!load.isDone() && generation < 20) {
                generation++;
                Files.writeString(dir.resolve("main.cf"), GatewayHarness.baseMainCf(dir)
                        + "smtpd_banner = $myhostname ESMTP generation " + generation + "\n"
                        + "smtpd_sender_restrictions = check_sender_access inline:{ blocked.test=REJECT }\n");
                gw.gateway.reload(Config.load(dir)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                int queuedBefore = gw.incomingFiles().size();
                // let some sessions run on this generation: wait until more mail arrives (or the load ends)
                Await.until("mail accepted after reload " + generation, Duration.ofSeconds(60),
                        () -> load.isDone() || gw.incomingFiles().size() > queuedBefore + 20);
            }
            CommandResult r = load.get(300, TimeUnit.SECONDS);
            assertThat(r.exitCode()).as(r.describe()).isZero();
            assertThat(generation).as("reloads done while the load ran").isGreaterThan(1);
            assertThat(gw.incomingMessages()).hasSize(messages);
            try (RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", gw.port, Duration.ofSeconds(10), "127.0.0.2")) {
                assertThat(c.readReply().text()).endsWith("ESMTP generation " + generation);
                c.command("EHLO x");
                c.command("MAIL FROM:<a@blocked.test>");
                assertThat(c.command("RCPT TO:<u@example.test>").code()).isEqualTo(554); // the new policy
            }
        }
    }
}
