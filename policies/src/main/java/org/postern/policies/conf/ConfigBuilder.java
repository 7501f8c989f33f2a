// ConfigBuilder: freezes settings (main.cf plus overrides) into a Config snapshot: expands every
// declared parameter, validates each value against its type, parses mynetworks, mydestination and
// relay_domains. Every problem becomes a Diagnostic at the file:line where the value was set.
package org.postern.policies.conf;

import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.postern.core.Origin;

/** Builds one Config from unexpanded settings. */
final class ConfigBuilder {
    private ConfigBuilder() {}

    static final Origin DEFAULT = Origin.builtin("default");

    /** The outcome: {@code config} is null when {@code diagnostics} has an error. */
    record Built(Config config, Set<Diagnostic> diagnostics, Set<String> referenced) {}

    static Built build(Path configDir, Map<String, Setting> settings, Collection<String> serviceNames) {
        Set<Diagnostic> diagnostics = new LinkedHashSet<>();
        Expander[] self = new Expander[1];
        Parameters.Context context = new Parameters.Context() {
            @Override
            public Path configDir() {
                return configDir;
            }

            @Override
            public String expanded(String name) {
                String text = self[0].value(name).text();
                return text == null ? "" : text;
            }
        };
        Expander.Source source = new Expander.Source() {
            @Override
            public String raw(String name) {
                return rawValue(name, settings, context);
            }

            @Override
            public Origin origin(String name) {
                Setting s = settings.get(name);
                return s != null ? s.origin() : DEFAULT;
            }
        };
        Expander expander = new Expander(source, n -> ParameterNames.isPostfixName(n, serviceNames), diagnostics);
        self[0] = expander;

        Map<String, String> values = new LinkedHashMap<>();
        boolean complete = true;
        for (Parameter p : Parameters.all()) {
            Expander.Result r = expander.value(p.name());
            if (!r.ok()) {
                complete = false;
                continue;
            }
            String raw = source.raw(p.name());
            Optional<String> problem = ValueSyntax.problem(p, r.text());
            if (problem.isPresent()) {
                String from = raw.equals(r.text()) ? "" : " (expanded from \"" + raw + "\")";
                diagnostics.add(Diagnostic.error(source.origin(p.name()), problem.get() + from));
                complete = false;
                continue;
            }
            values.put(p.name(), r.text());
        }
        NetworkList mynetworks = values.containsKey("mynetworks") ? networks(values, source, diagnostics) : null;
        List<String> parentStyle = ValueSyntax.splitList(values.getOrDefault("parent_domain_matches_subdomains", ""));
        DomainList mydestination = domains("mydestination", values, parentStyle, source, diagnostics);
        DomainList relayDomains = domains("relay_domains", values, parentStyle, source, diagnostics);
        Config config = null;
        if (complete && diagnostics.stream().noneMatch(Diagnostic::isError)) {
            config = new Config(configDir, settings, values, List.of(), mynetworks, mydestination, relayDomains,
                    List.of(), Set.copyOf(serviceNames));
        }
        return new Built(config, diagnostics, expander.referenced());
    }

    /** The unexpanded value of {@code name}: as set, else its (computed) default, else null. */
    static String rawValue(String name, Map<String, Setting> settings, Parameters.Context context) {
        Setting s = settings.get(name);
        if (s != null) return s.value();
        Parameters.ComputedDefault computed = Parameters.computedDefault(name);
        if (computed != null) return computed.compute(context).replace("$", "$$");
        return Parameters.find(name).map(Parameter::defaultValue).orElse(null);
    }

    /** A snapshot derived with overrides, and every diagnostic that came with it. */
    record Derived(Built built, Set<Diagnostic> diagnostics) {}

    /**
     * {@code settings} plus master.cf-style overrides set at {@code origin}: declared and main.cf-
     * defined names are set; a Postfix-only name is set too (so $name references work) and warned
     * about unless some value refers to it; any other name is an error naming it, with a suggestion.
     */
    static Derived derive(Path configDir, Map<String, Setting> settings, Map<String, String> overrides,
                          Origin origin, Collection<String> serviceNames) {
        Set<Diagnostic> found = new LinkedHashSet<>();
        String context = origin.isBuiltin() ? "override" : "-o override";
        Map<String, Setting> merged = new LinkedHashMap<>(settings);
        Set<String> postfixOnly = new LinkedHashSet<>();
        for (Map.Entry<String, String> o : overrides.entrySet()) {
            String name = o.getKey();
            if (!Parameters.isDeclared(name) && !settings.containsKey(name)) {
                if (ParameterNames.isPostfixName(name, serviceNames)) {
                    postfixOnly.add(name);
                } else {
                    found.add(Diagnostic.error(origin, "unknown parameter \"" + name + "\" in " + context
                            + ParameterNames.suggest(name).map(s -> "; did you mean \"" + s + "\"?").orElse("")));
                    continue;
                }
            }
            merged.put(name, new Setting(name, o.getValue(), origin));
        }
        Built built = build(configDir, merged, serviceNames);
        found.addAll(built.diagnostics());
        for (String name : postfixOnly) {
            if (!built.referenced().contains(name)) {
                found.add(Diagnostic.warning(origin, postfixOnlyWarning(name, context)));
            }
        }
        return new Derived(built, found);
    }

    /** The warning for a Postfix parameter Postern ignores; {@code context} null for main.cf. */
    static String postfixOnlyWarning(String name, String context) {
        return "parameter \"" + name + "\"" + (context == null ? "" : " in " + context)
                + " is a Postfix parameter that Postern does not use; ignored";
    }

    private static NetworkList networks(Map<String, String> values, Expander.Source source, Set<Diagnostic> sink) {
        try {
            return NetworkList.parse(values.get("mynetworks"), source.origin("mynetworks"));
        } catch (ConfigException e) {
            e.diagnostics().forEach(d -> sink.add(Diagnostic.error(d.origin(), "mynetworks: " + d.message())));
            return null;
        }
    }

    private static DomainList domains(String name, Map<String, String> values, List<String> parentStyle,
                                      Expander.Source source, Set<Diagnostic> sink) {
        if (!values.containsKey(name)) return null;
        try {
            return DomainList.parse(values.get(name), parentStyle.contains(name), source.origin(name));
        } catch (ConfigException e) {
            e.diagnostics().forEach(d -> sink.add(Diagnostic.error(d.origin(), name + ": " + d.message())));
            return null;
        }
    }
}
