// ConfFiles: test helper that writes main.cf/master.cf into a temporary directory (or finds a
// fixture directory under src/test/resources) for the configuration tests.
package org.postern.policies.conf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

final class ConfFiles {
    private ConfFiles() {}

    static final String SMTP_ONLY = "smtp inet n - n - - smtpd\n";

    /** Writes main.cf and a one-service master.cf; returns {@code dir}. */
    static Path write(Path dir, String mainCf) {
        return write(dir, mainCf, SMTP_ONLY);
    }

    /** Writes main.cf and master.cf; a null text leaves that file out. */
    static Path write(Path dir, String mainCf, String masterCf) {
        try {
            if (mainCf != null) Files.writeString(dir.resolve("main.cf"), mainCf);
            if (masterCf != null) Files.writeString(dir.resolve("master.cf"), masterCf);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loads {@code mainCf} (with a one-service master.cf) from {@code dir}. */
    static Config load(Path dir, String mainCf) throws ConfigException {
        return Config.load(write(dir, mainCf));
    }

    /** The diagnostics of a load that must fail. */
    static ConfigException failure(Path dir, String mainCf, String masterCf) {
        write(dir, mainCf, masterCf);
        try {
            Config.load(dir);
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("expected a ConfigException");
    }

    /** A fixture directory under src/test/resources/org/postern/policies/conf. */
    static Path fixture(String name) {
        URL url = ConfFiles.class.getResource(name);
        if (url == null) throw new IllegalArgumentException("no fixture " + name);
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static String mainCf(Path dir, int line) {
        return dir.resolve("main.cf") + ":" + line;
    }

    static String masterCf(Path dir, int line) {
        return dir.resolve("master.cf") + ":" + line;
    }
}
