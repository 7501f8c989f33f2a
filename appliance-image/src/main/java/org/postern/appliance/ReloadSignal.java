// ReloadSignal: the running instance's side of `postern reload` -- on SIGHUP it loads main.cf and
// master.cf anew and makes the snapshot current (Gateway.reload); a bad file or a failing listener
// keeps the old snapshot. The outcome goes to the mail log and to $data_directory/reload.status.
package org.postern.appliance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.postern.gateway.Gateway;
import org.postern.policies.conf.Config;
import org.postern.policies.conf.ConfigException;
import org.slf4j.Logger;
import sun.misc.Signal;
import sun.misc.SignalHandler;

final class ReloadSignal {
    private static final Duration RELOAD_TIMEOUT = Duration.ofSeconds(60);
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final Path configDir;
    private final Path statusFile;
    private final Gateway gateway;
    private final Logger master;

    private ReloadSignal(Path configDir, Path statusFile, Gateway gateway, Logger master) {
        this.configDir = configDir;
        this.statusFile = statusFile;
        this.gateway = gateway;
        this.master = master;
    }

    /** The file `postern reload` watches: one line, "TOKEN ok" or "TOKEN failed: why". */
    static Path statusFile(InstanceSettings settings) {
        return settings.dataDirectory().resolve("reload.status");
    }

    static void install(Path configDir, Path statusFile, Gateway gateway, Logger master) {
        ReloadSignal r = new ReloadSignal(configDir, statusFile, gateway, master);
        // sun.misc.Signal runs the handler on its own thread: loading files there blocks no event loop.
        SignalHandler before = Signal.handle(new Signal("HUP"), sig -> r.reload());
        if (before == SignalHandler.SIG_IGN) { // the JVM keeps a signal ignored at its start (nohup) ignored
            master.warn("SIGHUP is ignored by this process (started under nohup?): postern reload cannot reach it;"
                    + " restart it without nohup");
        }
    }

    synchronized void reload() {
        String outcome;
        try {
            Config config = Config.load(configDir);
            config.warnings().forEach(w -> master.warn("{}: {}", w.origin(), w.message()));
            RunCommand.await(gateway.reload(config), RELOAD_TIMEOUT);
            master.info("reload -- version {}, configuration {}", Main.Version.current(), configDir);
            outcome = "ok";
        } catch (ConfigException e) {
            e.diagnostics().forEach(d -> master.warn("{}", d));
            outcome = "failed: " + e.getMessage().replace('\n', ' ');
            master.warn("reload failed: errors in the configuration; keeping the previous configuration");
        } catch (ExecutionException e) {
            outcome = "failed: " + e.getCause().getMessage();
            master.warn("reload failed: {}; keeping the previous configuration", e.getCause().getMessage());
        } catch (Exception e) {
            outcome = "failed: " + e;
            master.warn("reload failed: {}; keeping the previous configuration", e.toString());
        }
        writeStatus(System.currentTimeMillis() + "-" + SEQUENCE.incrementAndGet() + " " + outcome);
    }

    private void writeStatus(String line) {
        try {
            Path tmp = statusFile.resolveSibling(statusFile.getFileName() + ".tmp");
            Files.writeString(tmp, line + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, statusFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            master.warn("cannot write {}: {}", statusFile, e.getMessage());
        }
    }
}
