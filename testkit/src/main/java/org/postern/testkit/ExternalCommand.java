// ExternalCommand: runs one external program to completion with a hard timeout, optional stdin and
// environment, and captures its output; the base of Swaks, SmtpSource and PythonSmtp.
// Test support only; no main.cf parameters.
package org.postern.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ExternalCommand.of("postmap", "-q", "x", "inline:{x=y}").timeout(Duration.ofSeconds(5)).run()}.
 * The first word is resolved with {@link Assumptions#requireCommand} (skip, or fail under CI, when
 * missing). A run that outlives its timeout is killed and reported as an AssertionError carrying the
 * output so far. Not thread-safe; one builder per run.
 */
public final class ExternalCommand {
    /** Bytes of output kept at the start and at the end of each stream. */
    private static final int KEEP = 4 * 1024 * 1024;

    private final List<String> command;
    private final Map<String, String> env = new HashMap<>();
    private Duration timeout = Duration.ofSeconds(60);
    private byte[] stdin = new byte[0];
    private boolean mergeStderr;

    private ExternalCommand(List<String> command) {
        if (command.isEmpty()) throw new IllegalArgumentException("empty command");
        this.command = new ArrayList<>(command);
    }

    public static ExternalCommand of(String... command) {
        return new ExternalCommand(List.of(command));
    }

    public static ExternalCommand of(List<String> command) {
        return new ExternalCommand(command);
    }

    public ExternalCommand timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    /** Bytes written to the program's stdin, which is then closed (default: empty, closed at once). */
    public ExternalCommand stdin(byte[] data) {
        this.stdin = data.clone();
        return this;
    }

    public ExternalCommand env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Send stderr into stdout so the output keeps the order in which the program wrote it. */
    public ExternalCommand mergeStderr() {
        this.mergeStderr = true;
        return this;
    }

    public CommandResult run() {
        List<String> cmd = new ArrayList<>(command);
        cmd.set(0, Assumptions.requireCommand(cmd.get(0)).toString());
        long t0 = System.nanoTime();
        RunningProgram p = RunningProgram.start(cmd, env, mergeStderr, KEEP, KEEP, null);
        try {
            Thread feeder = new Thread(() -> p.writeStdinAndClose(stdin), "testkit-stdin");
            feeder.setDaemon(true);
            feeder.start();
            if (!p.waitFor(timeout)) {
                String state = p.describe();
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms (killed): " + state);
            }
            p.drain();
            return new CommandResult(cmd, p.process().exitValue(), p.stdout().text(), p.stderr().text(),
                    Duration.ofNanos(System.nanoTime() - t0));
        } finally {
            p.close();
        }
    }
}
