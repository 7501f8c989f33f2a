// ConfigLoader: Config.load -- reads DIR/main.cf and DIR/master.cf, builds the main snapshot,
// picks the smtpd services and validates each one's -o overrides, then reports main.cf names
// Postern does not use (Postfix-only: warning; unknown: warning with a "did you mean").
package org.postern.policies.conf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postern.core.Origin;

/** Loads and cross-checks main.cf and master.cf. */
final class ConfigLoader {
    private ConfigLoader() {}

    private static final Comparator<Diagnostic> BY_PLACE =
            Comparator.comparing((Diagnostic d) -> d.origin().isBuiltin())
                    .thenComparing(d -> d.origin().file())
                    .thenComparingInt(d -> d.origin().line());

    /** Unknown names that get a "did you mean"; a file with more is not a file of typos. */
    static final int MAX_SUGGESTIONS = 100;

    static Config load(Path dir) throws ConfigException {
        Set<Diagnostic> found = new LinkedHashSet<>();
        if (!Files.isDirectory(dir)) {
            throw new ConfigException(List.of(Diagnostic.error(new Origin(dir.toString(), 0),
                    "configuration directory not found")));
        }
        String mainFile = dir.resolve("main.cf").toString();
        String masterFile = dir.resolve("master.cf").toString();
        List<Diagnostic> parsed = new ArrayList<>();

        String mainText = read(dir.resolve("main.cf"), parsed, "using built-in defaults for every parameter");
        Map<String, Setting> settings = mainText == null ? Map.of() : MainCfParser.parse(mainText, mainFile, parsed);

        String masterText = read(dir.resolve("master.cf"), parsed,
                "using the default services \"smtp inet n - n - - smtpd\" and \"qmgr unix n - n 300 1 qmgr\"");
        List<MasterCfParser.Entry> entries =
                masterText == null ? null : MasterCfParser.parse(masterText, masterFile, parsed);
        found.addAll(parsed);

        Set<String> serviceNames = new LinkedHashSet<>();
        if (entries != null) entries.forEach(e -> serviceNames.add(e.name()));
        else serviceNames.addAll(List.of("smtp", "qmgr"));

        ConfigBuilder.Built base = ConfigBuilder.build(dir, settings, serviceNames);
        found.addAll(base.diagnostics());
        Set<String> expanded = new HashSet<>(base.referenced());

        int processLimit = base.config() != null ? base.config().getInt("default_process_limit") : 100;
        List<Service> services = entries == null
                ? List.of(Service.defaultSmtp(processLimit))
                : select(entries, processLimit, found);

        for (Service s : services) {
            Map<String, String> overrides = new LinkedHashMap<>();
            overrides.put("service_name", s.name());
            overrides.putAll(s.overrides());
            ConfigBuilder.Derived derived = ConfigBuilder.derive(dir, settings, overrides, s.origin(), serviceNames);
            found.addAll(derived.diagnostics());
            expanded.addAll(derived.built().referenced());
        }

        Set<String> mentioned = new HashSet<>(expanded);
        for (Setting v : settings.values()) {
            Expander.scanNames(v.value()).stream().filter(n -> !n.equals(v.name())).forEach(mentioned::add);
        }
        if (entries != null) {
            entries.forEach(e -> e.overrides().values().forEach(v -> mentioned.addAll(Expander.scanNames(v))));
        }
        unusedNames(settings, expanded, mentioned, serviceNames, found);
        List<Diagnostic> sorted = sorted(found);
        if (base.config() == null || sorted.stream().anyMatch(Diagnostic::isError)) throw new ConfigException(sorted);
        return base.config().with(services, sorted);
    }

    /** Keeps inet smtpd services (the last definition of a name/type wins); warns about other inet ones. */
    private static List<Service> select(List<MasterCfParser.Entry> entries, int processLimit, Set<Diagnostic> sink) {
        Map<String, MasterCfParser.Entry> byKey = new LinkedHashMap<>();
        for (MasterCfParser.Entry e : entries) {
            String key = e.name() + " " + e.type();
            MasterCfParser.Entry earlier = byKey.remove(key);
            if (earlier != null) {
                sink.add(Diagnostic.warning(e.origin(), "service \"" + e.name() + "\" type " + e.type()
                        + " is defined again; this definition replaces the one at " + earlier.origin()));
            }
            byKey.put(key, e);
        }
        List<Service> out = new ArrayList<>();
        for (MasterCfParser.Entry e : byKey.values()) {
            if (!e.type().equals("inet")) continue; // Postfix-internal services: Postern runs those stages in-process
            if (!e.command().equals("smtpd")) {
                sink.add(Diagnostic.warning(e.origin(), "inet service \"" + e.name() + "\" runs \"" + e.command()
                        + "\", which Postern does not support; service skipped"));
                continue;
            }
            int maxproc = e.maxproc().equals("-") ? processLimit : Integer.parseInt(e.maxproc());
            out.add(new Service(e.name(), e.host(), e.port(), e.command(), e.args(), e.overrides(), e.origin(),
                    maxproc));
        }
        return out;
    }

    /**
     * Warnings for main.cf names Postern does not declare: a Postfix parameter unless a value
     * Postern expands refers to it; any other name unless some value (even one Postern ignores)
     * or smtpd_restriction_classes mentions it -- then it is a user-defined macro.
     */
    private static void unusedNames(Map<String, Setting> settings, Set<String> expanded, Set<String> mentioned,
                                    Collection<String> serviceNames, Set<Diagnostic> sink) {
        Setting classes = settings.get("smtpd_restriction_classes");
        Set<String> classNames = classes == null ? Set.of() : new HashSet<>(ValueSyntax.splitList(classes.value()));
        int suggestions = 0;
        for (Setting s : settings.values()) {
            String name = s.name();
            if (Parameters.isDeclared(name) || expanded.contains(name)) continue;
            if (ParameterNames.isPostfixName(name, serviceNames)) {
                sink.add(Diagnostic.warning(s.origin(), ConfigBuilder.postfixOnlyWarning(name, null)));
            } else if (!mentioned.contains(name) && !classNames.contains(name)) {
                // a suggestion compares the name with every known one: enough for the typos of one file
                String hint = suggestions++ < MAX_SUGGESTIONS
                        ? ParameterNames.suggest(name).map(x -> "; did you mean \"" + x + "\"?").orElse("") : "";
                sink.add(Diagnostic.warning(s.origin(), "unknown parameter \"" + name + "\"" + hint));
            }
        }
    }

    /** File text, or null (with a warning saying what happens instead) when the file does not exist. */
    private static String read(Path file, List<Diagnostic> sink, String instead) {
        try {
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (NoSuchFileException e) {
            sink.add(Diagnostic.warning(new Origin(file.toString(), 0), "file not found; " + instead));
            return null;
        } catch (IOException e) {
            String reason = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                    : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            sink.add(Diagnostic.error(new Origin(file.toString(), 0), "cannot read: " + reason));
            return null;
        }
    }

    static List<Diagnostic> sorted(Collection<Diagnostic> diagnostics) {
        List<Diagnostic> out = new ArrayList<>(new LinkedHashSet<>(diagnostics));
        out.sort(BY_PLACE);
        return out;
    }
}
