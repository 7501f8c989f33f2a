// PythonSmtp: runs a small python3 script (usually smtplib) given as a string or a classpath
// resource, with arguments and stdin, and returns its output. A ready sender script ships as
// resource "smtp_send.py". Test support only; no main.cf parameters.
package org.postern.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code PythonSmtp.resource("smtp_send.py").args("--port", "2525", "--to", "user@example.test").stdin(Mails.plain7bit()).run()}.
 * Relative resource names are looked up under {@code /org/postern/testkit/python/}. The script runs
 * as {@code python3 -B <tempfile> args...} with PYTHONUNBUFFERED=1 and UTF-8 I/O.
 */
public final class PythonSmtp {
    /** Bundled: send one message with smtplib; run it with --help for the options. */
    public static final String SEND_SCRIPT = "smtp_send.py";

    private final String source;
    private final String name;
    private final List<String> args = new ArrayList<>();
    private byte[] stdin = new byte[0];
    private Duration timeout = Duration.ofSeconds(30);

    private PythonSmtp(String source, String name) {
        this.source = source;
        this.name = name;
    }

    /** A script given as source text. */
    public static PythonSmtp script(String source) {
        return new PythonSmtp(source, "inline");
    }

    /** A script on the classpath; names without a leading "/" are under /org/postern/testkit/python/. */
    public static PythonSmtp resource(String resourceName) {
        String path = resourceName.startsWith("/") ? resourceName : "/org/postern/testkit/python/" + resourceName;
        try (InputStream in = PythonSmtp.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalArgumentException("no classpath resource " + path);
            return new PythonSmtp(new String(in.readAllBytes(), StandardCharsets.UTF_8), path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    public PythonSmtp args(String... more) { args.addAll(List.of(more)); return this; }
    public PythonSmtp stdin(byte[] data) { this.stdin = data.clone(); return this; }
    public PythonSmtp timeout(Duration timeout) { this.timeout = timeout; return this; }

    public CommandResult run() {
        Path file = null;
        try {
            file = Files.createTempFile("testkit-py-", ".py");
            Files.writeString(file, source);
            List<String> cmd = new ArrayList<>(List.of("python3", "-B", file.toString()));
            cmd.addAll(args);
            return ExternalCommand.of(cmd).stdin(stdin).timeout(timeout)
                    .env("PYTHONUNBUFFERED", "1").env("PYTHONIOENCODING", "utf-8").run();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write python script " + name, e);
        } finally {
            if (file != null) SharedDirs.deleteTree(file);
        }
    }
}
