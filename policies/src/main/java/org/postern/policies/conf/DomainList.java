// DomainList: a parsed domain list (mydestination, relay_domains): case-insensitive, trailing dot
// ignored, !negation, first match wins. With subdomainsMatch (parent_domain_matches_subdomains)
// "example.com" also matches its subdomains; ".example.com" always matches subdomains only.
package org.postern.policies.conf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.postern.core.Origin;

/** An ordered list of domain patterns, matched as Postfix's match_hostname. */
public final class DomainList {

    private record Entry(String text, boolean negated, String pattern) {}

    private final List<Entry> entries;
    private final boolean subdomainsMatch;

    private DomainList(List<Entry> entries, boolean subdomainsMatch) {
        this.entries = List.copyOf(entries);
        this.subdomainsMatch = subdomainsMatch;
    }

    /**
     * A list from already-split entries (empty entries are skipped).
     *
     * @throws IllegalArgumentException for a type:table or /file/name entry (not supported yet)
     */
    public static DomainList of(List<String> entries, boolean subdomainsMatch) {
        List<Entry> out = new ArrayList<>();
        for (String e : entries) {
            if (e.isBlank()) continue;
            out.add(entry(e.strip()));
        }
        return new DomainList(out, subdomainsMatch);
    }

    /** Parses a main.cf value (commas and/or whitespace); every bad entry is an error at {@code origin}. */
    public static DomainList parse(String value, boolean subdomainsMatch, Origin origin) throws ConfigException {
        List<Entry> out = new ArrayList<>();
        List<Diagnostic> errors = new ArrayList<>();
        for (String token : ValueSyntax.splitList(value)) {
            try {
                out.add(entry(token));
            } catch (IllegalArgumentException e) {
                errors.add(Diagnostic.error(origin, e.getMessage()));
            }
        }
        if (!errors.isEmpty()) throw new ConfigException(errors);
        return new DomainList(out, subdomainsMatch);
    }

    /** True when the first entry that matches {@code domain} is not negated. */
    public boolean matches(String domain) {
        String d = normalize(domain);
        if (d.isEmpty()) return false;
        for (Entry e : entries) {
            if (matches(e.pattern(), d)) return !e.negated();
        }
        return false;
    }

    public boolean subdomainsMatch() {
        return subdomainsMatch;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The entries as written, e.g. [example.com, .example.net]. */
    @Override
    public String toString() {
        return entries.stream().map(Entry::text).toList().toString();
    }

    private boolean matches(String pattern, String d) {
        if (pattern.startsWith(".")) {
            return d.length() > pattern.length() && d.endsWith(pattern);
        }
        if (d.equals(pattern)) return true;
        return subdomainsMatch && d.endsWith("." + pattern);
    }

    private static Entry entry(String token) {
        boolean negated = token.startsWith("!");
        String pattern = negated ? token.substring(1) : token;
        if (pattern.startsWith("/")) {
            throw new IllegalArgumentException("\"" + token + "\": /file/name patterns are not supported yet");
        }
        if (pattern.indexOf(':') >= 0 && !pattern.startsWith("[")) {
            throw new IllegalArgumentException("\"" + token + "\": lookup tables are not supported yet");
        }
        String normalized = normalize(pattern);
        if (normalized.isEmpty() || normalized.equals(".")) {
            throw new IllegalArgumentException("bad domain pattern \"" + token + "\"");
        }
        return new Entry(token, negated, normalized);
    }

    private static String normalize(String domain) {
        String d = domain.strip().toLowerCase(Locale.ROOT);
        while (d.endsWith(".") && d.length() > 1) d = d.substring(0, d.length() - 1);
        return d;
    }
}
