// FailTable: fail:name -- every lookup fails (Postfix dict_fail), so callers take their temporary
// failure path (451 4.3.5); used to test that path and to disable a map loudly.
package org.postern.policies.table;

import java.util.Optional;

/** A table whose every lookup is an error. */
final class FailTable implements LookupTable {
    private final String spec;

    FailTable(String spec) {
        this.spec = spec;
    }

    @Override
    public String spec() {
        return spec;
    }

    @Override
    public Optional<TableEntry> find(String key) throws TableLookupException {
        throw new TableLookupException(spec, "fail: table");
    }

    @Override
    public boolean isPattern() {
        return false;
    }
}
