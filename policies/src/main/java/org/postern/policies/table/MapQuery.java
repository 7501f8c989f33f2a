// MapQuery: `postern -c DIR map -q KEY TYPE:NAME...` and `map -q - TYPE:NAME... <keys`, with the
// semantics of postmap -q: the first table that has the key answers, the value (or key<TAB>value
// per input line) goes to stdout, exit status 0 when found and 1 when not (or on an error).
package org.postern.policies.table;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.postern.core.Origin;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.Diagnostic;

/**
 * The CLI logic of table queries, pure apart from reading the table files: it returns the text
 * and exit status, and the caller prints them. Blocking (reads files).
 */
public final class MapQuery {
    private MapQuery() {}

    /** Where command-line table names are reported. */
    static final Origin COMMAND_LINE = new Origin("command line", 0);

    /**
     * What the command prints and its exit status.
     *
     * @param exitStatus 0 when a key was found, 1 when none was (or a table failed, as postmap's fatal errors)
     * @param stdout     the value and a newline (-q KEY), or one "key\tvalue\n" line per key found (-q -)
     * @param stderr     warnings and errors, one per line ("FILE:LINE: warning: ..."), or empty
     */
    public record Outcome(int exitStatus, String stdout, String stderr) {}

    /**
     * {@code postmap -q KEY TABLE...}: the tables are opened in order, each only if the ones before
     * did not have the key. A name without "type:" gets {@code defaultType} (default_database_type).
     * Keys are folded to lower case for indexed tables, as postmap does.
     */
    public static Outcome query(String key, List<String> tables, Path configDir, String defaultType) {
        Session s = new Session(tables, configDir, defaultType);
        try {
            for (int i = 0; i < tables.size(); i++) {
                Optional<TableEntry> e = s.table(i).find(key);
                if (e.isPresent()) return s.done(0, e.get().value() + "\n");
            }
            return s.done(1, "");
        } catch (Failure f) {
            return s.done(1, "");
        } catch (TableLookupException e) {
            s.err.append("fatal: ").append(e.getMessage()).append('\n');
            return s.done(1, "");
        }
    }

    /** As {@link #query(String, List, Path, String)} with default_database_type "hash". */
    public static Outcome query(String key, List<String> tables, Path configDir) {
        return query(key, tables, configDir, "hash");
    }

    /**
     * {@code postmap -q - TABLE... <input}: one key per line of {@code input} (without its newline);
     * for each key the first table that has it prints "key\tvalue". Exit status 0 when any key was
     * found. A lookup error stops the run (output so far is kept).
     */
    public static Outcome queryKeys(String input, List<String> tables, Path configDir, String defaultType) {
        Session s = new Session(tables, configDir, defaultType);
        StringBuilder out = new StringBuilder();
        boolean found = false;
        try {
            for (String key : lines(input)) {
                for (int i = 0; i < tables.size(); i++) {
                    Optional<TableEntry> e = s.table(i).find(key);
                    if (e.isPresent()) {
                        out.append(key).append('\t').append(e.get().value()).append('\n');
                        found = true;
                        break;
                    }
                }
            }
        } catch (Failure f) {
            return s.done(1, out.toString());
        } catch (TableLookupException e) {
            s.err.append("fatal: ").append(e.getMessage()).append('\n');
            return s.done(1, out.toString());
        }
        return s.done(found ? 0 : 1, out.toString());
    }

    /** As {@link #queryKeys(String, List, Path, String)} with default_database_type "hash". */
    public static Outcome queryKeys(String input, List<String> tables, Path configDir) {
        return queryKeys(input, tables, configDir, "hash");
    }

    private static List<String> lines(String input) {
        List<String> keys = new ArrayList<>(List.of(input.split("\n", -1)));
        if (!keys.isEmpty() && keys.get(keys.size() - 1).isEmpty()) keys.remove(keys.size() - 1);
        return keys;
    }

    /** A table that could not be opened; its diagnostics are already in stderr. */
    private static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure() {
            super(null, null, false, false);
        }
    }

    /** The tables of one command, opened lazily in order, and the stderr text collected. */
    private static final class Session {
        private final List<String> specs;
        private final Tables tables;
        private final String defaultType;
        private final LookupTable[] opened;
        private final StringBuilder err = new StringBuilder();

        Session(List<String> specs, Path configDir, String defaultType) {
            if (specs.isEmpty()) throw new IllegalArgumentException("no table given");
            this.specs = List.copyOf(specs);
            this.tables = new Tables(configDir);
            this.defaultType = defaultType;
            this.opened = new LookupTable[specs.size()];
        }

        LookupTable table(int i) throws Failure {
            if (opened[i] == null) {
                String spec = specs.get(i);
                if (spec.indexOf(':') < 0) spec = defaultType + ":" + spec;
                try {
                    opened[i] = tables.open(spec, COMMAND_LINE);
                } catch (ConfigException e) {
                    for (Diagnostic d : e.diagnostics()) err.append(d).append('\n');
                    throw new Failure();
                } finally {
                    for (Diagnostic d : tables.warnings()) {
                        if (err.indexOf(d.toString()) < 0) err.append(d).append('\n');
                    }
                }
            }
            return opened[i];
        }

        Outcome done(int status, String stdout) {
            return new Outcome(status, stdout, err.toString());
        }
    }
}
