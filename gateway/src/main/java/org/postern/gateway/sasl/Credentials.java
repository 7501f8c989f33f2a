// Credentials: what an AUTH PLAIN or AUTH LOGIN exchange (RFC 4954) yielded -- the authentication
// identity and the password bytes -- handed by smtpd to PasswordFile.verify on a worker thread.
// Governed by main.cf smtpd_sasl_auth_enable / smtpd_sasl_password_file.
package org.postern.gateway.sasl;

import java.util.Arrays;
import java.util.Objects;

/**
 * An authentication identity (UTF-8, non-empty, no NUL) and its password (raw bytes, non-empty).
 * {@link #toString()} never shows the password; call {@link #wipe()} once it has been checked.
 */
public record Credentials(String authcid, byte[] password) {
    public Credentials {
        Objects.requireNonNull(authcid, "authcid");
        Objects.requireNonNull(password, "password");
    }

    /** Overwrites the password bytes with zeros. */
    public void wipe() {
        Arrays.fill(password, (byte) 0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Credentials c && c.authcid.equals(authcid) && Arrays.equals(c.password, password);
    }

    @Override
    public int hashCode() {
        return authcid.hashCode();
    }

    @Override
    public String toString() {
        return "Credentials[authcid=" + authcid + ", password=<" + password.length + " bytes>]";
    }
}
