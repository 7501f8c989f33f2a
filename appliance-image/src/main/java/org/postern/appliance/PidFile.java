// PidFile: $data_directory/master.pid, the process id of the running instance. `postern run`
// writes it once every listener accepts (so its appearance is the readiness signal `postern
// start` waits for) and removes it on shutdown; start/stop/status read it. Governed by data_directory.
package org.postern.appliance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/** One pid file. All methods are blocking file I/O; call them from the command thread only. */
record PidFile(Path path) {

    /** The pid written in the file; empty when there is no file or it holds no number. */
    OptionalLong read() throws IOException {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        }
        try {
            long pid = Long.parseLong(text);
            return pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * The running instance: the process named in the file, if it is alive and looks like a
     * Postern JVM (guards against a stale file whose pid now belongs to another program).
     */
    Optional<ProcessHandle> liveProcess() throws IOException {
        OptionalLong pid = read();
        if (pid.isEmpty()) return Optional.empty();
        return ProcessHandle.of(pid.getAsLong()).filter(PidFile::running).filter(PidFile::looksLikePostern);
    }

    /**
     * Alive and not a zombie. An instance started by `postern start` outlives its parent, so once
     * it exits nobody but init reaps it, and until then ProcessHandle.isAlive() still says true.
     */
    static boolean running(ProcessHandle process) {
        if (!process.isAlive()) return false;
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"), StandardCharsets.US_ASCII);
            int endOfName = stat.lastIndexOf(')'); // "pid (comm) STATE ..."; comm may hold spaces and ')'
            return endOfName < 0 || endOfName + 2 >= stat.length() || stat.charAt(endOfName + 2) != 'Z';
        } catch (IOException e) {
            return process.isAlive(); // no /proc (not Linux), or it just went away
        }
    }

    /** True when a file exists but names no live Postern process. */
    boolean isStale() throws IOException {
        return Files.exists(path) && liveProcess().isEmpty();
    }

    /** Writes {@code pid} atomically (temporary file, then rename), so readers never see half a number. */
    void write(long pid) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        Files.writeString(tmp, pid + "\n", StandardCharsets.US_ASCII);
        try {
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    void remove() throws IOException {
        Files.deleteIfExists(path);
    }

    /** Removes the file only if it still names {@code pid} (a newer instance may have replaced it). */
    void removeIfOwnedBy(long pid) throws IOException {
        OptionalLong current = read();
        if (current.isPresent() && current.getAsLong() == pid) remove();
    }

    private static boolean looksLikePostern(ProcessHandle process) {
        // Another user's process may hide its command line: then trust the pid, as kill -0 would.
        return process.info().commandLine()
                .map(line -> line.toLowerCase(Locale.ROOT).contains("postern"))
                .orElse(true);
    }
}
