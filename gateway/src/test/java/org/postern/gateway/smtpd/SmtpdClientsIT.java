package org.postern.gateway.smtpd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.gateway.GatewayHarness;
import org.postern.gateway.queue.QueueFile;
import org.postern.gateway.sasl.PasswordFile;
import org.postern.testkit.Assumptions;
import org.postern.testkit.CommandResult;
import org.postern.testkit.PythonSmtp;
import org.postern.testkit.SmtpSource;
import org.postern.testkit.Swaks;

/** The front smtpd against real SMTP clients: swaks, Python's smtplib, Postfix's smtp-source. */
class SmtpdClientsIT {
    @TempDir Path dir;

    private GatewayHarness start() throws Exception {
        PasswordFile.set(dir.resolve("sasl_passwd"), "bob", "s3cret pass".toCharArray());
        return GatewayHarness.start(dir, "smtpd_tls_security_level = may\nsmtpd_sasl_auth_enable = yes\n"
                + "smtpd_sasl_password_file = " + dir.resolve("sasl_passwd") + "\n");
    }

    @Test
    void swaksStarttlsAuthPlainPipelining() throws Exception {
        Assumptions.requireCommand("swaks");
        try (GatewayHarness gw = start()) {
            CommandResult r = Swaks.server("127.0.0.1", gw.port).from("bob@sender.test").to("x@elsewhere.test")
                    .tls().auth("PLAIN", "bob", "s3cret pass").pipeline().header("Subject", "swaks plain").run();
            assertThat(r.exitCode()).as(r.describe()).isZero();
            assertThat(r.output()).contains("250 2.0.0 Ok: queued as").contains("235 2.7.0");
            List<QueueFile> q = gw.incomingMessages();
            assertThat(q).hasSize(1);
            assertThat(q.get(0).envelope().client().protocol()).isEqualTo("ESMTPSA");
        }
    }

    @Test
    void swaksAuthLoginAndWrongPassword() throws Exception {
        Assumptions.requireCommand("swaks");
        try (GatewayHarness gw = start()) {
            CommandResult ok = Swaks.server("127.0.0.1", gw.port).from("bob@sender.test").to("x@elsewhere.test")
                    .tls().auth("LOGIN", "bob", "s3cret pass").run();
            assertThat(ok.exitCode()).as(ok.describe()).isZero();
            CommandResult bad = Swaks.server("127.0.0.1", gw.port).from("bob@sender.test").to("x@elsewhere.test")
                    .tls().auth("LOGIN", "bob", "wrong").run();
            assertThat(bad.exitCode()).as(bad.describe()).isEqualTo(28);
            assertThat(bad.output()).contains("535 5.7.8");
        }
    }

    @Test
    void swaksImplicitTlsSubmission() throws Exception {
        Assumptions.requireCommand("swaks");
        PasswordFile.set(dir.resolve("sasl_passwd"), "bob", "s3cret pass".toCharArray());
        try (GatewayHarness gw = GatewayHarness.start(dir, "smtpd_sasl_auth_enable = yes\n"
                + "smtpd_sasl_password_file = " + dir.resolve("sasl_passwd") + "\n", "smtpd_tls_wrappermode=yes")) {
            CommandResult r = Swaks.server("127.0.0.1", gw.port).from("bob@sender.test").to("x@elsewhere.test")
                    .tlsOnConnect().auth("PLAIN", "bob", "s3cret pass").run();
            assertThat(r.exitCode()).as(r.describe()).isZero();
            assertThat(r.output()).contains("250 2.0.0 Ok: queued as");
            assertThat(gw.incomingMessages().get(0).envelope().client().protocol()).isEqualTo("ESMTPSA");
        }
    }

    @Test
    void swaksWithoutTlsIsNotOfferedAuth() throws Exception {
        Assumptions.requireCommand("swaks");
        try (GatewayHarness gw = start()) {
            CommandResult r = Swaks.server("127.0.0.1", gw.port).from("bob@sender.test").to("x@elsewhere.test")
                    .auth("PLAIN", "bob", "s3cret pass").run();
            assertThat(r.exitCode()).as(r.describe()).isNotZero();
            assertThat(gw.incomingMessages()).isEmpty();
        }
    }

    @Test
    void pythonSmtplibSendsWithStarttlsAndSmtputf8() throws Exception {
        Assumptions.requireCommand("python3");
        String script = String.join("\n",
                "import smtplib, ssl, sys",
                "from email.message import EmailMessage",
                "ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE",
                "m = EmailMessage(); m['Subject'] = 'smtplib \u00e9t\u00e9'; m['From'] = 'j\u00f6rg@sender.test'",
                "m['To'] = 'b\u00fccher@example.test'; m.set_content('hello from smtplib\\n')",
                "with smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=20) as s:",
                "    s.ehlo(); s.starttls(context=ctx); s.ehlo()",
                "    refused = s.send_message(m, mail_options=['SMTPUTF8'])",
                "    print('refused', refused)",
                "");
        try (GatewayHarness gw = start()) {
            CommandResult r = PythonSmtp.script(script).args(Integer.toString(gw.port)).run();
            assertThat(r.exitCode()).as(r.describe()).isZero();
            List<QueueFile> q = gw.incomingMessages();
            assertThat(q).hasSize(1);
            assertThat(q.get(0).envelope().smtputf8()).isTrue();
            assertThat(q.get(0).envelope().recipients().get(0).address()).isEqualTo("b\u00fccher@example.test");
            assertThat(q.get(0).envelope().client().tlsProtocol()).startsWith("TLSv1.");
        }
    }

    @Test
    void smtpSourceLoadIsAllQueued() throws Exception {
        Assumptions.requireCommand("smtp-source");
        try (GatewayHarness gw = start()) {
            CommandResult r = SmtpSource.to("127.0.0.1", gw.port).sessions(10).messages(300).size(2048)
                    .from("a@sender.test").rcpt("user@example.test").timeout(Duration.ofSeconds(120)).run();
            assertThat(r.exitCode()).as(r.describe()).isZero();
            assertThat(gw.incomingMessages()).hasSize(300);
        }
    }
}
