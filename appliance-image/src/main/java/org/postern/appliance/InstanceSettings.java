// InstanceSettings: the main.cf parameters the postern command itself needs (where the pid file,
// queue, mail log and SASL password file live; how long a stop may take), read once from Config.
// Governed by queue_directory, data_directory, maillog_file, syslog_name, syslog_facility,
// myhostname, smtpd_sasl_password_file, smtpd_shutdown_timeout.
package org.postern.appliance;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.postern.policies.conf.Config;

/** The appliance's view of one configuration directory. */
record InstanceSettings(
        Path configDir,
        Path queueDirectory,
        Path dataDirectory,
        Optional<Path> maillogFile,
        String syslogName,
        String syslogFacility,
        String myhostname,
        Optional<Path> saslPasswordFile,
        Duration shutdownTimeout) {

    static final String DEFAULT_SYSLOG_NAME = "postern";
    static final String DEFAULT_SYSLOG_FACILITY = "mail";
    static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    /** Reads the parameters; a required one left empty is a {@link Fatal} naming it. */
    static InstanceSettings of(Config config) throws Fatal {
        Path dir = config.configDir().toAbsolutePath().normalize();
        return new InstanceSettings(
                dir,
                required(config, dir, "queue_directory"),
                required(config, dir, "data_directory"),
                optional(config, "maillog_file").map(v -> resolve(dir, v)),
                optional(config, "syslog_name").orElse(DEFAULT_SYSLOG_NAME),
                optional(config, "syslog_facility").orElse(DEFAULT_SYSLOG_FACILITY).toLowerCase(Locale.ROOT),
                optional(config, "myhostname").orElseGet(InstanceSettings::systemHostname),
                optional(config, "smtpd_sasl_password_file").map(v -> resolve(dir, v)),
                optional(config, "smtpd_shutdown_timeout").isPresent()
                        ? config.getTime("smtpd_shutdown_timeout")
                        : DEFAULT_SHUTDOWN_TIMEOUT);
    }

    /** $data_directory/master.pid: the running instance's process id, written once it accepts mail. */
    Path pidFile() {
        return dataDirectory.resolve("master.pid");
    }

    /** $data_directory/master.lock: held by the running instance for its whole life. */
    Path lockFile() {
        return dataDirectory.resolve("master.lock");
    }

    /** $data_directory/postern.out: standard output and error of an instance started by `postern start`. */
    Path outputFile() {
        return dataDirectory.resolve("postern.out");
    }

    private static Path required(Config config, Path dir, String name) throws Fatal {
        return resolve(dir, optional(config, name)
                .orElseThrow(() -> new Fatal(name + " is not set in " + dir.resolve("main.cf"))));
    }

    private static Optional<String> optional(Config config, String name) {
        String value = config.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    /** Relative paths in main.cf are taken relative to the configuration directory. */
    private static Path resolve(Path configDir, String value) {
        return configDir.resolve(value).normalize();
    }

    private static String systemHostname() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }
}
