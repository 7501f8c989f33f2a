// ConfigException: main.cf/master.cf could not be loaded; carries every diagnostic found (errors
// and the warnings seen alongside them), so a postmaster fixes all problems in one pass. The old
// snapshot stays in service when a reload throws this (ARCHITECTURE.md invariant 5).
package org.postern.policies.conf;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown by {@link Config#load} and {@link Config#withOverrides} when at least one error was found. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<Diagnostic> diagnostics;

    public ConfigException(List<Diagnostic> diagnostics) {
        super(diagnostics.stream().map(Diagnostic::toString).collect(Collectors.joining("\n")));
        if (diagnostics.isEmpty()) throw new IllegalArgumentException("no diagnostics");
        this.diagnostics = List.copyOf(diagnostics);
    }

    /** All diagnostics, errors and warnings, ordered by file and line. */
    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }

    /** Only the errors (the reason the load failed). */
    public List<Diagnostic> errors() {
        return diagnostics.stream().filter(Diagnostic::isError).toList();
    }
}
