// Main: the `postern` command, modelled on postfix(1): `postern [-c DIR] start|run|stop|status|
// mailq|passwd`. Parses arguments (picocli), runs the subcommand, turns expected failures into one
// Postfix-style line on stderr and an exit status: 0 ok, 1 failure, 2 usage error.
// Governed by -c/--config-dir (default /etc/postern), which every subcommand accepts.
package org.postern.appliance;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.Diagnostic;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The top-level command; subcommands reach the shared options through {@code @ParentCommand}. */
@Command(
        name = "postern",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        synopsisSubcommandLabel = "COMMAND",
        description = "Control the Postern mail gateway.",
        subcommands = {
            StartCommand.class,
            RunCommand.class,
            StopCommand.class,
            StatusCommand.class,
            ReloadCommand.class,
            CheckCommand.class,
            ConfigCommand.class,
            MapCommand.class,
            MailqCommand.class,
            FlushCommand.class,
            QueueCommand.class,
            CatCommand.class,
            QuarantineCommand.class,
            PasswdCommand.class
        })
public final class Main implements Callable<Integer> {
    /** Prefix of every message about the mail system as a whole, as postfix-script has it. */
    static final String SCRIPT = "postern/postern-script: ";
    static final int OK = 0;
    static final int FAILURE = 1;
    static final int USAGE = 2;
    /** Not done yet, will be (sysexits EX_TEMPFAIL): a quarantine release still in progress. */
    static final int TEMPFAIL = 75;

    @Option(
            names = {"-c", "--config-dir"},
            paramLabel = "DIR",
            scope = ScopeType.INHERIT,
            defaultValue = "/etc/postern",
            description = "Configuration directory holding main.cf and master.cf (default: ${DEFAULT-VALUE}).")
    Path configDir;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs one command line and returns its exit status; {@code out}/{@code err} receive all output. */
    static int execute(PrintWriter out, PrintWriter err, String... args) {
        return commandLine(out, err).execute(args);
    }

    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExitCodeExceptionMapper(e -> FAILURE);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> report(e, commandLine.getErr()));
        cli.setParameterExceptionHandler((e, parseResult) -> {
            PrintWriter w = e.getCommandLine().getErr();
            w.println("postern: fatal: " + e.getMessage());
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, w)) e.getCommandLine().usage(w);
            return USAGE;
        });
        return cli;
    }

    /** `postern` alone: usage, as `postfix` alone does. */
    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        err.println("postern: fatal: usage: postern [-c DIR] COMMAND");
        spec.commandLine().usage(err);
        return USAGE;
    }

    /** The absolute configuration directory, as $config_directory expands. */
    Path configDirectory() {
        return configDir.toAbsolutePath().normalize();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Expected failures: one line each, no stack trace. Anything else is a bug: show the trace. */
    private static int report(Exception e, PrintWriter err) {
        if (e instanceof ConfigException c) {
            if (c.diagnostics().isEmpty()) err.println(c.getMessage());
            for (Diagnostic d : c.diagnostics()) err.println(d);
            err.println(SCRIPT + "fatal: errors in the configuration; nothing was done");
        } else if (e instanceof Fatal) {
            err.println(SCRIPT + "fatal: " + e.getMessage());
        } else if (e instanceof IOException io) {
            err.println(SCRIPT + "fatal: " + describe(io));
        } else if (e instanceof UnsupportedOperationException) {
            err.println(SCRIPT + "fatal: not available in this build: " + e.getMessage());
        } else {
            err.println(SCRIPT + "fatal: internal error: " + e);
            e.printStackTrace(err);
        }
        err.flush();
        return FAILURE;
    }

    /** "open /x/y: No such file or directory", not "java.nio.file.NoSuchFileException: /x/y". */
    static String describe(IOException e) {
        if (e instanceof NoSuchFileException n) return n.getFile() + ": No such file or directory";
        if (e instanceof AccessDeniedException a) return a.getFile() + ": Permission denied";
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    /** Version from the jar manifest (Implementation-Version), "development build" otherwise. */
    static final class Version implements CommandLine.IVersionProvider {
        static String current() {
            String v = Main.class.getPackage().getImplementationVersion();
            return v != null ? v : "development build";
        }

        @Override
        public String[] getVersion() {
            return new String[] {"postern " + current()};
        }
    }
}
