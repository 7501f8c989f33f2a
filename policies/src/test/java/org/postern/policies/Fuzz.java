// Fuzz: the deterministic input mutator and case runner behind the *FuzzTest classes of module
// policies (main.cf/master.cf, lookup tables, header/body checks, restriction lists, DNSBL syntax):
// seeded, bounded, every case under a time limit, a failure names its seed and input for replay.
package org.postern.policies;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.opentest4j.AssertionFailedError;

/**
 * One fuzz case's random source, mutators and the inputs it noted. Run cases with {@link #run}:
 * case {@code i} of a test with seed {@code S} uses seed {@link #caseSeed(long, int)}, so
 * {@code -Dtest=FooFuzzTest#method -Dfuzz.replay=CASESEED} reruns exactly the failing case, and
 * {@code -Dfuzz.scale=10} runs ten times as many cases (the defaults keep the whole fuzz suite of
 * the module well under a minute).
 */
public final class Fuzz {

    /** The characters that mean something in some policy file, NUL included. */
    public static final String SPECIALS = "${}()[]/\\!=:,#\"'\t\r\0 @.;<>?*+|^~%-_\n";

    /** Characters that trip code assuming ASCII: digits and case mappings outside ASCII, line separators. */
    private static final String[] EXOTIC = {"\u0660", "\uff13", "\u0130", "\u0131", "\u017f", "\u212a", "\u0085",
        "\u2028", "\u00a0", "\ufeff", "\ud800", "\udc00", "\ud83d\ude00", "\u00e9", "\u00df", "\u0301", "\uffff"};

