// Origin: where a decision came from -- the file:line of the rule (or a built-in default) that
// decided. Carried by every reply, verdict and delivery decision into the mail log (invariant 8).
package org.postern.core;

import java.util.Objects;

/** The file and line of the rule that decided; {@code line == 0} for a built-in behaviour. */
public record Origin(String file, int line) {
    public Origin {
        Objects.requireNonNull(file, "file");
        if (line < 0) throw new IllegalArgumentException("line < 0: " + line);
    }

    /** A decision made by built-in behaviour rather than a postmaster's rule, e.g. {@code builtin("smtpd")}. */
    public static Origin builtin(String what) {
        return new Origin("builtin:" + what, 0);
    }

    public boolean isBuiltin() {
        return line == 0 && file.startsWith("builtin:");
    }

    @Override
    public String toString() {
        return line == 0 ? file : file + ":" + line;
    }
}
