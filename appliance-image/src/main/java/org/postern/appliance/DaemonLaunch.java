// DaemonLaunch: how `postern start` puts the instance in the background -- a second JVM (same
// java binary, JVM options and class path) running `postern run --detached`, in its own session,
// stdin from /dev/null, output appended to $data_directory/postern.out; then waiting until it
// writes master.pid (every listener accepts), dies, or 60 s pass. Governed by data_directory.
package org.postern.appliance;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** One launch of a detached instance. */
final class DaemonLaunch {
    static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final List<String> SETSID = List.of("/usr/bin/setsid", "/bin/setsid");

    /** How the wait ended. */
    enum Outcome { READY, DIED, TIMED_OUT }

    private final Process child;
    private final Path output;
    private final long outputOffset;

    private DaemonLaunch(Process child, Path output, long outputOffset) {
        this.child = child;
        this.output = output;
        this.outputOffset = outputOffset;
    }

    /** Starts the child JVM; it runs in {@code settings.dataDirectory()}. */
    static DaemonLaunch start(InstanceSettings settings) throws IOException {
        Path output = settings.outputFile();
        long offset = Files.exists(output) ? Files.size(output) : 0;
        Process child = new ProcessBuilder(command(settings.configDir()))
                .directory(settings.dataDirectory().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
                .redirectErrorStream(true)
                .start();
        return new DaemonLaunch(child, output, offset);
    }

    /**
     * The child's command line: [setsid] java JVM-OPTIONS -cp CLASSPATH org.postern.appliance.Main
     * run --detached -c DIR. setsid (when installed) detaches it from the terminal, so closing the
     * shell sends it no SIGHUP; it execs in place, so the pid stays the child's.
     */
    static List<String> command(Path configDir) {
        List<String> command = new ArrayList<>();
        SETSID.stream().filter(p -> new File(p).canExecute()).findFirst().ifPresent(command::add);
        command.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions(ManagementFactory.getRuntimeMXBean().getInputArguments()));
        command.add("-cp");
        command.add(absoluteClassPath(System.getProperty("java.class.path")));
        command.add(Main.class.getName());
        command.addAll(List.of("run", "--detached", "-c", configDir.toString()));
        return command;
    }

    /**
     * This JVM's options (those from POSTERN_JAVA_OPTS via the launcher included), minus a
     * debugger agent, whose port the child could not bind a second time.
     */
    static List<String> jvmOptions(List<String> inputArguments) {
        return inputArguments.stream()
                .filter(a -> !a.startsWith("-agentlib:jdwp") && !a.startsWith("-Xrunjdwp"))
                .collect(Collectors.toList());
    }

    /** The child runs in data_directory, so relative class path entries must become absolute. */
    static String absoluteClassPath(String classPath) {
        return Arrays.stream(classPath.split(File.pathSeparator))
                .filter(e -> !e.isEmpty())
                .map(e -> Path.of(e).toAbsolutePath().normalize().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    long pid() {
        return child.pid();
    }

    /** Waits until the child wrote {@code pidFile}, exited, or {@code timeout} passed. */
    Outcome awaitReady(PidFile pidFile, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            OptionalLong written = pidFile.read();
            if (written.isPresent() && written.getAsLong() == child.pid() && child.isAlive()) return Outcome.READY;
            if (child.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS)) return Outcome.DIED;
            if (System.nanoTime() - deadline > 0) return Outcome.TIMED_OUT;
        }
    }

    int exitValue() {
        return child.exitValue();
    }

    /** Ends a child that never became ready: SIGTERM, then SIGKILL after 10 s. */
    void abandon() throws InterruptedException {
        child.destroy();
        if (!child.waitFor(10, TimeUnit.SECONDS)) child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** The last {@code lines} lines the child wrote to postern.out during this launch. */
    String outputTail(int lines) throws IOException {
        if (!Files.exists(output)) return "";
        byte[] written;
        try (InputStream in = Files.newInputStream(output)) {
            in.skipNBytes(Math.min(outputOffset, Files.size(output)));
            written = in.readAllBytes();
        }
        List<String> all = new String(written, StandardCharsets.UTF_8).lines().collect(Collectors.toList());
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    Path output() {
        return output;
    }
}
