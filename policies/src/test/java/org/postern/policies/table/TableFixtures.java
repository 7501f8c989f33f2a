// TableFixtures: test helper for the lookup-table tests -- the fixture files under
// src/test/resources/org/postern/policies/table, temporary table files, and opening tables the
// way a configuration load does (Tables, with a main.cf origin).
package org.postern.policies.table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.postern.core.Origin;
import org.postern.policies.conf.ConfigException;

final class TableFixtures {
    private TableFixtures() {}

    /** The main.cf line that "names" the tables opened by these tests. */
    static final Origin MAIN_CF = new Origin("/etc/postern/main.cf", 7);

    /** A fixture file under src/test/resources/org/postern/policies/table. */
    static Path fixture(String name) {
        URL url = TableFixtures.class.getResource(name);
        if (url == null) throw new IllegalArgumentException("no fixture " + name);
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Path write(Path dir, String name, String content) {
        try {
            Path file = dir.resolve(name);
            Files.writeString(file, content, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Opens {@code spec} with relative names resolved against {@code dir}. */
    static LookupTable open(Path dir, String spec) throws ConfigException {
        return Tables.open(spec, dir, MAIN_CF);
    }

    /** Writes {@code content} to dir/name and opens type:name. */
    static LookupTable table(Path dir, String type, String content) throws ConfigException {
        write(dir, "table", content);
        return open(dir, type + ":table");
    }

    /** The diagnostics of an open that must fail. */
    static ConfigException failure(Path dir, String spec) {
        try {
            open(dir, spec);
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("expected a ConfigException for " + spec);
    }

    /** The error of a table whose content must be refused. */
    static ConfigException failure(Path dir, String type, String content) {
        write(dir, "table", content);
        return failure(dir, type + ":table");
    }

    /** The value found for {@code key}, or null. */
    static String value(LookupTable t, String key) throws TableLookupException {
        return t.find(key).map(TableEntry::value).orElse(null);
    }

    static String at(Path dir, int line) {
        return dir.resolve("table") + ":" + line;
    }
}
