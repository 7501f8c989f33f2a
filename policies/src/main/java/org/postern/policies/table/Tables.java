// Tables: opens the lookup tables a configuration names (type:name, as in main.cf) while it loads --
// reading and checking each source file once, sharing one instance per table, and remembering the
// files read (path, size, mtime) so `postern reload` can tell whether any changed on disk.
package org.postern.policies.table;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postern.core.Origin;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.Diagnostic;

/**
 * The table registry of one configuration load. Blocking (reads files): use it from a worker
 * thread while a configuration snapshot is built, never from an event loop; the tables it returns
 * are immutable and their lookups never block.
 */
public final class Tables {

    /** Indexed types: all read from the text file postmap(1) would compile (no .db is read). */
    static final Set<String> INDEXED = Set.of("hash", "btree", "dbm", "lmdb", "cdb", "sdbm", "texthash");

    /** Types Postern supports, for error messages. */
    static final String SUPPORTED = "hash, btree, dbm, lmdb, cdb, sdbm, texthash, regexp, pcre, cidr, inline, static,"
            + " fail (and proxy:TYPE:NAME, read directly)";

    private static final Set<String> POSTFIX_ONLY = Set.of("ldap", "mysql", "pgsql", "sqlite", "memcache", "tcp",
            "socketmap", "unix", "nis", "nisplus", "netinfo", "environ", "internal", "randmap", "pipemap", "unionmap",
            "mongodb");

    private final Path configDir;
    private final Map<String, LookupTable> cache = new HashMap<>();
    private final Map<String, ConfigException> failures = new HashMap<>();
    private final Map<Path, SourceFile> sources = new LinkedHashMap<>();
    private final List<Diagnostic> warnings = new ArrayList<>();

    /** A registry whose relative table file names resolve against {@code configDir}. */
    public Tables(Path configDir) {
        this.configDir = configDir;
    }

    /**
     * Opens one table without a registry (no sharing, warnings dropped); see {@link #open(String, Origin)}.
     */
    public static LookupTable open(String spec, Path configDir, Origin referredFrom) throws ConfigException {
        return new Tables(configDir).open(spec, referredFrom);
    }

