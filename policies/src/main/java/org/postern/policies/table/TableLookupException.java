// TableLookupException: a lookup table could not answer (fail: tables; later remote tables). The
// SMTP server answers such a lookup with a temporary failure (451 4.3.5 Server configuration
// error in Postfix), never with "not found": a broken table must not open the gate.
package org.postern.policies.table;

/** A lookup that failed; callers must treat it as a temporary failure. */
public final class TableLookupException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String spec;

    public TableLookupException(String spec, String reason) {
        super("table " + spec + ": lookup error: " + reason);
        this.spec = spec;
    }

    /** The table that failed, as named in main.cf. */
    public String spec() {
        return spec;
    }
}
