// AccessResults: what an access(5) table value or a policy server's action= means -- Postfix's
// check_table_result(): OK/RELAY/digits, REJECT, DEFER, 4NN/5NN text, DUNNO, DEFER_IF_*, HOLD, DISCARD,
// FILTER, REDIRECT, BCC, PREPEND, WARN, INFO, or a restriction list (parsed on first use, then cached).
package org.postern.policies.restrict;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.postern.core.Origin;
import org.postern.core.SmtpReply;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.Diagnostic;

/** Thread-safe; the cache of parsed restriction-list values is bounded. */
final class AccessResults {
    private static final int CACHE_LIMIT = 1000;
    private static final Pattern HEADER = Pattern.compile("[\\x21-\\x39\\x3b-\\x7e]+:.*", Pattern.DOTALL);
    private static final Pattern CODE = Pattern.compile("[45]\\d\\d");

    /** Either a final decision or a restriction list to evaluate in the caller's state. */
    sealed interface Outcome permits Leaf, Nested {}

    record Leaf(Decision decision) implements Outcome {}

    record Nested(RestrictionList list) implements Outcome {}

    /**
     * One lookup result to interpret.
     *
     * @param table       the table (or policy server) as written, for warnings
     * @param datum       the key that matched ("policy query" for a policy server)
     * @param replyName   the name replies quote: {@code <replyName>: Class rejected: ...}
     * @param origin      the table entry (file:line) or the restriction's main.cf line
     * @param restriction the restriction that looked it up, as written
     */
    record Query(String table, String datum, String replyName, ReplyClass cls, Place place, Origin origin,
                 String restriction, SessionFacts facts) {}

    private final Env env;
    private final ConcurrentHashMap<String, Object> lists = new ConcurrentHashMap<>();

    AccessResults(Env env) {
        this.env = env;
    }

