// ConfiguredCommand: what every postern subcommand does first -- load and validate main.cf and
// master.cf from -c DIR into a Config snapshot, show its warnings, and read the parameters the
// command needs (InstanceSettings). Governed by -c/--config-dir.
package org.postern.appliance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import org.postern.policies.conf.Config;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.Diagnostic;
import picocli.CommandLine.ParentCommand;

/** Base of the subcommands; a ConfigException or Fatal thrown from call() is reported by Main. */
abstract class ConfiguredCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    /** The loaded configuration; its warnings go to stderr when {@code printWarnings}. */
    Config loadConfig(boolean printWarnings) throws ConfigException, Fatal {
        Path dir = main.configDirectory();
        if (!Files.isDirectory(dir)) throw new Fatal("configuration directory " + dir + ": No such directory");
        Config config = Config.load(dir);
        if (printWarnings) {
            for (Diagnostic warning : config.warnings()) main.err().println(warning);
            main.err().flush();
        }
        return config;
    }

    /** Creates data_directory (mode 0700) if missing. */
    static void createDataDirectory(InstanceSettings settings) throws IOException {
        Path dir = settings.dataDirectory();
        if (Files.isDirectory(dir)) return;
        Files.createDirectories(dir.getParent());
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) throw e;
        }
    }

    PidFile pidFile(InstanceSettings settings) {
        return new PidFile(settings.pidFile());
    }
}
