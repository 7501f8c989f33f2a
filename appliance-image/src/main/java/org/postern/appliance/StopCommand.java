// StopCommand: `postern stop`, as `postfix stop`: sends SIGTERM to the running instance and waits
// until it has exited (the instance lets SMTP sessions finish for up to smtpd_shutdown_timeout).
// Governed by data_directory (master.pid) and smtpd_shutdown_timeout (+15 s to close down).
package org.postern.appliance;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;

@Command(name = "stop", description = "Stop the Postern mail system, letting SMTP sessions finish.")
final class StopCommand extends ConfiguredCommand {
    /** Time the instance gets beyond smtpd_shutdown_timeout to close queues and exit. */
    static final Duration EXIT_ALLOWANCE = Duration.ofSeconds(15);
    private static final long POLL_MILLIS = 50;

    @Override
    public Integer call() throws Exception {
        InstanceSettings settings = InstanceSettings.of(loadConfig(false));
        PidFile pidFile = pidFile(settings);
        Optional<ProcessHandle> running = pidFile.liveProcess();
        if (running.isEmpty()) {
            if (pidFile.isStale()) pidFile.remove();
            throw new Fatal("the Postern mail system is not running");
        }
        ProcessHandle process = running.get();
        main.out().println(Main.SCRIPT + "stopping the Postern mail system");
        main.out().flush();
        if (!process.destroy() && process.isAlive()) {
            throw new Fatal("cannot send SIGTERM to process " + process.pid() + " (not permitted?)");
        }
        Duration patience = settings.shutdownTimeout().plus(EXIT_ALLOWANCE);
        if (!awaitExit(process, patience)) {
            throw new Fatal("the Postern mail system (PID " + process.pid() + ") did not stop within "
                    + patience.toSeconds() + " s; see the mail log");
        }
        pidFile.removeIfOwnedBy(process.pid()); // normally the instance removed it itself
        return Main.OK;
    }

    /**
     * Polls every 50 ms: the instance is not our child, so ProcessHandle.onExit() would only poll
     * too (with growing pauses), and would wait for init to reap the zombie besides.
     */
    static boolean awaitExit(ProcessHandle process, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (PidFile.running(process)) {
            if (System.nanoTime() - deadline > 0) return false;
            TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
        }
        return true;
    }
}