    Outcome interpret(Query q, String value) {
        int sp = 0;
        while (sp < value.length() && value.charAt(sp) != ' ' && value.charAt(sp) != '\t') sp++;
        String cmd = value.substring(0, sp);
        String text = value.substring(sp).strip();
        String upper = cmd.toUpperCase(Locale.ROOT);
        String about = "<" + q.replyName() + ">: " + q.cls().text();
        switch (upper) {
            case "DUNNO":
                return leaf(Decision.dunno(q.origin(), q.restriction()));
            case "REJECT":
                return reply(q, Action.REJECT, env.code("access_map_reject_code"), "5.7.1", text, "Access denied");
            case "DEFER":
                return reply(q, Action.DEFER, env.code("access_map_defer_code"), "4.7.1", text, "Access denied");
            case "DEFER_IF_PERMIT":
            case "DEFER_IF_REJECT":
                return reply(q, Action.valueOf(upper), env.code("access_map_defer_code"), "4.7.1", text, "Service unavailable");
            case "INFO":
                return effect(q, Action.INFO, null, text);
            case "WARN":
                return effect(q, Action.WARN, null, text);
            case "HOLD":
                return delegated(q, "HOLD", Action.HOLD, null, about + " " + or(text, "triggers HOLD action"));
            case "DISCARD":
                return delegated(q, "DISCARD", Action.DISCARD, null, about + " " + or(text, "triggers DISCARD action"));
            case "FILTER":
                if (text.isEmpty()) return warned(q, entry(q) + " has FILTER entry without value");
                if (text.indexOf(':') < 0) return warned(q, entry(q) + " requires transport:destination");
                return delegated(q, "FILTER", Action.FILTER, text, about + " triggers FILTER " + text);
            case "REDIRECT":
            case "BCC":
                if (text.indexOf('@') < 0) return warned(q, entry(q) + " requires user@domain target");
                return delegated(q, upper, Action.valueOf(upper), text, about + " triggers " + upper + " " + text);
            case "PREPEND":
                if (q.facts().sender() == null) return skipped(q, "PREPEND");
                if (q.facts().stage() == Stage.END_OF_DATA) {
                    return warned(q, "access table " + q.table()
                            + ": action PREPEND must be used before smtpd_end_of_data_restrictions");
                }
                if (!HEADER.matcher(text).matches()) return warned(q, entry(q) + " requires header: text");
                return leaf(Decision.effect(Action.PREPEND, text, null, q.origin(), q.restriction()));
            case "OK":
            case "RELAY":
                return leaf(Decision.ok(q.origin(), q.restriction()));
            default:
                break;
        }
        if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return leaf(Decision.ok(q.origin(), q.restriction())); // Postfix: all-numerical means OK
        }
        if (CODE.matcher(cmd).matches() && !text.isEmpty()) {
            int code = Integer.parseInt(cmd);
            return reply(q, code >= 500 ? Action.REJECT : Action.DEFER, code, cmd.charAt(0) + ".7.1", text, "Access denied");
        }
        if (value.indexOf(':') >= 0) {
            return leaf(Decision.configError(q.origin(), q.restriction(), List.of(
                    "access table " + q.table() + " has entry with lookup table: " + value,
                    "do not specify lookup tables inside SMTPD access maps",
                    "define a restriction class and specify its name instead.")));
        }
        return restrictions(q, value);
    }

    private Outcome reply(Query q, Action action, int code, String defaultDsn, String text, String fallback) {
        Replies.Split s = Replies.split(defaultDsn, text);
        List<String> warnings = new ArrayList<>();
        SmtpReply r = Replies.reply(code, q.cls().fixDsn(s.dsn()), "<" + q.replyName() + ">: " + q.cls().text()
                + " rejected: " + (s.text().isEmpty() ? fallback : s.text()), warnings);
        return leaf(Decision.reply(action, r, q.origin(), q.restriction()).withWarnings(warnings));
    }

    private static String entry(Query q) {
        return "access table " + q.table() + " entry \"" + q.datum() + "\"";
    }

    private static String or(String text, String fallback) {
        return text.isEmpty() ? fallback : text;
    }

    private static Outcome effect(Query q, Action action, String argument, String text) {
        return leaf(Decision.effect(action, argument, text, q.origin(), q.restriction()));
    }

    /** Postfix's can_delegate_action: message actions need a mail transaction (MAIL FROM seen). */
    private static Outcome delegated(Query q, String what, Action action, String argument, String text) {
        if (q.facts().sender() == null) return skipped(q, what);
        return effect(q, action, argument, text);
    }

    private static Outcome skipped(Query q, String what) {
        return warned(q, "access table " + q.table() + ": with smtpd_delay_reject=no, action " + what
                + " is always skipped in Client host or Helo command restrictions");
    }

    private static Outcome warned(Query q, String warning) {
        return leaf(Decision.dunno(q.origin(), q.restriction()).withWarnings(List.of(warning)));
    }

    private static Outcome leaf(Decision d) {
        return new Leaf(d);
    }

    /** A restriction list as the value: parsed once per (list kind, entry, value) and kept. */
    private Outcome restrictions(Query q, String value) {
        if (Tokens.split(value).isEmpty()) {
            return leaf(Decision.ok(q.origin(), q.restriction())
                    .withWarnings(List.of("access table " + q.table() + " entry " + q.datum() + " has empty value")));
        }
        String key = q.place().kind() + "\u0000" + q.cls() + "\u0000" + q.origin() + "\u0000" + value;
        Object known = lists.get(key);
        if (known == null) {
            // Postfix: the value's restrictions reply about what the table was asked (reply_class), while a
            // bare type:table in it still means the enclosing list's access check (def_acl)
            Place at = new Place(q.place().kind(), q.cls(), q.origin(), "access table " + q.table(), true);
            try {
                // a parse may fill Env's caches (tables of *_maps, the RBL replies), which the load filled on
                // one thread: after the load, sessions on several threads parse one at a time
                synchronized (env) {
                    known = env.parser.parse(at, value);
                }
            } catch (ConfigException e) {
                known = e.diagnostics().stream().map(Diagnostic::message).toList();
            }
            if (lists.size() > CACHE_LIMIT) lists.clear();
            lists.put(key, known);
        }
        if (known instanceof RestrictionList list) return new Nested(list);
        @SuppressWarnings("unchecked")
        List<String> problems = (List<String>) known;
        return leaf(Decision.configError(q.origin(), q.restriction(), problems));
    }
}
