// FlushCommand: `postern flush`, Postfix's postqueue -f: every deferred message, and every message vscan
// could not scan yet, is tried now. Needs the running gateway (qmgr and vscan do the work). Governed by
// queue_directory.
package org.postern.appliance;

import java.util.Optional;
import picocli.CommandLine.Command;

@Command(name = "flush", description = "Attempt to deliver every deferred message, and to scan mail waiting for a scanner, now (postqueue -f).")
final class FlushCommand extends ConfiguredCommand {
    @Override
    public Integer call() throws Exception {
        InstanceSettings settings = InstanceSettings.of(loadConfig(false));
        Optional<ControlClient.Answer> answer = ControlClient.ask(settings.queueDirectory(), "flush");
        if (answer.isEmpty()) {
            main.err().println("postern/flush: fatal: the Postern mail system is not running");
            return Main.FAILURE;
        }
        answer.get().lines().forEach(l -> main.err().println("postern/flush: " + l));
        return answer.get().ok() ? Main.OK : Main.FAILURE;
    }
}
