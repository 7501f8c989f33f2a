// PidFileTest: master.pid is written atomically, read back, and a file naming a dead process or
// a process that is not Postern counts as stale (not running).
package org.postern.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PidFileTest {
    @TempDir
    Path dir;

    @Test
    void missingOrGarbledFileMeansNoPid() throws Exception {
        PidFile pidFile = new PidFile(dir.resolve("master.pid"));
        assertThat(pidFile.read()).isEmpty();
        assertThat(pidFile.liveProcess()).isEmpty();
        assertThat(pidFile.isStale()).isFalse();
        Files.writeString(pidFile.path(), "not a number\n");
        assertThat(pidFile.read()).isEmpty();
        assertThat(pidFile.isStale()).isTrue();
        Files.writeString(pidFile.path(), "-5\n");
        assertThat(pidFile.read()).isEmpty();
    }

    @Test
    void writesAndReadsAPid() throws Exception {
        PidFile pidFile = new PidFile(dir.resolve("master.pid"));
        pidFile.write(4242);
        assertThat(Files.readString(pidFile.path())).isEqualTo("4242\n");
        assertThat(pidFile.read()).isEqualTo(OptionalLong.of(4242));
        assertThat(dir.resolve("master.pid.tmp")).doesNotExist();
        Files.writeString(pidFile.path(), "  17 \n"); // Postfix pads its pid files
        assertThat(pidFile.read()).isEqualTo(OptionalLong.of(17));
    }

    @Test
    void aDeadProcessIsStale() throws Exception {
        Process dead = new ProcessBuilder("true").start();
        assertThat(dead.waitFor(10, TimeUnit.SECONDS)).isTrue();
        PidFile pidFile = new PidFile(dir.resolve("master.pid"));
        pidFile.write(dead.pid());
        assertThat(pidFile.liveProcess()).isEmpty();
        assertThat(pidFile.isStale()).isTrue();
    }

    @Test
    void aLiveProcessCountsOnlyIfItIsPostern() throws Exception {
        Process other = new ProcessBuilder("sleep", "30").start();
        Process postern = new ProcessBuilder("sh", "-c", "sleep 30; exit 0", "postern-instance").start();
        try {
            PidFile pidFile = new PidFile(dir.resolve("master.pid"));
            pidFile.write(other.pid());
            assertThat(pidFile.liveProcess()).isEmpty();
            assertThat(pidFile.isStale()).isTrue();
            pidFile.write(postern.pid());
            assertThat(pidFile.liveProcess()).map(ProcessHandle::pid).hasValue(postern.pid());
            assertThat(pidFile.isStale()).isFalse();
        } finally {
            other.destroyForcibly();
            postern.destroyForcibly();
        }
    }

    @Test
    void aZombieIsNotRunning() throws Exception {
        // sh forks `true`, then execs into sleep, which never reaps it: once `true` exits it stays
        // a zombie -- the state of a stopped instance whose parent (postern start) is long gone.
        Process parent = new ProcessBuilder("sh", "-c", "true & exec sleep 30").start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            ProcessHandle child = null;
            while (child == null || !procState(child).equals("Z")) {
                assertThat(System.nanoTime() - deadline).as("child became a zombie").isNegative();
                child = parent.toHandle().children().findFirst().orElse(null);
                Thread.onSpinWait();
            }
            assertThat(child.isAlive()).as("the JDK still calls a zombie alive").isTrue();
            assertThat(PidFile.running(child)).isFalse();
            assertThat(PidFile.running(parent.toHandle())).isTrue();
        } finally {
            parent.destroyForcibly();
        }
    }

    private static String procState(ProcessHandle p) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    @Test
    void removeIfOwnedByKeepsAnotherInstancesFile() throws Exception {
        PidFile pidFile = new PidFile(dir.resolve("master.pid"));
        pidFile.write(100);
        pidFile.removeIfOwnedBy(200);
        assertThat(pidFile.path()).exists();
        pidFile.removeIfOwnedBy(100);
        assertThat(pidFile.path()).doesNotExist();
        pidFile.removeIfOwnedBy(100); // already gone: fine
    }
}
