// SpamReport: a spam filter's judgement of one message -- rspamd's score, required score, action
// (no action, greylist, add header, rewrite subject, soft reject, reject) and symbols. The vscan
// policy maps it to a verdict class with vscan_spam_tag_score / vscan_spam_kill_score; immutable.
package org.postern.filters;

import java.util.List;
import java.util.Objects;

/**
 * @param score    the message's score
 * @param required the score rspamd rejects at (its "required_score")
 * @param action   rspamd's action, lower case as rspamd names it, e.g. "add header"
 * @param symbols  the symbols that fired, by name, highest score first
 * @param subject  the rewritten Subject rspamd proposes for "rewrite subject", else null
 */
public record SpamReport(double score, double required, String action, List<Symbol> symbols, String subject) {
    /** One rspamd symbol with its score contribution and options. */
    public record Symbol(String name, double score, List<String> options) {
        public Symbol {
            Objects.requireNonNull(name, "name");
            options = List.copyOf(options);
        }
    }

    public SpamReport {
        Objects.requireNonNull(action, "action");
        symbols = List.copyOf(symbols);
    }
}
