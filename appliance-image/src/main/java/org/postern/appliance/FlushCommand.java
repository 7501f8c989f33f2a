// FlushCommand: `postern flush`, Postfix's postqueue -f: every deferred message is tried now. Needs the
// running gateway (the queue manager does the delivering). Governed by queue_directory.
package org.postern.appliance;

import java.util.Optional;
import picocli.CommandLine.Command;

@Command(name = "flush", description = "Attempt to deliver every deferred message now (postqueue -f).")
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
