// PosternProcess: runs the real `postern` command (the shaded jar, a separate JVM) for the appliance ITs
// and captures its exit code and output. Test support only.
package org.postern.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

final class PosternProcess {
    /** What one postern command did. */
    record Result(int exit, String out, String err) {}

    private PosternProcess() {}

    /** Kills (-9) the daemon a test left running in {@code configDir} (its data/master.pid), if any. */
    static void killLeftover(Path configDir) throws java.io.IOException {
        java.util.OptionalLong pid = new PidFile(configDir.resolve("data/master.pid")).read();
        if (pid.isPresent()) ProcessHandle.of(pid.getAsLong()).ifPresent(ProcessHandle::destroyForcibly);
    }

    /** {@code postern -c configDir args...}, with a small heap, stdin closed. */
    static Result run(Path configDir, String... args) throws Exception {
        return run(configDir, List.of(), args);
    }

    /** As {@link #run(Path, String...)}, with more JVM options (e.g. a test-only -D hook). */
    static Result run(Path configDir, List<String> jvmOptions, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx96m"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", Path.of(System.getProperty("postern.jar", "target/postern.jar")).toString(),
                "-c", configDir.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        String out = readAll(p.getInputStream());
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("postern %s finished", List.of(args)).isTrue();
        return new Result(p.exitValue(), out, err.get());
    }

    private static String readAll(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
