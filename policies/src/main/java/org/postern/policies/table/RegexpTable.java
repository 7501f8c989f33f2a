// RegexpTable: a loaded regexp: or pcre: table -- rules in file order, if/endif blocks, the first
// matching rule wins and its result gets $1.. from the pattern's groups (Postfix dict_regexp.c and
// dict_pcre.c). Used by access maps now and by header_checks/body_checks later.
package org.postern.policies.table;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postern.core.Origin;

/** An ordered list of compiled rules; immutable. */
final class RegexpTable implements LookupTable {

    /** A compiled pattern with its ! negation; {@code anchored} is pcre flag A. */
    record Condition(Pattern pattern, boolean positive, boolean anchored) {
        /** The matcher after a positive match, null otherwise (also when a negated pattern "matched"). */
        Matcher match(String key) {
            Matcher m = pattern.matcher(key);
            boolean found = anchored ? m.lookingAt() : m.find();
            return found && positive ? m : null;
        }

        boolean test(String key) {
            Matcher m = pattern.matcher(key);
            return (anchored ? m.lookingAt() : m.find()) == positive;
        }
    }

    sealed interface Rule permits MatchRule, IfRule, EndifRule {
        Origin origin();
    }

    /** /pattern/flags result, or regexp:'s /pattern/!/pattern2/ result (second must also hold). */
    record MatchRule(Origin origin, Condition first, Condition second, Replacement result) implements Rule {}

    /** if /pattern/ ... endif; {@code endif} is the index of the matching endif rule. */
    record IfRule(Origin origin, Condition condition, int endif) implements Rule {}

    record EndifRule(Origin origin) implements Rule {}

    private final String spec;
    private final List<Rule> rules;

    RegexpTable(String spec, List<Rule> rules) {
        this.spec = spec;
        this.rules = List.copyOf(rules);
    }

    @Override
    public String spec() {
        return spec;
    }

    @Override
    public Optional<TableEntry> find(String key) {
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.get(i);
            if (rule instanceof MatchRule m) {
                Matcher groups = null;
                if (m.first().positive()) {
                    groups = m.first().match(key);
                    if (groups == null) continue;
                } else if (!m.first().test(key)) {
                    continue;
                }
                if (m.second() != null && !m.second().test(key)) continue;
                return Optional.of(new TableEntry(m.result().expand(groups), m.origin()));
            }
            if (rule instanceof IfRule f && !f.condition().test(key)) {
                i = f.endif();
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean isPattern() {
        return true;
    }

    int size() {
        return rules.size();
    }

    @Override
    public String toString() {
        return spec + " (" + rules.size() + " rules)";
    }
}
