// PosternCommandIT: the shaded postern.jar run as a real process, as a postmaster runs it:
// start/status/stop, a configuration error, start twice, mailq, passwd from stdin, `run` under
// SIGTERM. Needs `mvn verify` (the jar comes from `package`; its path from -Dpostern.jar).
package org.postern.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PosternCommandIT {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);
    private static final String SCRIPT = "postern/postern-script: ";

    @TempDir
    Path config;

    private int port;

    /** What one postern command did. */
    record Result(int exit, String out, String err) {}

    @BeforeEach
    void writeConfig() throws IOException {
        port = freePort();
        Files.writeString(config.resolve("main.cf"), String.join("\n",
                "# PosternCommandIT",
                "queue_directory = $config_directory/spool",
                "data_directory = $config_directory/data",
                "maillog_file = $config_directory/maillog",
                "myhostname = it.example.test",
                "mynetworks = 127.0.0.0/8",
                "relay_domains = example.test",
                "smtpd_sasl_auth_enable = yes",
                "smtpd_sasl_password_file = $config_directory/sasl_passwd",
                "smtpd_shutdown_timeout = 5s",
                ""));
        Files.writeString(config.resolve("master.cf"),
                "127.0.0.1:" + port + " inet n - n - - smtpd\n");
    }

    @AfterEach
    void stopLeftovers() throws IOException {
        PosternProcess.killLeftover(config);
    }

    @Test
    void configErrorStartsNothing() throws Exception {
        Files.writeString(config.resolve("main.cf"), "this line has no equals sign\n", java.nio.file.StandardOpenOption.APPEND);
        int badLine = Files.readAllLines(config.resolve("main.cf")).size();

        Result start = postern("", "-c", config.toString(), "start");

        assertThat(start.exit()).isEqualTo(1);
        assertThat(start.err()).contains("main.cf:" + badLine + ":").doesNotContain("\tat ");
        assertThat(start.out()).doesNotContain("starting");
        assertThat(config.resolve("data")).doesNotExist();
        assertThat(accepts(port)).isFalse();
    }

    @Test
    void startStatusStop() throws Exception {
        Result start = postern("", "-c", config.toString(), "start");
        assertThat(start.exit()).as(start.toString()).isZero();
        assertThat(start.out()).contains(SCRIPT + "starting the Postern mail system");
        long pid = new PidFile(config.resolve("data/master.pid")).read().orElseThrow();
        assertThat(accepts(port)).as("listener on " + port + " once start returned").isTrue();

        Result status = postern("", "status", "-c", config.toString());
        assertThat(status.exit()).isZero();
        assertThat(status.out().strip()).isEqualTo(SCRIPT + "the Postern mail system is running: PID: " + pid);

        // a real client (Python's smtplib, SMTPUTF8) tries to disguise its address with a right-to-left override
        Process client = new ProcessBuilder("python3", "-c", String.join("\n",
                "import smtplib, sys",
                "s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), local_hostname='client.test')",
                "try:",
                "    s.sendmail('evil\u202egpj.exe@client.test', ['nosuchuser@it.example.test'], b'Subject: x\\r\\n\\r\\nx\\r\\n',",
                "               mail_options=['SMTPUTF8'])",
                "except smtplib.SMTPRecipientsRefused as e:",
                "    print(e.recipients)"), String.valueOf(port)).redirectErrorStream(true).start();
        String said = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(client.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(said).as("unknown local recipient").contains("550");

        Result mailq = postern("", "-c", config.toString(), "mailq");
        assertThat(mailq.exit()).as(mailq.toString()).isZero();
        assertThat(mailq.out()).contains("Mail queue is empty");

        Result stop = postern("", "-c", config.toString(), "stop");
        assertThat(stop.exit()).as(stop.toString()).isZero();
        assertThat(stop.out()).contains(SCRIPT + "stopping the Postern mail system");
        assertThat(ProcessHandle.of(pid).filter(PidFile::running)).isEmpty(); // gone, or a zombie init has yet to reap
        assertThat(config.resolve("data/master.pid")).doesNotExist();
        assertThat(accepts(port)).isFalse();

        Result after = postern("", "-c", config.toString(), "status");
        assertThat(after.exit()).isEqualTo(1);
        assertThat(after.out().strip()).isEqualTo(SCRIPT + "the Postern mail system is not running");

        List<String> maillog = Files.readAllLines(config.resolve("maillog"));
        assertThat(maillog).anySatisfy(l -> assertThat(l).matches(
                "[A-Z][a-z]{2} [ 1-3][0-9] \\d\\d:\\d\\d:\\d\\d it postern/master\\[" + pid + "\\]: daemon started .*"));
        assertThat(maillog).anySatisfy(l -> assertThat(l).contains("User unknown in local recipient table; from=<evil?gpj.exe@client.test>"));
        assertThat(maillog).noneMatch(l -> l.contains("\u202e"));
    }

    @Test
    void startTwiceFailsTheSecondTime() throws Exception {
        assertThat(postern("", "-c", config.toString(), "start").exit()).isZero();
        long pid = new PidFile(config.resolve("data/master.pid")).read().orElseThrow();

        Result again = postern("", "-c", config.toString(), "start");

        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err().strip()).isEqualTo(SCRIPT + "fatal: the Postern mail system is already running");
        assertThat(new PidFile(config.resolve("data/master.pid")).read()).hasValue(pid);
        assertThat(postern("", "-c", config.toString(), "stop").exit()).isZero();
    }

    @Test
    void stopWhenNotRunningFailsAndClearsAStalePidFile() throws Exception {
        Result stop = postern("", "-c", config.toString(), "stop");
        assertThat(stop.exit()).isEqualTo(1);
        assertThat(stop.err().strip()).isEqualTo(SCRIPT + "fatal: the Postern mail system is not running");

        Process dead = new ProcessBuilder("true").start();
        dead.waitFor(10, TimeUnit.SECONDS);
        Files.createDirectories(config.resolve("data"));
        new PidFile(config.resolve("data/master.pid")).write(dead.pid());
        assertThat(postern("", "-c", config.toString(), "status").exit()).isEqualTo(1);
        assertThat(postern("", "-c", config.toString(), "stop").exit()).isEqualTo(1);
        assertThat(config.resolve("data/master.pid")).doesNotExist();
    }

    @Test
    void mailqOnAnEmptyQueue() throws Exception {
        Files.createDirectories(config.resolve("spool"));
        Result mailq = postern("", "-c", config.toString(), "mailq");
        assertThat(mailq.exit()).as(mailq.toString()).isZero();
        assertThat(mailq.out().strip()).isEqualTo("Mail queue is empty");
    }

    @Test
    void passwdReadsStdinAndWritesTheFile() throws Exception {
        Result passwd = postern("s3cret-Pw\n", "-c", config.toString(), "passwd", "alice");
        assertThat(passwd.exit()).as(passwd.toString()).isZero();

        Path file = config.resolve("sasl_passwd");
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("alice:"));
        assertThat(Files.readString(file)).doesNotContain("s3cret-Pw");
        assertThat(Files.getPosixFilePermissions(file))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

        Result empty = postern("\n", "-c", config.toString(), "passwd", "bob");
        assertThat(empty.exit()).isEqualTo(1);
        assertThat(empty.err()).contains("empty password refused");
        assertThat(Files.readString(file)).doesNotContain("bob:");
    }

    @Test
    void runInTheForegroundStopsCleanlyOnSigterm() throws Exception {
        Process run = command("-c", config.toString(), "run").redirectErrorStream(true).start();
        run.getOutputStream().close();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(run.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            List<String> seen = new ArrayList<>();
            while ((line = out.readLine()) != null && !line.contains("daemon started")) seen.add(line);
            assertThat(line).as("output until exit: %s", seen).isNotNull()
                    .matches(".* it postern/master\\[" + run.pid() + "\\]: daemon started -- .*");
            assertThat(new PidFile(config.resolve("data/master.pid")).read()).hasValue(run.pid());
            assertThat(accepts(port)).isTrue();

            run.destroy(); // SIGTERM
            assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(run.exitValue()).isZero();
        assertThat(config.resolve("data/master.pid")).doesNotExist();
        assertThat(Files.readString(config.resolve("maillog"))).contains("daemon stopped");
    }

    @Test
    void usageErrorExitsTwo() throws Exception {
        Result r = postern("", "-c", config.toString(), "restart");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("restart");
    }

    @Test
    void shippedQuickStartConfigurationLoads() throws Exception {
        Path local = Path.of(System.getProperty("postern.local", "../local"));
        assertThat(local.resolve("main.cf")).exists();
        // status loads and validates main.cf + master.cf but starts nothing
        Result status = postern("", "-c", local.toString(), "status");
        assertThat(status.err()).isEmpty();
        assertThat(status.out()).contains("the Postern mail system is");
    }

    private Result postern(String stdin, String... args) throws Exception {
        Process p = command(args).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        // both streams are small; read them concurrently anyway so neither can fill up and block
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        String out = readAll(p.getInputStream());
        assertThat(p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("postern %s finished", List.of(args)).isTrue();
        return new Result(p.exitValue(), out, err.get());
    }

    private static ProcessBuilder command(String... args) {
        Path jar = Path.of(System.getProperty("postern.jar", "target/postern.jar"));
        assertThat(jar).as("shaded jar (mvn package)").exists();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx96m", "-jar", jar.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    private static String readAll(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
