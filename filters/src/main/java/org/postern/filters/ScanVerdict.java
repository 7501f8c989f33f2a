// ScanVerdict: the filters' results for one message folded into one verdict class (the most severe any
// filter found; spam by rspamd's action or by vscan_spam_tag_score / vscan_spam_kill_score), or "not yet"
// when a filter that is not fail-open could not scan. Also renders the results for the vscan log line.
package org.postern.filters;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.postern.policies.conf.Config;

/**
 * @param verdictClass the class, meaningless when {@link #tempfail()}
 * @param results      every filter's result, in chain order
 * @param tempfail     true when the message must wait: a filter that is not fail-open could not scan it
 *                     and no other filter found something decisive (infected, banned, unscannable)
 */
public record ScanVerdict(VerdictClass verdictClass, List<FilterResult> results, boolean tempfail) {

    /** vscan_spam_tag_score and vscan_spam_kill_score; null: rspamd's action decides. */
    public record SpamThresholds(Double tag, Double kill) {
        /**
         * vscan_spam_tag_score and vscan_spam_kill_score of {@code config}.
         *
         * @throws IllegalArgumentException "main.cf:LINE: name = value: not a number", as the scanners' fromConfig
         */
        public static SpamThresholds fromConfig(Config config) {
            return new SpamThresholds(number(config, "vscan_spam_tag_score"), number(config, "vscan_spam_kill_score"));
        }

        private static Double number(Config config, String name) {
            try {
                return number(name, config.get(name));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(config.where(name) + ": " + e.getMessage(), e);
            }
        }

        private static Double number(String name, String v) {
            if (v == null || v.isBlank()) return null;
            try {
                return Double.valueOf(v.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " = " + v + ": not a number");
            }
        }
    }

    public ScanVerdict {
        results = List.copyOf(results);
    }

    /** Folds {@code results}; a TEMPFAIL of a filter named in {@code failOpen} is ignored (logged). */
    public static ScanVerdict of(List<FilterResult> results, Set<String> failOpen, SpamThresholds thresholds) {
        VerdictClass worst = VerdictClass.CLEAN;
        boolean waiting = false;
        for (FilterResult r : results) {
            VerdictClass c = switch (r.kind()) {
                case INFECTED -> VerdictClass.INFECTED;
                case UNSCANNABLE -> VerdictClass.UNSCANNABLE;
                case BANNED -> VerdictClass.BANNED;
                case SCORED -> spamClass(r.spam(), thresholds);
                case CLEAN -> VerdictClass.CLEAN;
                case TEMPFAIL -> {
                    if (!failOpen.contains(r.filter())) waiting = true;
                    yield VerdictClass.CLEAN;
                }
            };
            if (c.ordinal() < worst.ordinal()) worst = c;
        }
        boolean decisive = worst.ordinal() <= VerdictClass.BANNED.ordinal();
        return new ScanVerdict(worst, results, waiting && !decisive);
    }

    static VerdictClass spamClass(SpamReport s, SpamThresholds t) {
        String action = s.action().toLowerCase(Locale.ROOT);
        boolean spam = t.kill() != null ? s.score() >= t.kill() : action.equals("reject");
        if (spam) return VerdictClass.SPAM;
        boolean probable = t.tag() != null ? s.score() >= t.tag()
                : action.equals("add header") || action.equals("rewrite subject");
        return probable ? VerdictClass.PROBABLE_SPAM : VerdictClass.CLEAN;
    }

    /** The virus name, when a filter found one. */
    public String virus() {
        return results.stream().filter(r -> r.kind() == FilterResult.Kind.INFECTED).map(FilterResult::detail)
                .findFirst().orElse(null);
    }

    /** The spam filter's report, when one ran. */
    public SpamReport spam() {
        return results.stream().map(FilterResult::spam).filter(java.util.Objects::nonNull).findFirst().orElse(null);
    }

    /** Header edits asked for by the filters, in chain order. */
    public List<HeaderEdit> headerEdits() {
        List<HeaderEdit> out = new ArrayList<>();
        for (FilterResult r : results) out.addAll(r.headerEdits());
        return out;
    }

    /** "clamav=Eicar-Signature rspamd=12.3/15 (reject) [GTUBE,...] attachments=clean" for the log. */
    public String describe() {
        return results.stream().map(ScanVerdict::describe).collect(Collectors.joining(" "));
    }

    /** One line saying why, for the quarantine index and notices. */
    public String reason() {
        return results.stream().filter(r -> r.kind() != FilterResult.Kind.CLEAN).map(ScanVerdict::describe)
                .collect(Collectors.joining(" "));
    }

    private static String describe(FilterResult r) {
        return switch (r.kind()) {
            case CLEAN -> r.filter() + "=clean";
            case INFECTED -> r.filter() + "=" + r.detail();
            case UNSCANNABLE -> r.filter() + "=unscannable (" + r.detail() + ")";
            case BANNED -> r.filter() + "=banned (" + r.detail() + ")";
            case TEMPFAIL -> r.filter() + "=tempfail (" + r.detail() + ")";
            case SCORED -> r.filter() + "=" + oneDecimal(r.spam().score()) + "/" + oneDecimal(r.spam().required())
                    + " (" + r.spam().action() + ") [" + r.spam().symbols().stream().map(SpamReport.Symbol::name)
                            .limit(12).collect(Collectors.joining(",")) + "]";
        };
    }

    /** As "%.1f" formats it (half up), without a Formatter per verdict: this runs for every message. */
    static String oneDecimal(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) return String.format(Locale.ROOT, "%.1f", d);
        String s = java.math.BigDecimal.valueOf(d).setScale(1, java.math.RoundingMode.HALF_UP).toPlainString();
        return Math.copySign(1.0, d) < 0 && s.equals("0.0") ? "-0.0" : s;
    }
}
