// RestrictionClasses: smtpd_restriction_classes -- each name is a main.cf parameter holding a
// restriction list, usable wherever a restriction is (and as an access-table value). Parsed once per
// list kind that may use it (a class inherits its caller's replies), with loops reported at load.
package org.postern.policies.restrict;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postern.core.Origin;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.Parameters;
import org.postern.policies.restrict.Evaluation.Status;

/** Built during the load; read-only afterwards (every class is parsed for every kind at load). */
final class RestrictionClasses {
    private static final Pattern REF =
            Pattern.compile("\\$(?:(\\$)|\\{([A-Za-z0-9_]+)}|\\(([A-Za-z0-9_]+)\\)|([A-Za-z0-9_]+))");
    /** Longest expanded class definition (macros that repeat macros grow it geometrically). */
    static final int MAX_LENGTH = 1_000_000;

    private record Definition(String text, Origin origin) {}

    private final Env env;
    private final Map<String, Definition> definitions = new LinkedHashMap<>();
    private final Map<String, Object> parsed = new LinkedHashMap<>();
    private final LinkedHashSet<String> parsing = new LinkedHashSet<>();
    /** The expanded text of each main.cf macro a definition used, expanded once. */
    private final Map<String, String> macros = new java.util.HashMap<>();

    RestrictionClasses(Env env) throws ConfigException {
        this.env = env;
        Origin listed = env.config.originOf("smtpd_restriction_classes");
        for (String name : env.config.getList("smtpd_restriction_classes")) {
            if (!env.config.isExplicit(name) || env.config.raw(name).isBlank()) {
                throw Env.error(listed, "restriction class `" + name + "' needs a definition");
            }
            if (Keywords.find(name) != null) {
                env.warn(listed, "restriction class \"" + name + "\" has the name of a built-in restriction, which wins");
            }
            Origin at = env.config.originOf(name);
            definitions.put(name, new Definition(expand(env.config.raw(name), at, 0), at));
        }
    }

    boolean has(String name) {
        return definitions.containsKey(name);
    }

    java.util.Set<String> names() {
        return definitions.keySet();
    }

    /** The restriction that runs class {@code name} in a list of {@code place}'s kind. */
    Restriction restriction(String name, Place place) throws ConfigException {
        Object result = list(name, place.kind(), place.replyClass());
        if (result instanceof ConfigException e) {
            if (place.runtime()) return new ClassRestriction(name, place.origin(), null, e);
            throw e;
        }
        return new ClassRestriction(name, place.origin(), (RestrictionList) result, null);
    }

    /**
     * Parses every class for every list kind and reply class it can be used with (directly, or from
     * an access-table value), so lookups at run time never parse (or open files).
     */
    void preload() {
        for (String name : definitions.keySet()) {
            for (ListKind kind : ListKind.values()) {
                for (ReplyClass cls : ReplyClass.values()) list(name, kind, cls);
            }
        }
    }

    /** The parsed list, or the ConfigException that parsing it gave. */
    private Object list(String name, ListKind kind, ReplyClass cls) {
        String key = name + "\u0000" + kind + "\u0000" + cls;
        Object known = parsed.get(key);
        if (known != null) return known;
        Definition def = definitions.get(name);
        if (parsing.contains(key)) {
            List<String> chain = new ArrayList<>();
            boolean in = false;
            for (String k : parsing) {
                String n = k.substring(0, k.indexOf('\u0000'));
                in |= n.equals(name);
                if (in) chain.add(n);
            }
            chain.add(name);
            return Env.error(def.origin(), "restriction class \"" + name + "\" refers to itself: " + String.join(" -> ", chain));
        }
        parsing.add(key);
        Object result;
        try {
            result = env.parser.parse(new Place(kind, cls, def.origin(), "restriction class " + name, false), def.text());
        } catch (ConfigException e) {
            result = e;
        } finally {
            parsing.remove(key);
        }
        parsed.put(key, result);
        return result;
    }

    /**
     * $name, ${name} and $(name) in a class definition: a declared parameter's value or another
     * main.cf macro's text (Postfix expands class definitions like any main.cf value); $$ is a $.
     * Errors are reported at {@code at}, the definition's main.cf line.
     */
    private String expand(String text, Origin at, int depth) throws ConfigException {
        if (depth > 10) throw Env.error(at, "restriction class definition nests $names too deep");
        Matcher m = REF.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value;
            if (m.group(1) != null) {
                value = "$";
            } else {
                String n = m.group(2) != null ? m.group(2) : m.group(3) != null ? m.group(3) : m.group(4);
                value = Parameters.isDeclared(n) ? env.config.get(n) : env.config.isExplicit(n) ? macro(n, at, depth) : "";
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
            if (sb.length() > MAX_LENGTH) {
                throw Env.error(at, "restriction class definition expands to more than " + MAX_LENGTH + " characters");
            }
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** A main.cf macro's expanded text (the same wherever it is used, so expanded once). */
    private String macro(String name, Origin at, int depth) throws ConfigException {
        String known = macros.get(name);
        if (known != null) return known;
        String value = expand(env.config.raw(name), at, depth + 1);
        macros.put(name, value);
        return value;
    }

    /** A class used in a list: its restrictions share the caller's state (warn_if_reject, DISCARD ...). */
    record ClassRestriction(String name, Origin origin, RestrictionList list, ConfigException broken) implements Stateful {
        @Override
        public CompletionStage<Status> evaluate(Evaluation ev) {
            if (broken != null) {
                return RestrictionList.done(ev.configError(this, broken.diagnostics().stream()
                        .map(d -> d.origin() + ": " + d.message()).toList()));
            }
            return list.run(ev);
        }
    }
}
