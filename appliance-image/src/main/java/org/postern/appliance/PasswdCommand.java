// PasswdCommand: `postern passwd USER`, sets (adds or replaces) USER's password for SMTP AUTH in
// the SASL password file; other users' lines are kept. Governed by smtpd_sasl_password_file.
package org.postern.appliance;

import java.nio.file.Path;
import java.util.Arrays;
import org.postern.gateway.sasl.PasswordFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "passwd",
        description = "Set USER's SMTP AUTH password in smtpd_sasl_password_file. Without a terminal the "
                + "password is read as one line from standard input.")
final class PasswdCommand extends ConfiguredCommand {
    @Parameters(index = "0", paramLabel = "USER", description = "SASL user name (no ':', no white space).")
    String user;

    @Override
    public Integer call() throws Exception {
        checkUserName(user);
        InstanceSettings settings = InstanceSettings.of(loadConfig(false));
        Path file = settings.saslPasswordFile()
                .orElseThrow(() -> new Fatal("smtpd_sasl_password_file is not set in "
                        + settings.configDir().resolve("main.cf")));
        char[] password = PasswordInput.read(System.console(), System.in, user);
        try {
            PasswordFile.set(file, user, password);
        } catch (IllegalArgumentException e) {
            throw new Fatal(e.getMessage()); // a user name or password the file cannot hold
        } finally {
            Arrays.fill(password, '\0');
        }
        main.out().println(Main.SCRIPT + "password for " + user + " set in " + file);
        return Main.OK;
    }

    /** The file holds "user:hash" lines, so ':' and line breaks would corrupt it. */
    static void checkUserName(String user) throws Fatal {
        if (user.isEmpty()) throw new Fatal("empty user name");
        for (int i = 0; i < user.length(); i++) {
            char c = user.charAt(i);
            if (c == ':' || Character.isWhitespace(c) || Character.isISOControl(c)) {
                throw new Fatal("invalid user name \"" + user.replaceAll("\\p{Cntrl}", "?")
                        + "\": no ':', white space or control characters allowed");
            }
        }
    }
}
