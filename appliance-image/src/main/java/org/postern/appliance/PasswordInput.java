// PasswordInput: reads the new password for `postern passwd` -- twice, without echo, from a
// terminal; or one line from standard input when there is none (scripts: `echo pw | postern
// passwd alice`). Feeds smtpd_sasl_password_file through PasswordFile.
package org.postern.appliance;

import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Returns passwords as char[] so callers can wipe them; an empty password is refused. */
final class PasswordInput {
    static final int MAX_LENGTH = 1024;

    private PasswordInput() {}

    /** From {@code console} when there is one, else one line of {@code stdin} (UTF-8). */
    static char[] read(Console console, InputStream stdin, String user) throws IOException, Fatal {
        return console != null
                ? fromConsole(console, user)
                : fromLine(new InputStreamReader(stdin, StandardCharsets.UTF_8));
    }

    /** One line; the trailing LF or CRLF is not part of the password. Reads nothing past the line. */
    static char[] fromLine(Reader in) throws IOException, Fatal {
        char[] buffer = new char[MAX_LENGTH + 1]; // room for a CR before the LF
        int length = 0;
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            if (length == buffer.length) break;
            buffer[length++] = (char) c;
        }
        if (length > 0 && buffer[length - 1] == '\r') length--;
        if (length > MAX_LENGTH) {
            Arrays.fill(buffer, '\0');
            throw new Fatal("password longer than " + MAX_LENGTH + " characters refused");
        }
        char[] password = Arrays.copyOf(buffer, length);
        Arrays.fill(buffer, '\0');
        return nonEmpty(password);
    }

    static char[] fromConsole(Console console, String user) throws Fatal {
        char[] first = console.readPassword("New password for %s: ", user);
        if (first == null) throw new Fatal("no password given");
        char[] second = console.readPassword("Retype new password for %s: ", user);
        try {
            if (second == null || !Arrays.equals(first, second)) {
                Arrays.fill(first, '\0');
                throw new Fatal("the passwords do not match; nothing changed");
            }
        } finally {
            if (second != null) Arrays.fill(second, '\0');
        }
        return nonEmpty(first);
    }

    private static char[] nonEmpty(char[] password) throws Fatal {
        if (password.length == 0) throw new Fatal("empty password refused");
        return password;
    }
}
