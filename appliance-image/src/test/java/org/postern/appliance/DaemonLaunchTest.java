// DaemonLaunchTest: the background instance is this JVM's twin -- same java, same JVM options
// (minus a debugger agent), same class path made absolute -- running `run --detached -c DIR`.
package org.postern.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DaemonLaunchTest {
    @Test
    void childRunsTheInstanceDetachedWithTheAbsoluteConfigDir() {
        List<String> command = DaemonLaunch.command(Path.of("/etc/postern-test"));
        assertThat(command.subList(command.size() - 5, command.size()))
                .containsExactly(Main.class.getName(), "run", "--detached", "-c", "/etc/postern-test");
        int cp = command.indexOf("-cp");
        assertThat(cp).isPositive();
        assertThat(command.get(cp + 1).split(File.pathSeparator)).allSatisfy(e -> assertThat(Path.of(e)).isAbsolute());
        String java = ProcessHandle.current().info().command().orElseThrow();
        assertThat(command).contains(java);
    }

    @Test
    void jvmOptionsArePassedOnExceptADebuggerAgent() {
        assertThat(DaemonLaunch.jvmOptions(List.of("-Xmx96m", "-Dpostern.x=1",
                "-agentlib:jdwp=transport=dt_socket,server=y,address=5005", "-Xrunjdwp:transport=dt_socket",
                "-XX:+UseSerialGC")))
                .containsExactly("-Xmx96m", "-Dpostern.x=1", "-XX:+UseSerialGC");
    }

    @Test
    void relativeClassPathEntriesBecomeAbsolute() {
        String cwd = Path.of("").toAbsolutePath().toString();
        assertThat(DaemonLaunch.absoluteClassPath("target/postern.jar" + File.pathSeparator + "/opt/lib/x.jar"
                + File.pathSeparator))
                .isEqualTo(cwd + "/target/postern.jar" + File.pathSeparator + "/opt/lib/x.jar");
    }
}
