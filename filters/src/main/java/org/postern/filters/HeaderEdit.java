// HeaderEdit: one header change a filter asks the vscan stage to make before reinjection (rspamd's
// milter add_headers/remove_headers, e.g. a DKIM-Signature, X-Spam-* tags). Applied in order by the
// vscan stage, which writes the changed headers and copies the body byte for byte; immutable.
package org.postern.filters;

import java.util.Objects;

/**
 * @param op    ADD prepends (order 0) or inserts at {@code index}; REMOVE deletes the {@code index}-th
 *              occurrence of {@code name} (1-based; 0 removes all)
 * @param name  header name, case as it should be written
 * @param value header value (ADD only; folded lines use CRLF + whitespace), else ""
 * @param index see op
 */
public record HeaderEdit(Op op, String name, String value, int index) {
    public enum Op { ADD, REMOVE }

    public HeaderEdit {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(name, "name");
        value = value == null ? "" : value;
        if (index < 0) throw new IllegalArgumentException("index " + index);
    }

    public static HeaderEdit add(String name, String value) {
        return new HeaderEdit(Op.ADD, name, value, 0);
    }

    public static HeaderEdit remove(String name) {
        return new HeaderEdit(Op.REMOVE, name, "", 0);
    }
}
