// SmtpSource: runs Postfix's smtp-source(1) load generator (parallel sessions, N messages of a given
// size) against a server under test. Test support only; the same tool drives bench/.
package org.postern.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code SmtpSource.to("127.0.0.1", port).sessions(4).messages(100).size(5120).run().requireSuccess()}.
 * smtp-source exits non-zero on the first unexpected reply unless {@link #dontAbort()} is set.
 */
public final class SmtpSource {
    private final String host;
    private final int port;
    private final List<String> args = new ArrayList<>();
    private String from = Mails.DEFAULT_FROM;
    private String to = Mails.DEFAULT_TO;
    private Duration timeout = Duration.ofSeconds(120);

    private SmtpSource(String host, int port) {
        this.host = host;
        this.port = port;
    }

    public static SmtpSource to(String host, int port) {
        return new SmtpSource(host, port);
    }

    /** -s: parallel SMTP sessions. */
    public SmtpSource sessions(int n) { return arg("-s", Integer.toString(n)); }
    /** -m: number of messages in total. */
    public SmtpSource messages(int n) { return arg("-m", Integer.toString(n)); }
    /** -l: payload bytes per message (headers come on top). */
    public SmtpSource size(int bytes) { return arg("-l", Integer.toString(bytes)); }
    /** -f: envelope sender (default {@link Mails#DEFAULT_FROM}). */
    public SmtpSource from(String sender) { this.from = sender; return this; }
    /** -t: envelope recipient (default {@link Mails#DEFAULT_TO}). */
    public SmtpSource rcpt(String recipient) { this.to = recipient; return this; }
    /** -r: recipients per transaction (numbers are prepended to the -t address). */
    public SmtpSource recipientsPerMessage(int n) { return arg("-r", Integer.toString(n)); }
    /** -S: Subject header. */
    public SmtpSource subject(String subject) { return arg("-S", subject); }
    /** -F: send this pre-formatted message (smtp-source dot-stuffs it and ends lines with CRLF). */
    public SmtpSource messageFile(Path file) { return arg("-F", file.toString()); }
    /** -M: HELO name and domain of default addresses. */
    public SmtpSource heloName(String name) { return arg("-M", name); }
    /** -d: several messages per connection instead of one connection per message. */
    public SmtpSource reuseConnections() { return arg("-d"); }
    /** -A: don't abort when the server answers something other than the expected positive reply. */
    public SmtpSource dontAbort() { return arg("-A"); }
    /** Any other smtp-source options, passed as given. */
    public SmtpSource arg(String... more) { args.addAll(List.of(more)); return this; }
    /** Hard limit of the run (default 120 s). */
    public SmtpSource timeout(Duration timeout) { this.timeout = timeout; return this; }

    public CommandResult run() {
        List<String> cmd = new ArrayList<>(List.of("smtp-source", "-f", from, "-t", to));
        cmd.addAll(args);
        cmd.add("inet:" + host + ":" + port);
        return ExternalCommand.of(cmd).timeout(timeout).run();
    }
}