    /** Bytes that are not UTF-8 (alone), or encode surrogates or overlong forms. */
    private static final byte[][] NON_UTF8 = {{(byte) 0x80}, {(byte) 0xff}, {(byte) 0xc3}, {(byte) 0xe9, 'x'},
        {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, {(byte) 0xc0, (byte) 0xaf}, {(byte) 0xf8, (byte) 0x88, (byte) 0x80},
        {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}};

    /** Runs repeated to make long lines and tokens, and nesting openers. */
    private static final String[] RUNS = {"a", "ab", "(", ")", "{", "}", "${", "$(", "[", "\\", "$", "!", "/", "x ",
        " ", "\t", ",", "=", ":", "*", "?", "|", "if /a/\n", "endif\n", "(?:", "[[:alpha:]", "-", ".", "0", "\"",
        "@", "\n ", "\n", "--", "%"};

    private final long seed;
    private final Random random;
    /** The inputs this case noted, as bytes (what was written or fed) and as shown in a failure. */
    private final Map<String, byte[]> inputs = new LinkedHashMap<>();
    private final Map<String, String> shown = new LinkedHashMap<>();
    private final Map<String, Integer> tally;

    private Fuzz(long seed, Map<String, Integer> tally) {
        this.seed = seed;
        this.random = new Random(seed);
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

    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** Uniform in [lo, hi]. */
    public int between(int lo, int hi) {
        return lo + random.nextInt(hi - lo + 1);
    }

    public boolean chance(double p) {
        return random.nextDouble() < p;
    }

    @SafeVarargs
    public final <T> T pick(T... choices) {
        return choices[random.nextInt(choices.length)];
    }

    public <T> T pick(List<T> choices) {
        return choices.get(random.nextInt(choices.size()));
    }

    /** A length that is usually small, sometimes large: 0-8, 9-200 or 201-{@code max}. */
    public int size(int max) {
        int r = random.nextInt(10);
        if (r < 6 || max <= 9) return random.nextInt(Math.min(9, max + 1));
        if (r < 9 || max <= 201) return between(9, Math.min(200, max));
        return between(201, max);
    }

    /** A random string of printable ASCII, specials, and now and then exotic characters. */
    public String text(int maxLength) {
        int n = size(maxLength);
        StringBuilder sb = new StringBuilder(n);
        while (sb.length() < n) {
            int r = random.nextInt(20);
            if (r < 12) sb.append((char) between(0x21, 0x7e));
            else if (r < 17) sb.append(SPECIALS.charAt(random.nextInt(SPECIALS.length())));
            else if (r < 19) sb.append(' ');
            else sb.append(pick(EXOTIC));
        }
        return sb.toString();
    }

    /** {@code unit} repeated to about {@code length} characters. */
    public static String repeat(String unit, int length) {
        return unit.repeat(Math.max(1, length / Math.max(1, unit.length())));
    }

    /** One to four random mutations of {@code text} (as its UTF-8 bytes, decoded back leniently). */
    public String mutate(String text, List<String> dictionary) {
        return new String(mutate(text.getBytes(StandardCharsets.UTF_8), dictionary), StandardCharsets.UTF_8);
    }

    /** One to four random mutations; {@code dictionary} holds words and lines of the file's grammar. */
    public byte[] mutate(byte[] content, List<String> dictionary) {
        byte[] out = content;
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n; i++) out = mutateOnce(out, dictionary);
        return out;
    }

    private byte[] mutateOnce(byte[] in, List<String> dictionary) {
        int at = in.length == 0 ? 0 : random.nextInt(in.length + 1);
        switch (random.nextInt(15)) {
            case 0 -> {
                if (in.length == 0) return in;
                byte[] out = in.clone();
                int p = random.nextInt(in.length);
                out[p] ^= (byte) (1 << random.nextInt(8));
                return out;
            }
            case 1 -> {
                if (in.length == 0) return in;
                byte[] out = in.clone();
                out[random.nextInt(in.length)] = (byte) random.nextInt(256);
                return out;
            }
            case 2, 3, 4 -> {
                List<byte[]> lines = lines(in);
                if (lines.isEmpty()) return in;
                int a = random.nextInt(lines.size());
                int b = random.nextInt(lines.size());
                int op = random.nextInt(4);
                if (op == 0) lines.remove(a);
                else if (op == 1) lines.add(b, lines.get(a));
                else if (op == 2) {
                    byte[] t = lines.get(a);
                    lines.set(a, lines.get(b));
                    lines.set(b, t);
                } else {
                    byte[] l = lines.get(a); // toggle leading whitespace: continuation lines
                    lines.set(a, l.length > 0 && (l[0] == ' ' || l[0] == '\t') ? Arrays.copyOfRange(l, 1, l.length)
                            : concat(new byte[] {(byte) (random.nextBoolean() ? ' ' : '\t')}, l));
                }
                return join(lines);
            }
            case 5, 6 -> {
                StringBuilder sb = new StringBuilder();
                int k = 1 + random.nextInt(3);
                for (int i = 0; i < k; i++) sb.append(SPECIALS.charAt(random.nextInt(SPECIALS.length())));
                return insert(in, at, sb.toString().getBytes(StandardCharsets.UTF_8));
            }
            case 7 -> {
                return insert(in, at, random.nextBoolean() ? pick(NON_UTF8)
                        : pick(EXOTIC).getBytes(StandardCharsets.UTF_8));
            }
            case 8 -> {
                String unit = random.nextInt(3) == 0 && !dictionary.isEmpty() ? pick(dictionary) : pick(RUNS);
                int length = pick(100, 1000, 5000, 20000, 70000);
                return insert(in, at, repeat(unit, length).getBytes(StandardCharsets.UTF_8));
            }
            case 9 -> {
                return Arrays.copyOf(in, at);
            }
            case 10, 11 -> {
                if (dictionary.isEmpty()) return insert(in, at, text(20).getBytes(StandardCharsets.UTF_8));
                String word = pick(dictionary);
                if (random.nextBoolean()) word = random.nextBoolean() ? " " + word + " " : "\n" + word + "\n";
                return insert(in, at, word.getBytes(StandardCharsets.UTF_8));
            }
            case 12 -> {
                if (in.length == 0) return in;
                int from = random.nextInt(in.length);
                int to = Math.min(in.length, from + 1 + random.nextInt(Math.min(64, in.length)));
                return concat(Arrays.copyOf(in, from), Arrays.copyOfRange(in, to, in.length));
            }
            case 13 -> {
                if (in.length == 0) return in;
                int from = random.nextInt(in.length);
                int to = Math.min(in.length, from + 1 + random.nextInt(64));
                return insert(in, at, Arrays.copyOfRange(in, from, to));
            }
            default -> {
                return insert(in, at, nesting().getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** Deep nesting of one of the policy languages' bracket forms. */
    public String nesting() {
        int depth = pick(10, 100, 1000, 5000, 20000);
        String[][] forms = {{"${a?", "}"}, {"${", "}"}, {"$(", ")"}, {"{", "}"}, {"(", ")"}, {"(?:", ")"},
            {"[", "]"}, {"if /a/\n", "endif\n"}, {"if 10.0.0.0/8\n", "endif\n"}, {"${{", "} == {x}?{y}}"},
            {"${rbl_code?", "}"}, {"${rbl_code?{", "}}"}, {"-o {", "}"}, {"\n ", ""}, {"!", ""}};
        String[] f = pick(forms);
        boolean balanced = random.nextInt(3) > 0;
        return f[0].repeat(depth) + pick("x", "a", "", "$x", "1.2.3.4") + (balanced ? f[1].repeat(depth) : "");
    }

    /** The lines of {@code in} without their '\n' (a final line without '\n' counts too). */
    public static List<byte[]> lines(byte[] in) {
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '\n') {
                out.add(Arrays.copyOfRange(in, start, i));
                start = i + 1;
            }
        }
        if (start < in.length) out.add(Arrays.copyOfRange(in, start, in.length));
        return out;
    }

    private static byte[] join(List<byte[]> lines) {
        int n = 0;
        for (byte[] l : lines) n += l.length + 1;
        byte[] out = new byte[n];
        int p = 0;
        for (byte[] l : lines) {
            System.arraycopy(l, 0, out, p, l.length);
            p += l.length;
            out[p++] = '\n';
        }
        return out;
    }

    private static byte[] insert(byte[] in, int at, byte[] what) {
        byte[] out = new byte[in.length + what.length];
        System.arraycopy(in, 0, out, 0, at);
        System.arraycopy(what, 0, out, at, what.length);
        System.arraycopy(in, at, out, at + what.length, in.length - at);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        return insert(a, a.length, b);
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
