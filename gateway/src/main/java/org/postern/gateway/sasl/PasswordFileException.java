// PasswordFileException: a malformed line in the SASL password file (main.cf
// smtpd_sasl_password_file); the message reads "PATH:LINE: what is wrong" and never contains a hash.
package org.postern.gateway.sasl;

import java.nio.file.Path;

/** The password file could not be loaded; {@link #getMessage()} is {@code PATH:LINE: reason}. */
public final class PasswordFileException extends Exception {
    private static final long serialVersionUID = 1L;

    private final Path file;
    private final int line;

    public PasswordFileException(Path file, int line, String reason) {
        super(file + ":" + line + ": " + reason);
        this.file = file;
        this.line = line;
    }

    public Path file() {
        return file;
    }

    public int line() {
        return line;
    }
}
