// ConfigLifecycleIT: the configuration life cycle through the real postern.jar -- config -n/-d/-e,
// check, and reload of a running instance (a good file takes effect, a bad one keeps the old
// snapshot and makes reload exit 1). Failsafe; needs the jar from `package`.
package org.postern.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.testkit.FreePort;
import org.postern.testkit.RawSmtpClient;

class ConfigLifecycleIT {
    @TempDir Path dir;
    int port;

    record Run(int exit, String out, String err) {}

    @BeforeEach
    void config() throws IOException {
        port = FreePort.next();
        Files.writeString(dir.resolve("main.cf"), String.join("\n",
                "# lifecycle test: this comment must survive config -e",
                "queue_directory = $config_directory/spool",
                "data_directory = $config_directory/data",
                "maillog_file = $config_directory/maillog",
                "myhostname = life.example.test",
                "smtpd_banner = $myhostname ESMTP first",
                "smtpd_pregreet_wait = 0",
                ""));
        Files.writeString(dir.resolve("master.cf"), "127.0.0.1:" + port + " inet n - n - - smtpd\n");
    }

    @AfterEach
    void stop() throws Exception {
        postern("stop");
    }

    private Run postern(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-jar", System.getProperty("postern.jar"), "-c", dir.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    private String banner() throws IOException {
        try (RawSmtpClient c = RawSmtpClient.connect("127.0.0.1", port, Duration.ofSeconds(10))) {
            return c.readReply().text();
        }
    }

    @Test
    void configShowsAndEditsLikePostconf() throws Exception {
        Run n = postern("config", "-n");
        assertThat(n.exit()).isZero();
        assertThat(n.out()).contains("myhostname = life.example.test\n").doesNotContain("message_size_limit");
        Run d = postern("config", "-d", "message_size_limit", "smtpd_tls_auth_only");
        assertThat(d.out()).isEqualTo("message_size_limit = 10240000\nsmtpd_tls_auth_only = yes\n");
        Run x = postern("config", "-x", "-h", "smtpd_banner");
        assertThat(x.out()).isEqualTo("life.example.test ESMTP first\n");
        assertThat(postern("config", "-e", "message_size_limit=20480000", "myhostname=edited.example.test").exit()).isZero();
        String edited = Files.readString(dir.resolve("main.cf"));
        assertThat(edited).startsWith("# lifecycle test: this comment must survive config -e\n")
                .contains("myhostname = edited.example.test\n").endsWith("message_size_limit = 20480000\n");
        assertThat(postern("config", "nonsense_parameter").exit()).isEqualTo(1);
    }

    @Test
    void mapQueriesTablesLikePostmap() throws Exception {
        Files.writeString(dir.resolve("access"), "# access map\nExample.COM   REJECT go away\nuser@x.test OK\n");
        Run found = postern("map", "-q", "example.com", "hash:access");
        assertThat(found.exit()).isZero();
        assertThat(found.out()).isEqualTo("REJECT go away\n");
        assertThat(postern("map", "-q", "nobody.test", "hash:access").exit()).isEqualTo(1);
        Files.writeString(dir.resolve("access"), "missing-value-here\n");
        Run bad = postern("map", "-q", "x", "hash:access");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("access:1");
    }

    @Test
    void checkNamesTheLineAtFault() throws Exception {
        assertThat(postern("check").exit()).isZero();
        Files.writeString(dir.resolve("main.cf"), "smtpd_tls_security_level = may\nsmtpd_tls_cert_file = /nonexistent/cert.pem\n",
                java.nio.file.StandardOpenOption.APPEND);
        Run bad = postern("check");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("main.cf:9: error: smtpd_tls_cert_file");
    }

    @Test
    void reloadSwapsTheSnapshotAndABadFileKeepsTheOldOne() throws Exception {
        assertThat(postern("start").exit()).isZero();
        assertThat(banner()).endsWith("ESMTP first");
        assertThat(postern("config", "-e", "smtpd_banner=$myhostname ESMTP second").exit()).isZero();
        Run ok = postern("reload");
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(banner()).endsWith("ESMTP second");

        Files.writeString(dir.resolve("main.cf"), "this line is broken\n", java.nio.file.StandardOpenOption.APPEND);
        Run syntax = postern("reload");
        assertThat(syntax.exit()).isEqualTo(1);
        assertThat(syntax.err()).contains("main.cf:8: error: missing '='");
        assertThat(banner()).endsWith("ESMTP second");

        Files.writeString(dir.resolve("main.cf"), Files.readString(dir.resolve("main.cf"))
                .replace("this line is broken\n", "smtpd_tls_security_level = may\nsmtpd_tls_cert_file = /nonexistent/c.pem\n"
                        + "smtpd_banner = $myhostname ESMTP third\n"));
        Run daemonRefused = postern("reload");
        assertThat(daemonRefused.exit()).isEqualTo(1);
        assertThat(daemonRefused.err()).contains("previous configuration stays in force");
        assertThat(banner()).endsWith("ESMTP second");
        assertThat(Files.readString(dir.resolve("maillog"))).contains("reload failed");
    }
}
