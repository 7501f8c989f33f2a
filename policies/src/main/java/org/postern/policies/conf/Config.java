// Config: the frozen, validated snapshot of DIR/main.cf + DIR/master.cf that every stage reads
// (ARCHITECTURE.md invariant 5): values fully $-expanded, typed getters, the smtpd services to
// run, and the parsed mynetworks/mydestination/relay_domains. Reload = load a new one and swap.
package org.postern.policies.conf;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postern.core.Origin;

/** Immutable configuration snapshot; safe to share between threads. */
public final class Config {
    private final Path configDir;
    private final Map<String, Setting> settings;
    private final Map<String, String> values;
    private final List<Service> services;
    private final NetworkList mynetworks;
    private final DomainList mydestination;
    private final DomainList relayDomains;
    private final List<Diagnostic> warnings;
    private final Set<String> serviceNames;

    Config(Path configDir, Map<String, Setting> settings, Map<String, String> values, List<Service> services,
           NetworkList mynetworks, DomainList mydestination, DomainList relayDomains, List<Diagnostic> warnings,
           Set<String> serviceNames) {
        this.configDir = configDir;
        this.settings = Map.copyOf(settings);
        this.values = Map.copyOf(values);
        this.services = List.copyOf(services);
        this.mynetworks = mynetworks;
        this.mydestination = mydestination;
        this.relayDomains = relayDomains;
        this.warnings = List.copyOf(warnings);
        this.serviceNames = Set.copyOf(serviceNames);
    }

    /**
     * Loads DIR/main.cf and DIR/master.cf. Blocking (file I/O, and the first call may ask the
     * resolver for this host's name): call it from a worker thread, never an event loop.
     *
     * @throws ConfigException with every error (and warning) found, each naming file:line
     */
    public static Config load(Path configDir) throws ConfigException {
        return ConfigLoader.load(configDir);
    }

    /** Built-in defaults only (no files read), with the default smtp service on port 25; for tests. */
    public static Config defaults(Path configDir) {
        ConfigBuilder.Built built = ConfigBuilder.build(configDir, Map.of(), List.of("smtp", "qmgr"));
        if (built.config() == null) throw new IllegalStateException("built-in defaults are invalid: " + built.diagnostics());
        Config c = built.config();
        return c.with(List.of(Service.defaultSmtp(c.getInt("default_process_limit"))), List.of());
    }

    /** This snapshot plus {@code overrides} (as master.cf -o name=value), validated like main.cf. */
    public Config withOverrides(Map<String, String> overrides) throws ConfigException {
        return withOverrides(overrides, Origin.builtin("override"));
    }

    /**
     * As {@link #withOverrides(Map)}, with diagnostics and {@link #originOf} naming {@code origin}
     * (a master.cf line). The result's {@link #warnings()} are only those the overrides caused.
     */
    public Config withOverrides(Map<String, String> overrides, Origin origin) throws ConfigException {
        ConfigBuilder.Derived derived = ConfigBuilder.derive(configDir, settings, overrides, origin, serviceNames);
        Set<Diagnostic> found = new LinkedHashSet<>(derived.diagnostics());
        found.removeAll(Set.copyOf(warnings)); // hashed: linear however many warnings main.cf gave
        List<Diagnostic> sorted = ConfigLoader.sorted(found);
        Config config = derived.built().config();
        if (config == null || sorted.stream().anyMatch(Diagnostic::isError)) throw new ConfigException(sorted);
        return config.with(services, sorted);
    }

    Config with(List<Service> services, Collection<Diagnostic> warnings) {
        return new Config(configDir, settings, values, services, mynetworks, mydestination, relayDomains,
                List.copyOf(warnings), serviceNames);
    }

    public Path configDir() {
        return configDir;
    }

    /** Non-fatal diagnostics from {@link #load} (or from the overrides, for a derived snapshot). */
    public List<Diagnostic> warnings() {
        return warnings;
    }

    /**
     * The fully $-expanded value, or the expanded default when not set.
     *
     * @throws IllegalArgumentException when {@code name} is not a declared parameter (see {@link Parameters});
     *         the typed getters also throw it when the parameter has another type
     */
    public String get(String name) {
        declared(name);
        return values.get(name);
    }

    /** yes/no/true/false, case-insensitive (validated at load). */
    public boolean getBool(String name) {
        return ValueSyntax.parseBool(get(typed(name, Parameter.Type.BOOL)));
    }

    public int getInt(String name) {
        return ValueSyntax.parseInt(get(typed(name, Parameter.Type.INT)));
    }

    /** For LONG parameters (message_size_limit), and INT ones. */
    public long getLong(String name) {
        Parameter p = declared(name);
        if (p.type() != Parameter.Type.LONG && p.type() != Parameter.Type.INT) throw wrongType(p, "LONG");
        return ValueSyntax.parseLong(values.get(name));
    }

    /** A Postfix time value (300s, 5m, 1h, 1d, 1w, 500ms); a bare number is in the parameter's default unit. */
    public Duration getTime(String name) {
        Parameter p = declared(typed(name, Parameter.Type.TIME));
        return ValueSyntax.parseTime(values.get(name), p.defaultUnit());
    }

    /** Entries split on commas and/or whitespace, empty ones dropped; a {...} group stays one entry. */
    public List<String> getList(String name) {
        return List.copyOf(ValueSyntax.splitList(get(name)));
    }

    /** True when set in main.cf or by an override. */
    public boolean isExplicit(String name) {
        return settings.containsKey(name);
    }

    /** The file:line where {@code name} was set, or {@code builtin:default}. */
    public Origin originOf(String name) {
        Setting s = settings.get(name);
        if (s != null) return s.origin();
        declared(name);
        return ConfigBuilder.DEFAULT;
    }

    /** Where {@code name} was set, for error messages: "file:line", or "main.cf (builtin:default)" when not set. */
    public String where(String name) {
        Origin origin = originOf(name);
        return origin.isBuiltin() ? "main.cf (" + origin + ")" : origin.toString();
    }

    /** The unexpanded value as written in main.cf/-o, else the default (computed defaults computed). */
    public String raw(String name) {
        Setting s = settings.get(name);
        if (s != null) return s.value();
        Parameter p = declared(name);
        return p.computedDefault() ? values.get(name) : p.defaultValue();
    }

    /**
     * True when master.cf names a service {@code name} of any type (e.g. "qmgr": Postern runs its
     * backend stages only when master.cf lists the qmgr service, as Postfix does), or when there is no
     * master.cf and {@code name} is one of the default services (smtp, qmgr).
     */
    public boolean lists(String serviceName) {
        return serviceNames.contains(serviceName);
    }

    /** master.cf inet services whose command is smtpd, in file order. */
    public List<Service> services() {
        return services;
    }

    public NetworkList mynetworks() {
        return mynetworks;
    }

    public DomainList mydestination() {
        return mydestination;
    }

    public DomainList relayDomains() {
        return relayDomains;
    }

    private static Parameter declared(String name) {
        return Parameters.find(name).orElseThrow(() -> new IllegalArgumentException("not a Postern parameter: " + name));
    }

    private static String typed(String name, Parameter.Type type) {
        Parameter p = declared(name);
        if (p.type() != type) throw wrongType(p, type.name());
        return name;
    }

    private static IllegalArgumentException wrongType(Parameter p, String wanted) {
        return new IllegalArgumentException("parameter " + p.name() + " is " + p.type() + ", not " + wanted);
    }

    @Override
    public String toString() {
        return "Config[" + configDir + ", " + settings.size() + " explicit settings, services=" + services + "]";
    }
}
