// Fuzz: the case runner behind the *FuzzTest classes of module policies (main.cf/master.cf, lookup
// tables, header/body checks, restriction lists, DNSBL syntax): seeded, bounded, every case under a time
// limit, a failure names its seed and noted inputs for replay; oracle helpers. Inputs come from FuzzSource.
package org.postern.policies;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.opentest4j.AssertionFailedError;

/**
 * One fuzz case: its random source (inherited from {@link FuzzSource}) and the inputs it noted. Run
 * cases with {@link #run}: case {@code i} of a test with seed {@code S} uses seed {@link #caseSeed(long, int)}, so
 * {@code -Dtest=FooFuzzTest#method -Dfuzz.replay=CASESEED} reruns exactly the failing case, and
 * {@code -Dfuzz.scale=10} runs ten times as many cases (the defaults keep the whole fuzz suite of
 * the module well under a minute).
 */
public final class Fuzz extends FuzzSource {

    private final long seed;
    /** The inputs this case noted, as bytes (what was written or fed) and as shown in a failure. */
    private final Map<String, byte[]> inputs = new LinkedHashMap<>();
    private final Map<String, String> shown = new LinkedHashMap<>();
    private final Map<String, Integer> tally;

    private Fuzz(long seed, Map<String, Integer> tally) {
        super(seed);
        this.seed = seed;
        this.tally = tally;
    }

    /** A case body; throwing anything but a checked oracle failure is a bug in the code under test. */
    @FunctionalInterface
    public interface Case {
        void run(Fuzz fuzz) throws Throwable;
    }

    /** The seed of case {@code i} of a test with seed {@code seed}. */
    public static long caseSeed(long seed, int i) {
        long z = seed + (i + 1) * 0x9E3779B97F4A7C15L; // splitmix64
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Runs {@code cases} cases of {@code body} (scaled by -Dfuzz.scale), each under {@code limit}. A
     * failure (an exception the oracle did not allow, or the time limit) is rethrown naming the test,
     * the case seed to replay and the inputs the case noted (full text written to a file).
     */
    public static void run(String name, long seed, int cases, Duration limit, Case body) {
        String replay = System.getProperty("fuzz.replay");
        double scale = Double.parseDouble(System.getProperty("fuzz.scale", "1"));
        int n = replay != null ? 1 : Math.max(1, (int) Math.round(cases * scale));
        long started = System.nanoTime();
        Map<String, Integer> tally = new java.util.TreeMap<>();
        for (int i = 0; i < n; i++) {
            Fuzz fuzz = new Fuzz(replay != null ? Long.parseLong(replay) : caseSeed(seed, i), tally);
            try {
                assertTimeoutPreemptively(limit, () -> {
                    body.run(fuzz);
                    return null;
                });
            } catch (Throwable t) {
                throw fuzz.failure(name, seed, i, t);
            }
        }
        System.out.printf("fuzz %s: seed %d, %d cases, %d ms, outcomes %s%n", name, seed, n,
                (System.nanoTime() - started) / 1_000_000, tally);
    }

    /** Runs one fixed adversarial case under {@code limit}; a failure names {@code label}. */
    public static void check(String label, Duration limit, Case body) {
        Fuzz fuzz = new Fuzz(0, new java.util.TreeMap<>());
        long started = System.nanoTime();
        try {
            assertTimeoutPreemptively(limit, () -> {
                body.run(fuzz);
                return null;
            });
        } catch (Throwable t) {
            throw new AssertionError("case " + escape(label, 300) + " failed: " + t, t);
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        if (ms > limit.toMillis() / 4) System.out.printf("slow case (%d ms): %s%n", ms, escape(label, 120));
    }

    private AssertionError failure(String name, long testSeed, int index, Throwable t) {
        StringBuilder sb = new StringBuilder();
        sb.append("fuzz ").append(name).append(" (seed ").append(testSeed).append(") case ").append(index)
                .append(" failed; replay it with -Dfuzz.replay=").append(seed).append('\n');
        sb.append("  ").append(t instanceof AssertionFailedError && t.getMessage() != null
                && t.getMessage().startsWith("execution timed out") ? "HANG: " + t.getMessage() : String.valueOf(t)).append('\n');
        Path dump = null;
        try {
            dump = Files.createTempDirectory("postern-fuzz-" + name + "-" + seed + "-");
            for (Map.Entry<String, byte[]> e : inputs.entrySet()) {
                Files.write(dump.resolve(e.getKey().replaceAll("[^A-Za-z0-9._-]", "_")), e.getValue());
            }
        } catch (IOException | RuntimeException ignored) {
            // the message below still shows the inputs
        }
        for (Map.Entry<String, String> e : shown.entrySet()) {
            sb.append("  input ").append(e.getKey()).append(" = \"").append(escape(e.getValue(), 1500)).append("\"\n");
        }
        if (dump != null) sb.append("  full inputs (the exact bytes) in ").append(dump).append('\n');
        return new AssertionError(sb.toString(), t);
    }

    /** Counts an outcome (loaded, refused, ...) for the summary line of the run. */
    public void count(String outcome) {
        synchronized (tally) {
            tally.merge(outcome, 1, Integer::sum);
        }
    }

    /** Records an input of this case, shown (escaped) if the case fails; returns it. */
    public String note(String label, String value) {
        inputs.put(label, value.getBytes(StandardCharsets.UTF_8));
        shown.put(label, value);
        return value;
    }

    /** As {@link #note(String, String)} for bytes (shown as ISO-8859-1, one character per byte). */
    public byte[] note(String label, byte[] value) {
        inputs.put(label, value);
        shown.put(label, new String(value, StandardCharsets.ISO_8859_1));
        return value;
    }

    /** {@code s} as a Java string literal body, cut after {@code max} characters. */
    public static String escape(String s, int max) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < max; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20 || c >= 0x7f) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        if (s.length() > max) sb.append("...(").append(s.length()).append(" chars)");
        return sb.toString();
    }


