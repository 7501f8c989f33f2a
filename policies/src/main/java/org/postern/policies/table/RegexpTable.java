// RegexpTable: a loaded regexp: or pcre: table -- rules in file order, if/endif blocks, the first
// matching rule wins and its result gets $1.. from the pattern's groups (Postfix dict_regexp.c and
// dict_pcre.c). Used by access maps now and by header_checks/body_checks later.
package org.postern.policies.table;

import java.nio.charset.StandardCharsets;
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
        Matcher match(CharSequence key) {
            Matcher m = pattern.matcher(key);
            boolean found = anchored ? m.lookingAt() : m.find();
            return found && positive ? m : null;
        }

        boolean test(CharSequence key) {
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

    /** Character reads allowed per lookup, over all rules (PCRE2's default match limit is 10 million). */
    static final long READ_LIMIT = 10_000_000;

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

    /**
     * Matches {@code key} as Postfix does: byte by byte (its UTF-8 bytes, one char each), so "."
     * is one byte and case folding is ASCII-only, as with Postfix's regcomp() and PCRE without UTF.
     *
     * @throws TableLookupException when matching runs past {@link #READ_LIMIT} character reads
     *         (runaway backtracking) or recurses past the thread's stack; the message names the rule
     */
    @Override
    public Optional<TableEntry> find(String key) throws TableLookupException {
        MatchBudget subject = new MatchBudget(bytes(key), READ_LIMIT);
        int i = 0;
        try {
            for (; i < rules.size(); i++) {
                Rule rule = rules.get(i);
                if (rule instanceof MatchRule m) {
                    Matcher groups = null;
                    if (m.first().positive()) {
                        groups = m.first().match(subject);
                        if (groups == null) continue;
                    } else if (!m.first().test(subject)) {
                        continue;
                    }
                    if (m.second() != null && !m.second().test(subject)) continue;
                    return Optional.of(new TableEntry(m.result().expand(groups), m.origin()));
                }
                if (rule instanceof IfRule f && !f.condition().test(subject)) {
                    i = f.endif();
                }
            }
        } catch (MatchBudget.Exhausted e) {
            throw new TableLookupException(spec, "rule at " + rules.get(i).origin() + " needs more than " + READ_LIMIT
                    + " steps on a " + key.length() + "-character key (runaway backtracking: simplify the pattern)");
        } catch (StackOverflowError e) {
            // java.util.regex recurses once per repetition of a group such as (a|b)*: a long key
            // overflows the stack where PCRE would hit its match limit. Nothing is shared, so go on.
            throw new TableLookupException(spec, "rule at " + rules.get(i).origin() + " recurses too deeply on a "
                    + key.length() + "-character key (a repeated group such as (a|b)* on a long key: simplify the"
                    + " pattern, e.g. [ab]*)");
        }
        return Optional.empty();
    }

    /** {@code text}'s UTF-8 bytes as a string of chars 0-255 (ASCII text is returned as is). */
    static String bytes(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        }
        return text;
    }

    /** The inverse of {@link #bytes}: decodes a string of byte chars as UTF-8. */
    static String text(String bytes) {
        return new String(bytes.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
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
