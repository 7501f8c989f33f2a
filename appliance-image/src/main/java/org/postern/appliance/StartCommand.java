// StartCommand: `postern start`, as `postfix start`: validates main.cf/master.cf (errors: nothing
// starts), refuses if an instance already runs, then starts one in the background and returns
// once it accepts mail. Governed by -c DIR and data_directory (master.pid, postern.out).
package org.postern.appliance;

import picocli.CommandLine.Command;

@Command(name = "start", description = "Check the configuration and start the Postern mail system in the background.")
final class StartCommand extends ConfiguredCommand {
    private static final int TAIL_LINES = 30;

    @Override
    public Integer call() throws Exception {
        InstanceSettings settings = InstanceSettings.of(loadConfig(true));
        createDataDirectory(settings);
        PidFile pidFile = pidFile(settings);
        if (pidFile.liveProcess().isPresent()) throw new Fatal("the Postern mail system is already running");
        if (pidFile.isStale()) pidFile.remove();

        main.out().println(Main.SCRIPT + "starting the Postern mail system");
        main.out().flush();
        DaemonLaunch launch = DaemonLaunch.start(settings);
        switch (launch.awaitReady(pidFile, DaemonLaunch.READY_TIMEOUT)) {
            case READY:
                return Main.OK;
            case DIED:
                main.err().println(launch.outputTail(TAIL_LINES));
                throw new Fatal("the Postern mail system did not start (exit status " + launch.exitValue()
                        + "); its output is in " + launch.output());
            default:
                launch.abandon();
                main.err().println(launch.outputTail(TAIL_LINES));
                throw new Fatal("the Postern mail system was not ready after "
                        + DaemonLaunch.READY_TIMEOUT.toSeconds() + " s and was stopped; its output is in "
                        + launch.output());
        }
    }
}
