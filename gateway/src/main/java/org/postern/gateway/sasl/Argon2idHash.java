// Argon2idHash: an argon2id hash in PHC string form ($argon2id$v=19$m=..,t=..,p=..$salt$hash) in the
// SASL password file (main.cf smtpd_sasl_password_file); `postern passwd` writes new ones with the
// OWASP parameters below. Computed with BouncyCastle's Argon2BytesGenerator, compared in constant time.
package org.postern.gateway.sasl;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/** An immutable argon2id hash. Each {@link #verify} allocates {@code memoryKib} KiB for its duration. */
final class Argon2idHash implements PasswordHash {
    /** OWASP Password Storage Cheat Sheet: m=19 MiB, t=2, p=1. */
    static final int DEFAULT_MEMORY_KIB = 19456;
    static final int DEFAULT_ITERATIONS = 2;
    static final int DEFAULT_PARALLELISM = 1;
    static final int SALT_BYTES = 16;
    static final int HASH_BYTES = 32;

    // Bounds for hashes read from the file: a typo must not make every AUTH allocate gigabytes.
    private static final int MAX_MEMORY_KIB = 1 << 18; // 256 MiB per check
    private static final int MAX_ITERATIONS = 1000;
    private static final int MAX_PARALLELISM = 64;

    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();

    private final int memoryKib;
    private final int iterations;
    private final int parallelism;
    private final byte[] salt;
    private final byte[] hash;

    private Argon2idHash(int memoryKib, int iterations, int parallelism, byte[] salt, byte[] hash) {
        this.memoryKib = memoryKib;
        this.iterations = iterations;
        this.parallelism = parallelism;
        this.salt = salt;
        this.hash = hash;
    }

    /** Hashes {@code password} with the default parameters and a fresh random salt. Blocking. */
    static Argon2idHash create(byte[] password, SecureRandom random) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] hash = compute(password, salt, DEFAULT_MEMORY_KIB, DEFAULT_ITERATIONS, DEFAULT_PARALLELISM, HASH_BYTES);
        return new Argon2idHash(DEFAULT_MEMORY_KIB, DEFAULT_ITERATIONS, DEFAULT_PARALLELISM, salt, hash);
    }

    /**
     * A hash no password matches (random salt and random hash) that costs what a default hash
     * costs: checked for unknown users so that timing does not tell which users exist.
     */
    static Argon2idHash dummy(SecureRandom random) {
        byte[] salt = new byte[SALT_BYTES];
        byte[] hash = new byte[HASH_BYTES];
        random.nextBytes(salt);
        random.nextBytes(hash);
        return new Argon2idHash(DEFAULT_MEMORY_KIB, DEFAULT_ITERATIONS, DEFAULT_PARALLELISM, salt, hash);
    }

    /** Parses {@code $argon2id$v=19$m=M,t=T,p=P$salt$hash} (PHC format, unpadded standard base64). */
    static Argon2idHash parse(String encoded) {
        String[] f = encoded.split("\\$", -1);
        // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
        if (f.length != 6 || !f[0].isEmpty()) {
            throw bad("expected $argon2id$v=19$m=M,t=T,p=P$SALT$HASH");
        }
        if (!f[2].equals("v=19")) {
            throw bad("unsupported version (only v=19 is supported)");
        }
        String[] params = f[3].split(",", -1);
        if (params.length != 3) throw bad("expected parameters m=M,t=T,p=P");
        int m = param(params[0], "m", 8, MAX_MEMORY_KIB);
        int t = param(params[1], "t", 1, MAX_ITERATIONS);
        int p = param(params[2], "p", 1, MAX_PARALLELISM);
        if (m < 8 * p) throw bad("memory m must be at least 8 * p KiB");
        byte[] salt = base64(f[4], "salt");
        byte[] hash = base64(f[5], "hash");
        if (salt.length < 8 || salt.length > 64) throw bad("salt must be 8..64 bytes");
        if (hash.length < 16 || hash.length > 64) throw bad("hash must be 16..64 bytes");
        return new Argon2idHash(m, t, p, salt, hash);
    }

    private static int param(String kv, String name, int min, int max) {
        if (!kv.startsWith(name + "=")) throw bad("expected parameters m=M,t=T,p=P");
        String digits = kv.substring(name.length() + 1);
        if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw bad("parameter " + name + " is not a number");
        }
        int v = Integer.parseInt(digits);
        if (v < min || v > max) throw bad("parameter " + name + "=" + v + " out of range " + min + ".." + max);
        return v;
    }

    private static byte[] base64(String s, String what) {
        if (s.indexOf('=') >= 0) throw bad(what + " must be unpadded base64");
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw bad(what + " is not valid base64");
        }
    }

    private static IllegalArgumentException bad(String why) {
        return new IllegalArgumentException("malformed argon2id hash: " + why);
    }

    private static byte[] compute(byte[] password, byte[] salt, int m, int t, int p, int length) {
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(m)
                .withIterations(t)
                .withParallelism(p)
                .withSalt(salt)
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(params);
        byte[] out = new byte[length];
        generator.generateBytes(password, out);
        return out;
    }

    @Override
    public boolean verify(byte[] password) {
        byte[] computed = compute(password, salt, memoryKib, iterations, parallelism, hash.length);
        boolean equal = MessageDigest.isEqual(computed, hash);
        Arrays.fill(computed, (byte) 0);
        return equal;
    }

    /** The PHC string, as written to the password file. */
    String encoded() {
        return "$argon2id$v=19$m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism
                + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
    }

    @Override
    public String scheme() {
        return "argon2id";
    }

    @Override
    public String toString() {
        return "Argon2idHash[m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism + "]";
    }
}
