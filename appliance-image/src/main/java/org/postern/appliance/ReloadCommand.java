// ReloadCommand: `postern reload`, as `postfix reload`: validates the configuration first (errors
// as file:line, exit 1, nothing signalled), then sends SIGHUP to the running instance and waits for
// its verdict in $data_directory/reload.status: exit 0 when the new snapshot is in force, else 1.
package org.postern.appliance;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;

@Command(name = "reload", description = "Re-read the configuration of the running Postern mail system.")
final class ReloadCommand extends ConfiguredCommand {
    private static final long WAIT_MILLIS = 90_000;

    @Override
    public Integer call() throws Exception {
        InstanceSettings settings = InstanceSettings.of(loadConfig(true)); // a bad file stops here
        Optional<ProcessHandle> running = pidFile(settings).liveProcess();
        if (running.isEmpty()) throw new Fatal("the Postern mail system is not running");
        Path status = ReloadSignal.statusFile(settings);
        String before = read(status);
        // Watch before signalling, so the daemon's answer (an atomic rename into place) cannot be missed.
        try (WatchService watch = status.getFileSystem().newWatchService()) {
            status.getParent().register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(running.get().pid()))
                    .redirectErrorStream(true).start();
            if (kill.waitFor() != 0) throw new Fatal("cannot signal PID " + running.get().pid());
            main.out().println(Main.SCRIPT + "refreshing the Postern mail system");
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
            for (String now = read(status); now.equals(before); now = read(status)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new Fatal("no answer to the reload from PID " + running.get().pid());
                WatchKey key = watch.poll(left, TimeUnit.NANOSECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        }
        String now = read(status);
        String outcome = now.substring(now.indexOf(' ') + 1).strip();
        if (outcome.equals("ok")) return Main.OK;
        throw new Fatal("reload " + outcome + " -- the previous configuration stays in force");
    }

    private static String read(Path p) throws java.io.IOException {
        return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    }
}
