// RunningProgram: one child process started by the testkit, its stdout/stderr drained by daemon
// threads into bounded captures, stopped by PID (TERM, then KILL) on close or at JVM exit.
// Test support only; no main.cf parameters.
package org.postern.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/** Package-private engine under SmtpSink and ExternalCommand. */
final class RunningProgram implements AutoCloseable {
    /** Every live child, so a test that forgets close() leaves no daemon behind when the JVM ends. */
    private static final Set<RunningProgram> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (RunningProgram p : LIVE) p.process.destroyForcibly();
        }, "testkit-reaper"));
    }

    private final List<String> command;
    private final Process process;
    private final CapturedOutput stdout;
    private final CapturedOutput stderr;
    private final Thread outPump;
    private final Thread errPump;

    private RunningProgram(List<String> command, Process process, CapturedOutput stdout, CapturedOutput stderr,
                           BiConsumer<byte[], Integer> stdoutListener) {
        this.command = List.copyOf(command);
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
        String name = programName(command);
        this.outPump = pump(process.getInputStream(), stdout, stdoutListener, name + "-stdout");
        this.errPump = pump(process.getErrorStream(), stderr, null, name + "-stderr");
        LIVE.add(this);
    }

    /**
     * Starts {@code command}. {@code mergeStderr} sends stderr into stdout (ordered transcript).
     * {@code stdoutListener} (may be null) sees every chunk read from stdout, on the pump thread.
     */
    static RunningProgram start(List<String> command, Map<String, String> env, boolean mergeStderr,
                                int headLimit, int tailLimit, BiConsumer<byte[], Integer> stdoutListener) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(mergeStderr);
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        return new RunningProgram(command, p, new CapturedOutput(headLimit, tailLimit),
                new CapturedOutput(headLimit, tailLimit), stdoutListener);
    }

    private static Thread pump(InputStream in, CapturedOutput sink, BiConsumer<byte[], Integer> listener, String name) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    sink.write(buf, 0, n);
                    if (listener != null) listener.accept(buf, n);
                }
            } catch (IOException ignored) {
                // the process went away; what was read is kept
            }
        }, "testkit-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    Process process() { return process; }
    List<String> command() { return command; }
    long pid() { return process.pid(); }
    boolean isAlive() { return process.isAlive(); }
    CapturedOutput stdout() { return stdout; }
    CapturedOutput stderr() { return stderr; }

    void writeStdinAndClose(byte[] data) {
        try (var os = process.getOutputStream()) {
            if (data != null) os.write(data);
        } catch (IOException e) {
            // the child closed its stdin early (it does not read it): not our failure to report
        }
    }

    /** Waits up to {@code timeout}; true when the process ended. */
    boolean waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** After the process ended: waits (bounded) until its output is fully read. */
    void drain() {
        try {
            outPump.join(2000);
            errPump.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Command, state and the tail of stdout and stderr: for failure messages. */
    String describe() {
        String state = process.isAlive() ? "running (pid " + process.pid() + ")" : "exited " + process.exitValue();
        return String.join(" ", command) + "\n  state: " + state
                + "\n  stdout (tail): " + indent(stdout.tail(3000))
                + "\n  stderr (tail): " + indent(stderr.tail(3000));
    }

    private static String indent(String s) {
        return s.isEmpty() ? "(empty)" : "\n    " + s.strip().replace("\r", "\\r").replace("\n", "\n    ");
    }

    /** TERM the process and its children, wait up to 5 s, then KILL. Only our own PIDs are signalled. */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                List<ProcessHandle> kids = process.descendants().toList();
                process.destroy();
                kids.forEach(ProcessHandle::destroy);
                if (!waitFor(Duration.ofSeconds(5))) {
                    kids.forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    waitFor(Duration.ofSeconds(5));
                }
            }
            drain();
        } finally {
            LIVE.remove(this);
        }
    }

    private static String programName(List<String> command) {
        String c = command.isEmpty() ? "?" : command.get(0);
        return c.substring(c.lastIndexOf('/') + 1);
    }
}
