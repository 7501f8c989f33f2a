// ChecksFixtures: test helper for the content checks -- fixture messages under
// src/test/resources/org/postern/policies/checks, table files in a temporary directory, a
// ContentChecks built the way a configuration load builds it, and one message run through it.
package org.postern.policies.checks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.postern.policies.conf.Config;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.table.TableLookupException;
import org.postern.policies.table.Tables;

final class ChecksFixtures {
    private ChecksFixtures() {}

    /** The raw bytes of a fixture message. */
    static byte[] message(String name) {
        try (InputStream in = ChecksFixtures.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalArgumentException("no fixture " + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The physical lines of a fixture message (LF or CRLF ends removed), decoded as UTF-8. */
    static List<String> lines(String name) {
        return split(new String(message(name), StandardCharsets.UTF_8));
    }

    /** "a\nb\n" as ["a", "b"]; a final line without line end counts too. */
    static List<String> split(String message) {
        List<String> out = new ArrayList<>(Arrays.asList(message.split("\r?\n", -1)));
        if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) out.remove(out.size() - 1);
        return out;
    }

    static Path write(Path dir, String name, String content) {
        try {
            Path file = dir.resolve(name);
            Files.writeString(file, content, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Built-in defaults plus {@code overrides} (main.cf settings); table names resolve against {@code dir}. */
    static ContentChecks checks(Path dir, Map<String, String> overrides) throws ConfigException {
        Config config = Config.defaults(dir).withOverrides(overrides);
        return ContentChecks.from(config, new Tables(dir));
    }

    /** What one message produced: lines written, matches, other listener events, the outcome. */
    record Run(List<String> output, List<CheckResult> matches, List<String> events, CheckOutcome outcome) {
        /** The matches as "ACTION text" strings, in order. */
        List<String> actions() {
            return matches.stream().map(r -> r.action() + (r.text().isEmpty() ? "" : " " + r.text())).toList();
        }
    }

    /** Runs {@code lines} through a fresh MessageChecks. */
    static Run run(ContentChecks checks, List<String> lines) {
        List<CheckResult> matches = new ArrayList<>();
        List<String> events = new ArrayList<>();
        CheckListener listener = new CheckListener() {
            @Override
            public void matched(CheckResult result) {
                matches.add(result);
            }

            @Override
            public void mimeError(MimeError error, String text) {
                events.add("mime-error " + error + ": " + text);
            }

            @Override
            public void lookupFailed(String parameter, TableLookupException cause) {
                events.add("lookup failed " + parameter + ": " + cause.getMessage());
            }
        };
        List<String> output = new ArrayList<>();
        MessageChecks.LineSink sink = (b, off, len) -> output.add(new String(b, off, len, StandardCharsets.UTF_8));
        MessageChecks m = checks.start(listener);
        for (String line : lines) m.line(line, sink);
        m.end(sink);
        return new Run(output, matches, events, m.outcome());
    }

    static Run run(ContentChecks checks, String message) {
        return run(checks, split(message));
    }
}
