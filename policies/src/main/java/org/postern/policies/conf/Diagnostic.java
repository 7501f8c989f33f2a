// Diagnostic: one warning or error found while loading main.cf/master.cf, with the file:line it
// is about. Printed as "PATH:LINE: warning: MESSAGE" so postmasters (and editors) can jump to it;
// carried by ConfigException (errors) and Config.warnings() (non-fatal findings).
package org.postern.policies.conf;

import java.util.Objects;
import org.postern.core.Origin;

/** A load-time finding about a configuration file line (or a built-in default). */
public record Diagnostic(Origin origin, Severity severity, String message) {

    /** Warnings are reported and the configuration is used; any error rejects the whole load. */
    public enum Severity {
        WARNING, ERROR;

        String label() {
            return this == WARNING ? "warning" : "error";
        }
    }

    public Diagnostic {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(message, "message");
    }

    public static Diagnostic warning(Origin origin, String message) {
        return new Diagnostic(origin, Severity.WARNING, message);
    }

    public static Diagnostic error(Origin origin, String message) {
        return new Diagnostic(origin, Severity.ERROR, message);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** {@code /etc/postern/main.cf:12: error: MESSAGE}; a whole-file finding has no line number. */
    @Override
    public String toString() {
        return origin + ": " + severity.label() + ": " + message;
    }
}