    /** Reads a file, for seeds. */
    public static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Writes a file, for cases. */
    public static Path write(Path file, byte[] content) {
        try {
            return Files.write(file, content);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The module's policies/defaults directory (the shipped /etc/postern set). */
    public static Path defaults() {
        Path p = Path.of("defaults");
        if (!Files.isDirectory(p)) p = Path.of("policies", "defaults");
        return p.toAbsolutePath();
    }

    /**
     * Checks a diagnostic's place: a built-in origin (line 0), or one of {@code files} with a line
     * from 1 to that file's line count (plus one: a truncated last line), or {@code referredFrom}.
     */
    public static String badOrigin(String file, int line, boolean builtin, Map<String, Integer> files) {
        if (builtin) return line == 0 ? null : "builtin origin with line " + line;
        Integer lines = files.get(file);
        if (lines == null) return "origin names unexpected file \"" + file + "\" (expected one of " + files.keySet() + ")";
        if (line < 1 && lines >= 0) return "origin " + file + " without a line number";
        if (lines >= 0 && line > lines + 1) return "origin line " + line + " is past the end of " + file + " (" + lines + " lines)";
        return null;
    }

    /** Physical line count of {@code content} ('\n'-separated). */
    public static int lineCount(byte[] content) {
        int n = 0;
        for (byte b : content) if (b == '\n') n++;
        return content.length > 0 && content[content.length - 1] != '\n' ? n + 1 : n;
    }

    /**
     * Why {@code message} looks like a leaked internal error (an exception's text instead of a
     * diagnosis), or null; text that occurs in this case's noted inputs does not count.
     */
    public String badMessage(String message) {
        if (message == null || message.isBlank()) return "empty message";
        for (String leak : new String[] {"Exception", "java.", "For input string", "Index ", "out of bounds",
            "Illegal char <"}) {
            if (message.contains(leak) && shown.values().stream().noneMatch(v -> v.contains(leak))) {
                return "message leaks an internal error (" + leak + "): " + escape(message, 300);
            }
        }
        return null;
    }
}
