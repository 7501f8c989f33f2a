// BcryptHash: a bcrypt hash ($2a$, $2b$, $2y$, as htpasswd -B writes) in the SASL password file
// (main.cf smtpd_sasl_password_file). Verified with BouncyCastle's OpenBSDBCrypt, which compares in
// constant time and, like OpenBSD, uses only the first 72 password bytes.
package org.postern.gateway.sasl;

import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/** An immutable bcrypt hash string, format-checked at load time. */
final class BcryptHash implements PasswordHash {
    // $2y$ + two-digit cost 04..31 + $ + 22 chars of salt + 31 chars of hash, bcrypt's own base64 alphabet
    private static final Pattern FORMAT =
            Pattern.compile("\\$2[aby]\\$(0[4-9]|[12][0-9]|3[01])\\$[./A-Za-z0-9]{53}");

    private final String encoded;

    private BcryptHash(String encoded) {
        this.encoded = encoded;
    }

    static BcryptHash parse(String encoded) {
        if (!FORMAT.matcher(encoded).matches()) {
            throw new IllegalArgumentException(
                    "malformed bcrypt hash (expected $2y$NN$ + 53 characters, cost NN 04..31)");
        }
        return new BcryptHash(encoded);
    }

    @Override
    public boolean verify(byte[] password) {
        try {
            return OpenBSDBCrypt.checkPassword(encoded, password);
        } catch (RuntimeException e) { // format was checked at load; defensive only
            return false;
        }
    }

    @Override
    public String scheme() {
        return "bcrypt";
    }

    @Override
    public String toString() {
        return "BcryptHash[" + encoded.substring(0, 7) + "...]";
    }
}
