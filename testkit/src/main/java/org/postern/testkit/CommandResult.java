// CommandResult: what a finished external program (swaks, smtp-source, python3, postmap, ...) left:
// exit code, stdout, stderr, wall time. Test support only; no main.cf parameters.
package org.postern.testkit;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of one run. For programs run with stderr merged into stdout (swaks), {@link #stdout()}
 * holds the ordered transcript and {@link #stderr()} is empty. Output longer than the capture limit
 * keeps its head and tail with a marker in between.
 */
public record CommandResult(List<String> command, int exitCode, String stdout, String stderr, Duration elapsed) {
    public CommandResult {
        command = List.copyOf(command);
    }

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** stdout followed by stderr (for swaks: the full transcript). */
    public String output() {
        return stderr.isEmpty() ? stdout : stdout + (stdout.endsWith("\n") || stdout.isEmpty() ? "" : "\n") + stderr;
    }

    /** Returns this when the exit code is 0, else throws an AssertionError quoting the output. */
    public CommandResult requireSuccess() {
        if (!succeeded()) throw new AssertionError("expected exit code 0 but got " + exitCode + "\n" + describe());
        return this;
    }

    /** Command, exit code, time and output, for failure messages. */
    public String describe() {
        return String.join(" ", command) + "\n  exit code: " + exitCode + ", took " + elapsed.toMillis() + " ms"
                + "\n  output:\n" + output().strip().replace("\r", "\\r");
    }

    @Override
    public String toString() {
        return describe();
    }
}
