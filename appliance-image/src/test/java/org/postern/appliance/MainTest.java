// MainTest: the postern command line -- -c before or after the subcommand, the default
// /etc/postern, and exit status 2 with a message for usage errors.
package org.postern.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

class MainTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private CommandLine cli() {
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true));
    }

    private int run(String... args) {
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void configDirDefaultsToEtcPostern() {
        CommandLine cli = cli();
        ParseResult parsed = cli.parseArgs("status");
        assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("status");
        assertThat(((Main) cli.getCommand()).configDir).isEqualTo(Path.of("/etc/postern"));
    }

    @Test
    void configDirBeforeTheSubcommand() {
        CommandLine cli = cli();
        ParseResult parsed = cli.parseArgs("-c", "local", "start");
        assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("start");
        assertThat(((Main) cli.getCommand()).configDir).isEqualTo(Path.of("local"));
    }

    @Test
    void configDirAfterTheSubcommand() {
        for (String[] args : new String[][] {{"start", "-c", "local"}, {"stop", "--config-dir", "local"},
                {"passwd", "-c", "local", "alice"}, {"passwd", "alice", "--config-dir=local"}}) {
            CommandLine cli = cli();
            cli.parseArgs(args);
            assertThat(((Main) cli.getCommand()).configDir).as(String.join(" ", args)).isEqualTo(Path.of("local"));
        }
    }

    @Test
    void configDirIsMadeAbsolute() {
        CommandLine cli = cli();
        cli.parseArgs("-c", "local/../local", "status");
        assertThat(((Main) cli.getCommand()).configDirectory())
                .isEqualTo(Path.of("local").toAbsolutePath().normalize())
                .isAbsolute();
    }

    @Test
    void passwdTakesTheUserName() {
        CommandLine cli = cli();
        ParseResult parsed = cli.parseArgs("passwd", "alice");
        PasswdCommand passwd = (PasswdCommand) parsed.subcommand().commandSpec().userObject();
        assertThat(passwd.user).isEqualTo("alice");
    }

    @Test
    void runHasAHiddenDetachedFlag() {
        CommandLine cli = cli();
        ParseResult parsed = cli.parseArgs("run", "--detached", "-c", "/x");
        assertThat(((RunCommand) parsed.subcommand().commandSpec().userObject()).detached).isTrue();
        cli.getSubcommands().get("run").usage(new PrintWriter(out, true));
        assertThat(out.toString()).doesNotContain("--detached");
    }

    @Test
    void noCommandIsAUsageError() {
        assertThat(run()).isEqualTo(Main.USAGE);
        assertThat(err.toString()).startsWith("postern: fatal: usage: postern [-c DIR] COMMAND").contains("start", "stop");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void unknownCommandIsAUsageError() {
        assertThat(run("-c", "/x", "restart")).isEqualTo(Main.USAGE);
        assertThat(err.toString()).startsWith("postern: fatal: ").contains("restart");
    }

    @Test
    void missingUserIsAUsageError() {
        assertThat(run("passwd")).isEqualTo(Main.USAGE);
        assertThat(err.toString()).contains("Missing required parameter: 'USER'").contains("Usage: postern passwd");
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertThat(run("status", "--frobnicate")).isEqualTo(Main.USAGE);
        assertThat(err.toString()).contains("--frobnicate");
    }

    @Test
    void helpAndVersionSucceed() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("Usage: postern", "-c, --config-dir=DIR", "mailq", "passwd");
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).contains("postern ");
    }

    @Test
    void missingConfigDirectoryFailsWithoutAStackTrace(@TempDir Path tmp) {
        Path missing = tmp.resolve("nowhere");
        assertThat(run("-c", missing.toString(), "status")).isEqualTo(Main.FAILURE);
        assertThat(err.toString().strip()).isEqualTo(
                "postern/postern-script: fatal: configuration directory " + missing + ": No such directory");
    }
}
