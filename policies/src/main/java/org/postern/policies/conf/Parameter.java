// Parameter: the declaration of one main.cf parameter Postern reads -- name, type, default and a
// one-line doc -- as Postfix's mail_params.h keeps VAR_/DEF_ together. Declared once, in
// Parameters; Config validates values against it and `postern config` prints it.
package org.postern.policies.conf;

import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/**
 * One declared main.cf parameter.
 *
 * @param name            the main.cf name, identical to Postfix's where Postfix has the same parameter
 * @param type            how the (expanded) value is validated and read
 * @param defaultValue    the unexpanded default as main.cf text (may contain $name); for a computed
 *                        default ({@code computedDefault}) a description such as "the machine's FQDN"
 * @param defaultUnit     for {@link Type#TIME}: the unit of a bare number (Postfix semantics); else null
 * @param choices         for {@link Type#STRING}: the allowed values (empty list = any value)
 * @param doc             one-line description
 * @param computedDefault true when the default is computed at load time (myhostname, mydomain, ...)
 */
public record Parameter(String name, Type type, String defaultValue, ChronoUnit defaultUnit,
                        List<String> choices, String doc, boolean computedDefault) {

    /** Value types, as Postfix's mail_conf_{str,bool,int,long,time} readers. */
    public enum Type {
        /** Any text. */
        STRING,
        /** yes/no (also true/false), case-insensitive. */
        BOOL,
        /** A non-negative decimal number that fits in 32 bits. */
        INT,
        /** A non-negative decimal number that fits in 64 bits. */
        LONG,
        /** A non-negative number with an optional unit suffix: ms, s, m, h, d, w. */
        TIME,
        /** Entries separated by commas and/or whitespace; a {...} group is one entry. */
        LIST
    }

    public Parameter {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(defaultValue, "defaultValue");
        Objects.requireNonNull(doc, "doc");
        choices = List.copyOf(choices);
        if ((type == Type.TIME) != (defaultUnit != null)) {
            throw new IllegalArgumentException(name + ": a default unit is required for TIME parameters only");
        }
        if (!choices.isEmpty() && type != Type.STRING) {
            throw new IllegalArgumentException(name + ": choices apply to STRING parameters only");
        }
    }
}
