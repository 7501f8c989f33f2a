// RspamdReply: rspamd's /checkv2 JSON reply read into a SpamReport (score, required score, action,
// symbols, rewritten subject) and the HeaderEdits of its milter block. A reply without a numeric score
// and an action is garbage. Part of the rspamd filter of the vscan stage; no main.cf parameters.
package org.postern.filters.rspamd;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.postern.filters.HeaderEdit;
import org.postern.filters.SpamReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one checkv2 reply says. Unknown fields (is_skipped, messages, urls, emails, time_real,
 * message-id, dkim-signature, ...) are ignored; so are the milter block's keys other than
 * add_headers and remove_headers (change_from, add_rcpt, del_rcpt, reject, spam_header, no_action).
 *
 * <p>Header positions follow rspamd's own milter client (rspamd_proxy): a header to add with an
 * {@code order} of 0 or more is inserted at that index; without an order, or with a negative one
 * (milter_headers' default is -1: after the last header), it is appended, which this record writes
 * as index {@link #APPEND}. Removal of the n-th occurrence counted from the end (negative index)
 * has no HeaderEdit form and is dropped with a log line. Removals come before additions, as rspamd
 * applies them, so a header can be replaced.
 */
record RspamdReply(SpamReport report, List<HeaderEdit> headerEdits) {
    /** HeaderEdit index for "after the last header". */
    static final int APPEND = Integer.MAX_VALUE;

    private static final Logger LOG = LoggerFactory.getLogger(RspamdReply.class);
    private static final Comparator<SpamReport.Symbol> HIGHEST_FIRST =
            Comparator.comparingDouble(SpamReport.Symbol::score).reversed().thenComparing(SpamReport.Symbol::name);

    RspamdReply {
        headerEdits = List.copyOf(headerEdits);
    }

    /**
     * @throws IllegalArgumentException saying what is wrong when {@code body} is not JSON, lacks a
     *         numeric score or an action, or has a known field of the wrong type
     */
    static RspamdReply parse(Buffer body) {
        JsonObject json;
        try {
            json = new JsonObject(body);
        } catch (DecodeException | ClassCastException | NullPointerException e) {
            throw new IllegalArgumentException("not a JSON object: " + snippet(body.toString()));
        }
        double score = number(json, "score", true);
        Object action = json.getValue("action");
        if (!(action instanceof String a) || a.isBlank()) {
            throw new IllegalArgumentException("no action in " + snippet(json.encode()));
        }
        double required = number(json, "required_score", false);
        Object subject = json.getValue("subject");
        if (subject != null && !(subject instanceof String)) throw wrongType("subject", subject);
        SpamReport report = new SpamReport(score, required, (String) action, symbols(json.getValue("symbols")),
                (String) subject);
        return new RspamdReply(report, milter(json.getValue("milter")));
    }

    /** A JSON number, or NaN when absent/null and not {@code mandatory}. */
    private static double number(JsonObject json, String key, boolean mandatory) {
        Object v = json.getValue(key);
        if (v == null) {
            if (mandatory) throw new IllegalArgumentException("no " + key + " in " + snippet(json.encode()));
            return Double.NaN;
        }
        if (!(v instanceof Number n)) throw wrongType(key, v);
        return n.doubleValue();
    }

    private static List<SpamReport.Symbol> symbols(Object value) {
        if (value == null) return List.of();
        if (!(value instanceof JsonObject all)) throw wrongType("symbols", value);
        List<SpamReport.Symbol> out = new ArrayList<>(all.size());
        for (Map.Entry<String, Object> e : all) {
            if (!(e.getValue() instanceof JsonObject s)) throw wrongType("symbols." + e.getKey(), e.getValue());
            Object score = s.getValue("score");
            if (score != null && !(score instanceof Number)) throw wrongType("symbols." + e.getKey() + ".score", score);
            Object options = s.getValue("options");
            List<String> opts = new ArrayList<>();
            if (options instanceof JsonArray a) {
                for (Object o : a) opts.add(o instanceof String str ? str : String.valueOf(o));
            } else if (options != null) {
                throw wrongType("symbols." + e.getKey() + ".options", options);
            }
            out.add(new SpamReport.Symbol(e.getKey(), score == null ? 0 : ((Number) score).doubleValue(), opts));
        }
        out.sort(HIGHEST_FIRST);
        return out;
    }

    private static List<HeaderEdit> milter(Object value) {
        if (value == null) return List.of();
        if (!(value instanceof JsonObject milter)) throw wrongType("milter", value);
        List<HeaderEdit> edits = new ArrayList<>();
        if (milter.getValue("remove_headers") instanceof JsonObject remove) {
            for (Map.Entry<String, Object> e : remove) {
                if (e.getValue() instanceof Number n && n.intValue() >= 0) {
                    edits.add(new HeaderEdit(HeaderEdit.Op.REMOVE, e.getKey(), "", n.intValue()));
                } else {
                    LOG.info("rspamd milter remove_headers {}={} ignored: only indexes counted from the top "
                            + "(1-based, 0 = all) are supported", e.getKey(), e.getValue());
                }
            }
        }
        if (milter.getValue("add_headers") instanceof JsonObject add) {
            for (Map.Entry<String, Object> e : add) {
                if (e.getValue() instanceof JsonArray several) {
                    for (Object one : several) addHeader(edits, e.getKey(), one);
                } else {
                    addHeader(edits, e.getKey(), e.getValue());
                }
            }
        }
        return edits;
    }

    /** {value, order} (rspamd's form) or a bare string value (appended). */
    private static void addHeader(List<HeaderEdit> edits, String name, Object spec) {
        String value = null;
        int index = APPEND;
        if (spec instanceof String s) {
            value = s;
        } else if (spec instanceof JsonObject o && o.getValue("value") instanceof String s) {
            value = s;
            Object order = o.getValue("order");
            if (order == null) order = o.getValue("index");
            if (order instanceof Number n && n.longValue() >= 0) index = (int) Math.min(n.longValue(), APPEND);
        }
        if (value == null) {
            LOG.info("rspamd milter add_headers {}={} ignored: no string value", name, spec);
            return;
        }
        edits.add(new HeaderEdit(HeaderEdit.Op.ADD, name, value, index));
    }

    private static IllegalArgumentException wrongType(String key, Object value) {
        return new IllegalArgumentException(key + " is not of the expected type: " + snippet(String.valueOf(value)));
    }

    /** At most 200 characters, control characters shown as '?', for log lines and TEMPFAIL reasons. */
    static String snippet(String s) {
        String cut = s.length() > 200 ? s.substring(0, 200) + "..." : s;
        StringBuilder sb = new StringBuilder(cut.length());
        cut.codePoints().forEach(c -> sb.appendCodePoint(c < 0x20 || c == 0x7f ? '?' : c));
        return sb.toString();
    }
}
