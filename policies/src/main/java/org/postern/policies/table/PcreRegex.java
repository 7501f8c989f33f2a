// PcreRegex: compiles the patterns of pcre: tables (pcre_table(5) flags i s m x A E U) to java.util.regex
// Patterns when a table loads: maps the flags, compiles PcreTranslator's Java spelling and checks back
// references; a construct Java cannot honour is refused with the token named.
package org.postern.policies.table;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** PCRE (as Postfix 3.7 uses PCRE2) patterns compiled for java.util.regex. */
final class PcreRegex {
    private PcreRegex() {}

    /** pcre_table(5) flags after toggling: i s on by default; m x A E U off. */
    record Options(boolean caseless, boolean multiline, boolean dotall, boolean extended, boolean dollarEndOnly,
                   boolean ungreedy) {}

    /**
     * Compiles {@code re}. (?C...) callouts and \K are dropped: Postfix installs no callout function
     * and never shows $0, so neither changes a lookup result.
     *
     * @throws IllegalArgumentException naming the construct Java cannot honour, or Java's complaint
     */
    static Pattern compile(String re, Options o) {
        PcreTranslator t = new PcreTranslator(re, o);
        String java = t.translate();
        int flags = Pattern.UNIX_LINES | (o.caseless() ? Pattern.CASE_INSENSITIVE : 0)
                | (o.multiline() ? Pattern.MULTILINE : 0) | (o.dotall() ? Pattern.DOTALL : 0)
                | (o.extended() ? Pattern.COMMENTS : 0);
        Pattern p;
        try {
            p = Pattern.compile(java, flags);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("bad regular expression \"" + re + "\": " + e.getDescription());
        }
        if (t.maxBackref > p.matcher("").groupCount()) {
            throw new IllegalArgumentException("reference \\" + t.maxBackref + " to a group that does not exist in \""
                    + re + "\"");
        }
        return p;
    }
}
