// Swaks: runs the swaks SMTP test client against a server under test (STARTTLS, AUTH, PIPELINING,
// custom DATA) and returns its exit code and full transcript. Test support only; exercises
// smtpd_tls_*, smtpd_sasl_*, smtpd_*_restrictions of the server under test.
package org.postern.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code Swaks.server("127.0.0.1", port).from("a@sender.test").to("user@example.test").tls().run()}.
 * The result's {@link CommandResult#output()} is swaks's transcript ("<-" server, " ->" client,
 * "***" errors). Exit codes (swaks(1)): 0 ok, 2 connect, 6 connection closed, 21 banner, 22 HELO,
 * 23 MAIL, 24 no RCPT accepted, 25 DATA, 26 after final ".", 28 AUTH, 29 TLS.
 */
public final class Swaks {
    private final String host;
    private final int port;
    private String from = Mails.DEFAULT_FROM;
    private final List<String> to = new ArrayList<>();
    private final List<String> args = new ArrayList<>();
    private byte[] data;
    private Duration timeout = Duration.ofSeconds(30);

    private Swaks(String host, int port) {
        this.host = host;
        this.port = port;
    }

    public static Swaks server(String host, int port) {
        return new Swaks(host, port);
    }

    /** Envelope sender (default {@link Mails#DEFAULT_FROM}); "" sends the null sender {@code <>}. */
    public Swaks from(String sender) { this.from = sender; return this; }

    /** Envelope recipients (default {@link Mails#DEFAULT_TO}). */
    public Swaks to(String... recipients) { to.addAll(List.of(recipients)); return this; }

    public Swaks helo(String name) { return arg("--helo", name); }

    /** Require STARTTLS (exit 29 when not offered or it fails). Certificates are not verified. */
    public Swaks tls() { return arg("--tls"); }

    /** Implicit TLS from the first byte (submissions port style). */
    public Swaks tlsOnConnect() { return arg("--tls-on-connect"); }

    /** Require AUTH with {@code mechanism} (PLAIN, LOGIN, CRAM-MD5, ...). */
    public Swaks auth(String mechanism, String user, String password) {
        return arg("--auth", mechanism, "--auth-user", user, "--auth-password", password);
    }

    public Swaks pipeline() { return arg("--pipeline"); }

    /**
     * The whole DATA content (headers and body), as bytes. Swaks turns LF into CRLF, dot-stuffs,
     * and replaces its %TOKENS% (e.g. %DATE%) in it.
     */
    public Swaks data(byte[] message) { this.data = message.clone(); return this; }

    /** Keep the default swaks headers but use this body. */
    public Swaks body(String body) { return arg("--body", body); }

    public Swaks header(String name, String value) { return arg("--header", name + ": " + value); }

    /** Stop after a stage: CONNECT, FIRST-HELO, TLS, HELO, AUTH, MAIL, RCPT. */
    public Swaks quitAfter(String stage) { return arg("--quit-after", stage); }

    /** Show only a summary of DATA in the transcript (for big messages). */
    public Swaks suppressData() { return arg("--suppress-data"); }

    /** Any other swaks options, passed as given. */
    public Swaks arg(String... more) { args.addAll(List.of(more)); return this; }

    /** Hard limit of the run (default 30 s); swaks's own SMTP --timeout is set a little lower. */
    public Swaks timeout(Duration timeout) { this.timeout = timeout; return this; }

    public CommandResult run() {
        Path dataFile = null;
        try {
            List<String> cmd = new ArrayList<>(List.of("swaks", "--server", host, "--port", Integer.toString(port),
                    "--from", from.isEmpty() ? "<>" : from,
                    "--to", String.join(",", to.isEmpty() ? List.of(Mails.DEFAULT_TO) : to),
                    "--timeout", Math.max(1, timeout.toSeconds() - 2) + "s"));
            if (data != null) {
                dataFile = Files.createTempFile("swaks-data-", ".eml");
                Files.write(dataFile, data);
                cmd.addAll(List.of("--data", "@" + dataFile));
            }
            cmd.addAll(args);
            return ExternalCommand.of(cmd).mergeStderr().timeout(timeout).run();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write swaks data file", e);
        } finally {
            if (dataFile != null) SharedDirs.deleteTree(dataFile);
        }
    }
}
