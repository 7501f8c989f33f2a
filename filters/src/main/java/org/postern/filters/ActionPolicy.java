// ActionPolicy: which action each recipient of a scanned message gets -- vscan_<class>_action from main.cf,
// overridden per recipient, domain or parent domain by vscan_policy_maps ("spam=tag banned=deliver").
// Every decision carries the Origin (main.cf:line or table file:line) of the rule that made it.
package org.postern.filters;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.postern.core.Origin;
import org.postern.policies.conf.Config;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.table.AccessLookup;
import org.postern.policies.table.TableLookupException;
import org.postern.policies.table.Tables;

/** Frozen at configuration load. */
public final class ActionPolicy {
    /** The action for one recipient and the rule that chose it. */
    public record Decision(Action action, Origin rule) {}

    /** A vscan_policy_maps entry Postern cannot use, or a table that cannot answer: the message must wait. */
    public static final class PolicyException extends Exception {
        public PolicyException(String message) {
            super(message);
        }
    }

    private final Map<VerdictClass, Decision> defaults;
    private final List<AccessLookup> maps;

    private ActionPolicy(Map<VerdictClass, Decision> defaults, List<AccessLookup> maps) {
        this.defaults = defaults;
        this.maps = maps;
    }

    public static ActionPolicy from(Config config, Tables tables) throws ConfigException {
        Map<VerdictClass, Decision> d = new EnumMap<>(VerdictClass.class);
        for (VerdictClass c : VerdictClass.values()) {
            String name = "vscan_" + c.key() + "_action";
            Origin origin = config.isExplicit(name) ? config.originOf(name) : Origin.builtin(name); // "builtin:vscan_infected_action"
            d.put(c, new Decision(Action.of(config.get(name)), origin));
        }
        List<AccessLookup> maps = new java.util.ArrayList<>();
        AccessLookup.Options options = AccessLookup.Options.from(config);
        for (String spec : config.getList("vscan_policy_maps")) {
            maps.add(new AccessLookup(tables.open(spec, config.originOf("vscan_policy_maps")), options));
        }
        return new ActionPolicy(d, List.copyOf(maps));
    }

    /** main.cf defaults only (tests, and a configuration without vscan_policy_maps). */
    public static ActionPolicy defaults(Map<VerdictClass, Action> actions) {
        Map<VerdictClass, Decision> d = new EnumMap<>(VerdictClass.class);
        for (VerdictClass c : VerdictClass.values()) {
            d.put(c, new Decision(actions.getOrDefault(c, Action.DELIVER), Origin.builtin("vscan")));
        }
        return new ActionPolicy(d, List.of());
    }

    /** The action for {@code recipient}: the first vscan_policy_maps entry that names the class, else main.cf's. */
    public Decision decide(VerdictClass c, String recipient) throws PolicyException {
        for (AccessLookup map : maps) {
            Optional<AccessLookup.Match> m;
            try {
                m = map.mailAddress(recipient);
            } catch (TableLookupException e) {
                throw new PolicyException(map.table().spec() + ": lookup of " + recipient + " failed: " + e.getMessage());
            }
            if (m.isEmpty()) continue;
            Action a = actionFor(c, m.get().entry().value(), m.get().entry().origin());
            if (a != null) return new Decision(a, m.get().entry().origin());
        }
        return defaults.get(c);
    }

    /** "spam=tag, banned=deliver": the action for {@code c}, or null when the entry does not name it. */
    static Action actionFor(VerdictClass c, String value, Origin where) throws PolicyException {
        for (String part : value.split("[,\\s]+")) {
            if (part.isEmpty()) continue;
            int eq = part.indexOf('=');
            if (eq <= 0) throw new PolicyException(where + ": expected class=action, found \"" + part + "\"");
            String cls = part.substring(0, eq);
            VerdictClass vc;
            Action a;
            try {
                vc = VerdictClass.of(cls);
                a = Action.of(part.substring(eq + 1));
            } catch (IllegalArgumentException e) {
                throw new PolicyException(where + ": \"" + part + "\": " + e.getMessage());
            }
            if (vc == c) return a;
        }
        return null;
    }
}
