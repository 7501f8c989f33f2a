// FuzzSource: the seeded random source and input mutators behind the *FuzzTest classes of module
// policies: random text, bit flips, line shuffles, dictionary words, huge runs and deep nesting of the
// policy languages' brackets (main.cf $name, tables, checks, DNSBL templates). Same seed, same inputs.
package org.postern.policies;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Random choices and mutation operators over one case's seeded Random; {@link Fuzz} adds the runner. */
public abstract class FuzzSource {

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

    private final Random random;

    FuzzSource(long seed) {
        this.random = new Random(seed);
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
}
