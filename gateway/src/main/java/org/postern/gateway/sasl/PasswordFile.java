// PasswordFile: the SASL password file (DIR/sasl_passwd, main.cf smtpd_sasl_password_file), one
// "user:hash" line each, bcrypt or argon2id hashes. Read by smtpd AUTH, written by `postern passwd`.
package org.postern.gateway.sasl;

import java.io.IOException;
import java.nio.file.Path;

/** STUB: owned by the sasl helper; replaced by the real implementation. */
public final class PasswordFile {
    private PasswordFile() {}

    /** Adds or replaces USER's entry (argon2id), atomically, keeping other lines; file mode 0600. Blocking. */
    public static void set(Path file, String user, char[] password) throws IOException {
        throw new UnsupportedOperationException("not built yet");
    }
}
