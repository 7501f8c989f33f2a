// PasswordHash: one stored password hash of the SASL password file (main.cf smtpd_sasl_password_file):
// recognises the scheme (bcrypt or argon2id) of the "hash" half of a "user:hash" line and checks a
// password against it. CPU-heavy: callers run verify on a worker thread, never on an event loop.
package org.postern.gateway.sasl;

/** A parsed password hash. Implementations are immutable and never print the hash itself. */
sealed interface PasswordHash permits BcryptHash, Argon2idHash {

    /** True when {@code password} (the raw bytes the client sent, UTF-8 by RFC 4616) matches. Blocking. */
    boolean verify(byte[] password);

    /** The scheme name for messages: {@code bcrypt} or {@code argon2id}. */
    String scheme();

    /**
     * Parses the hash half of a password-file line. The exception message names the scheme and the
     * reason, never the hash, so it can go into a {@code file:line} error.
     */
    static PasswordHash parse(String encoded) {
        if (encoded.startsWith("$2a$") || encoded.startsWith("$2b$") || encoded.startsWith("$2y$")) {
            return BcryptHash.parse(encoded);
        }
        if (encoded.startsWith("$argon2id$")) {
            return Argon2idHash.parse(encoded);
        }
        throw new IllegalArgumentException(unknownScheme(encoded));
    }

    private static String unknownScheme(String encoded) {
        String id = null;
        if (encoded.startsWith("$")) {
            int end = encoded.indexOf('$', 1);
            if (end > 0 && end <= 16) id = encoded.substring(0, end + 1); // "$6$", "$argon2i$", "$1$"
        } else if (encoded.startsWith("{")) {
            int end = encoded.indexOf('}');
            if (end > 0 && end <= 16) id = encoded.substring(0, end + 1); // "{SSHA}", "{CRYPT}"
        }
        String what = id == null
                ? "not a recognised password hash (a plaintext password?)"
                : "unknown hash scheme \"" + id + "\"";
        return what + "; supported: bcrypt ($2a$, $2b$, $2y$) and argon2id ($argon2id$v=19$...)";
    }
}
