// QueueMinfreeIT: a full queue file system as a postmaster meets it, with python smtplib against the started gateway
// -- queue_minfree above the free space gets 452 4.3.1 at MAIL FROM on every kind of listener (as from Postfix 3.7,
// compared), and on a 2 MB tmpfs spool a disk that fills mid-message gets 451 4.3.0, leaves nothing, and mail flows again.
package org.postern.gateway.smtpd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postern.gateway.GatewayHarness;
import org.postern.gateway.LogCapture;
import org.postern.gateway.queue.QueueName;
import org.postern.testkit.Assumptions;
import org.postern.testkit.Await;
import org.postern.testkit.CommandResult;
import org.postern.testkit.ExternalCommand;
import org.postern.testkit.FreePort;
import org.postern.testkit.Postfix;
import org.postern.testkit.PythonSmtp;
import org.postern.testkit.SmtpSink;

class QueueMinfreeIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** 1 PiB: more than any test machine has free. */
    private static final String HUGE_MINFREE = "queue_minfree = 1125899906842624";
    private static final String SCRIPT = "/org/postern/gateway/smtpd/queue_space.py";

    @TempDir
    Path dir;

    private final List<Path> mounts = new ArrayList<>();

    @AfterEach
    void unmount() {
        for (Path p : mounts) { // the gateways are closed by now; lazily if something still holds a file there
            if (!ExternalCommand.of("umount", p.toString()).run().succeeded()) {
                ExternalCommand.of("umount", "-l", p.toString()).run().requireSuccess();
            }
        }
    }

    @Test
    void mailFromGets452WhileQueueMinfreeExceedsTheFreeSpaceOnEveryListener() throws Exception {
        List<String> ops = List.of("ehlo", "mail", "rset", "noop", "mail", "quit");
        List<String> expected = List.of("mail 452 4.3.1 Insufficient system storage", "rset 250 2.0.0 Ok",
                "noop 250 2.0.0 Ok", "mail 452 4.3.1 Insufficient system storage", "quit 221 2.0.0 Bye");
        List<String> ours = null;
        // the front listener (after-queue), the reinjection listener (none) and the content filter's (drop-in, 10024)
        for (String mode : List.of("after-queue", "none", "content-filter")) {
            try (LogCapture log = LogCapture.of("postern.smtpd");
                 GatewayHarness gw = GatewayHarness.start(Files.createDirectories(dir.resolve(mode)), HUGE_MINFREE,
                         "vscan_mode=" + mode)) {
                ours = session(gw.port, ops);
                assertThat(ours.get(0)).as(mode).startsWith("ehlo 250 ");
                assertThat(ours.subList(1, ours.size())).as(mode).isEqualTo(expected);
                assertThat(rejects(log.lines())).as(mode).hasSize(2).allMatch(l -> l.equals("NOQUEUE: reject: MAIL from "
                        + "localhost[127.0.0.1]: 452 4.3.1 Insufficient system storage; proto=ESMTP helo=<client.test>"));
                assertThat(log.lines()).as(mode).anyMatch(l -> l.startsWith("not enough free space in mail queue: ")
                        && l.endsWith(" bytes, queue_minfree = 1125899906842624"));
                assertThat(gw.incomingFiles()).isEmpty();
            }
        }
        if (!Postfix.available()) { // the comparison needs root, as in CI
            if (Assumptions.inCi()) fail("CI=true, but Postfix cannot be started here (root and Debian's postfix)");
            return;
        }
        int port = FreePort.next();
        try (Postfix postfix = Postfix.builder().withoutQueueManager().mainCf(HUGE_MINFREE)
                .masterCf("127.0.0.1:" + port + " inet n - n - - smtpd").start()) {
            List<String> theirs = session(port, ops);
            assertThat(ours.subList(1, ours.size())).isEqualTo(theirs.subList(1, theirs.size()));
            assertThat(rejects(postfix.maillogLines("NOQUEUE: reject: "))).containsExactly(
                    "NOQUEUE: reject: MAIL from localhost[127.0.0.1]: 452 4.3.1 Insufficient system storage; proto=ESMTP helo=<client.test>",
                    "NOQUEUE: reject: MAIL from localhost[127.0.0.1]: 452 4.3.1 Insufficient system storage; proto=ESMTP helo=<client.test>");
        }
    }

    /**
     * The queue on a 2 MB tmpfs, message_size_limit = 1000000: MAIL FROM is accepted (2 MB > 1.5 x the limit), then
     * the disk fills before DATA, so the message cannot be written: 451 4.3.0 at its end and no file left; MAIL FROM
     * gets 452 4.3.1 until space is freed, then mail flows again -- the same on each kind of listener.
     */
    @ParameterizedTest
    @ValueSource(strings = {"after-queue", "none", "content-filter"})
    void diskFillingUpMidMessageLeavesNothingAndMailFlowsOnceFreed(String mode) throws Exception {
        Path gwDir = Files.createDirectories(dir.resolve(mode));
        Path spool = mountSmallSpool(gwDir);
        String mainCf = "message_size_limit = 1000000\n";
        try (SmtpSink sink = SmtpSink.builder().dumpMessages().start();
             LogCapture log = LogCapture.of("postern.smtpd");
             GatewayHarness gw = mode.equals("content-filter")
                     ? GatewayHarness.startWithBackend(gwDir, mainCf + "vscan_attachment_checks = no",
                             "vscan_mode=content-filter", "vscan_content_filter_nexthop=[127.0.0.1]:" + sink.port())
                     : GatewayHarness.start(gwDir, mainCf, "vscan_mode=" + mode)) {
            List<String> out = session(gw.port, List.of("--filler", spool.resolve("filler").toString(),
                    "ehlo", "mail:900000", "rcpt", "fill:300000", "data:900000", "rset", "mail-until:452", "rset",
                    "unfill", "mail-until:250", "rcpt", "data:2000", "quit"));
            assertThat(out).as(mode).containsSubsequence("mail:900000 250 2.1.0 Ok",
                    "data:900000 451 4.3.0 Error: queue file write error", "rset 250 2.0.0 Ok",
                    "mail-until:452 452 4.3.1 Insufficient system storage", "rset 250 2.0.0 Ok",
                    "mail-until:250 250 2.1.0 Ok", "rcpt 250 2.1.5 Ok", "quit 221 2.0.0 Bye");
            assertThat(out).as(mode).anyMatch(l -> l.startsWith("data:2000 250 2.0.0 "));
            assertThat(log.lines()).as(mode).anyMatch(l -> l.contains(": queue file write error: "));
            // nothing half-written: no temporary file, and the one message that was accepted is where it belongs
            assertThat(temporaryFiles(spool)).as(mode).isEmpty();
            switch (mode) {
                case "after-queue" -> assertThat(gw.queued(QueueName.INCOMING)).hasSize(1);
                case "none" -> assertThat(gw.queued(QueueName.ACTIVE)).hasSize(1);
                default -> {
                    sink.awaitMessages(1, WAIT);
                    Await.until("the spool empties", WAIT, () -> gw.queued(QueueName.INCOMING).isEmpty()
                            && gw.queued(QueueName.ACTIVE).isEmpty());
                    assertThat(sink.messageCount()).isEqualTo(1);
                }
            }
        }
    }

    /** A 2 MB tmpfs at {@code gwDir}/spool (the harness's queue_directory); unmounted after the test. */
    private Path mountSmallSpool(Path gwDir) throws IOException {
        if (!Assumptions.isRoot()) {
            if (Assumptions.inCi()) fail("CI=true, but mounting a tmpfs for queue_directory needs root");
            org.junit.jupiter.api.Assumptions.abort("mounting a tmpfs for queue_directory needs root");
        }
        Path spool = Files.createDirectories(gwDir.resolve("spool"));
        ExternalCommand.of("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", spool.toString()).run().requireSuccess();
        mounts.add(spool);
        return spool;
    }

    private static List<Path> temporaryFiles(Path spool) throws IOException {
        try (Stream<Path> s = Files.walk(spool)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    /** Runs queue_space.py with {@code ops}; its "OP CODE TEXT" lines. */
    private static List<String> session(int port, List<String> ops) {
        List<String> args = new ArrayList<>(List.of("127.0.0.1", Integer.toString(port)));
        args.addAll(ops);
        CommandResult r = PythonSmtp.resource(SCRIPT).args(args.toArray(String[]::new)).timeout(Duration.ofSeconds(90)).run();
        assertThat(r.exitCode()).as(r.describe()).isZero();
        return r.stdout().lines().toList();
    }

    /** The NOQUEUE reject lines from "NOQUEUE" on, without the syslog prefix. */
    private static List<String> rejects(List<String> log) {
        return log.stream().filter(l -> l.contains("NOQUEUE: reject: "))
                .map(l -> l.substring(l.indexOf("NOQUEUE: reject: "))).toList();
    }
}
