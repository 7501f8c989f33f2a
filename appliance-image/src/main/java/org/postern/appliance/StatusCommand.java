// StatusCommand: `postern status`, as `postfix status`: says whether the instance of this
// configuration directory is running (exit 0, with its PID) or not (exit 1).
// Governed by data_directory (master.pid).
package org.postern.appliance;

import java.util.Optional;
import picocli.CommandLine.Command;

@Command(name = "status", description = "Report whether the Postern mail system is running.")
final class StatusCommand extends ConfiguredCommand {
    @Override
    public Integer call() throws Exception {
        InstanceSettings settings = InstanceSettings.of(loadConfig(false));
        Optional<ProcessHandle> running = pidFile(settings).liveProcess();
        if (running.isPresent()) {
            main.out().println(Main.SCRIPT + "the Postern mail system is running: PID: " + running.get().pid());
            return Main.OK;
        }
        main.out().println(Main.SCRIPT + "the Postern mail system is not running");
        return Main.FAILURE;
    }
}