    /**
     * Opens {@code spec} (e.g. {@code hash:/etc/postern/access}, {@code cidr:client.cidr},
     * {@code inline:{a=OK}}), or returns the instance already opened for the same table in this
     * load. Relative file names resolve against the configuration directory. A table that failed
     * to load fails again with the same exception (its errors are reported once per load).
     *
     * @param referredFrom the main.cf (or master.cf) line that names the table: errors about the
     *                     name itself (unknown type, missing file) are reported there
     * @throws ConfigException with every error found; errors inside a table file name its file:line
     */
    public synchronized LookupTable open(String spec, Origin referredFrom) throws ConfigException {
        String s = spec.strip();
        int start = 0; // proxy:TYPE:NAME is TYPE:NAME read directly ("proxy:" may repeat)
        while (s.startsWith("proxy:", start)) start = TableSource.skipSpace(s, start + 6);
        s = s.substring(start);
        int colon = s.indexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw failure(referredFrom, "bad lookup table \"" + abbreviate(spec)
                    + "\": expected type:name, e.g. hash:/etc/postern/access");
        }
        String type = s.substring(0, colon);
        String name = s.substring(colon + 1);
        String key = type + ":" + (isFileType(type) && !name.startsWith("{") ? resolve(name, s, referredFrom) : name);
        LookupTable table = cache.get(key);
        if (table != null) return table;
        ConfigException failed = failures.get(key);
        if (failed != null) throw failed; // reported once per load, not once per reference
        try {
            table = load(type, name, s, referredFrom);
        } catch (ConfigException e) {
            failures.put(key, e);
            throw e;
        }
        cache.put(key, table);
        return table;
    }

    /** The files read so far, in the order first read, with the size and mtime seen before reading. */
    public synchronized List<SourceFile> sources() {
        return List.copyOf(sources.values());
    }

    /** Warnings (duplicate keys, ...) from the tables opened so far, each naming its file:line. */
    public synchronized List<Diagnostic> warnings() {
        return List.copyOf(warnings);
    }

    private LookupTable load(String type, String name, String spec, Origin from) throws ConfigException {
        List<Diagnostic> found = new ArrayList<>();
        LookupTable table;
        try {
            if (INDEXED.contains(type)) {
                if (name.startsWith("{")) throw new IllegalArgumentException("a " + type + ": table is a file; use inline:{...}");
                table = new IndexedTable(spec, PostmapSource.parse(read(name, spec, from), found));
            } else if (type.equals("regexp") || type.equals("pcre")) {
                RegexpTableParser.Dialect d = type.equals("regexp") ? RegexpTableParser.Dialect.REGEXP
                        : RegexpTableParser.Dialect.PCRE;
                table = RegexpTableParser.parse(spec, d, rules(name, spec, from), found);
            } else if (type.equals("cidr")) {
                table = CidrTable.parse(spec, rules(name, spec, from), found);
            } else if (type.equals("inline")) {
                table = new IndexedTable(spec, InlineEntries.parse(name, from, found));
            } else if (type.equals("static")) {
                table = StaticTable.of(spec, name, from);
            } else if (type.equals("fail")) {
                table = new FailTable(spec);
            } else if (POSTFIX_ONLY.contains(type)) {
                throw new IllegalArgumentException("lookup table type \"" + type + "\" is not supported by Postern;"
                        + " supported: " + SUPPORTED);
            } else {
                throw new IllegalArgumentException("unknown lookup table type \"" + type + "\"; supported: " + SUPPORTED);
            }
        } catch (IllegalArgumentException e) {
            found.add(Diagnostic.error(from, spec + ": " + e.getMessage()));
            throw new ConfigException(found);
        }
        found.sort(Comparator.comparing((Diagnostic d) -> d.origin().file()).thenComparingInt(d -> d.origin().line()));
        if (found.stream().anyMatch(Diagnostic::isError)) throw new ConfigException(found);
        warnings.addAll(found);
        return table;
    }

    /** The rules of a pattern table: its file, or the {rule} lines of the inline form type:{ {rule}, ... }. */
    private List<TableSource.Line> rules(String name, String spec, Origin from) throws ConfigException {
        return name.startsWith("{") ? TableSource.inlineRules(name, from) : read(name, spec, from);
    }

    /** Reads a table source file; a missing or unreadable file is an error at {@code from}. */
    private List<TableSource.Line> read(String name, String spec, Origin from) throws ConfigException {
        Path file = resolve(name, spec, from);
        List<Diagnostic> found = new ArrayList<>();
        try {
            SourceFile seen = SourceFile.of(file);
            List<TableSource.Line> lines = TableSource.read(file, found);
            sources.putIfAbsent(file, seen);
            if (found.stream().anyMatch(Diagnostic::isError)) throw new ConfigException(found);
            return lines;
        } catch (NoSuchFileException e) {
            String hint = Files.exists(Path.of(file + ".db")) || Files.exists(Path.of(file + ".lmdb"))
                    ? " (Postern reads the text file that postmap(1) compiles, not the compiled " + file.getFileName()
                    + ".db)" : "";
            throw failure(from, spec + ": cannot open " + file + ": no such file" + hint);
        } catch (IOException e) {
            throw failure(from, spec + ": cannot read " + file + ": " + reason(e));
        }
    }

    private Path resolve(String name, String spec, Origin from) throws ConfigException {
        try {
            Path p = Path.of(name);
            return (p.isAbsolute() ? p : configDir.resolve(p)).normalize();
        } catch (InvalidPathException e) {
            throw failure(from, spec + ": bad file name \"" + name + "\"");
        }
    }

    private static boolean isFileType(String type) {
        return INDEXED.contains(type) || type.equals("regexp") || type.equals("pcre") || type.equals("cidr");
    }

    /** What went wrong, in words (not the exception's class name). */
    static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) return f.getReason();
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static String abbreviate(String spec) {
        return spec.length() > 200 ? spec.substring(0, 200) + "..." : spec;
    }

    private static ConfigException failure(Origin from, String message) {
        return new ConfigException(List.of(Diagnostic.error(from, message)));
    }
}
