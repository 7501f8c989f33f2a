// RblReplyTemplate: a parsed default_rbl_reply / rbl_reply_maps template, expanded per rejection with
// RblReplyFacts into the SMTP reply ("554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked
// using zen.example; reason"). Postfix's mac_expand subset: $name ${name} $(name) ${name?x} ${name:x}
// ${name?{x}:{y}} $$ (no relational ${{a} == {b}?...} forms).
package org.postern.policies.dns;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postern.core.SmtpReply;

/**
 * Immutable; {@link #parse} validates variable names and the leading reply code at load time.
 * Substituted values pass Postfix's default smtpd_expansion_filter (tab and printable ASCII; any
 * other character becomes "_"), and are never expanded again: a "$" in DNS TXT text stays a "$".
 */
public final class RblReplyTemplate {
    /** Postfix's default_rbl_reply. */
    public static final String DEFAULT_TEXT =
            "$rbl_code Service unavailable; $rbl_class [$rbl_what] blocked using $rbl_domain${rbl_reason?; $rbl_reason}";
    private static final Pattern LEADING_CODE =
            Pattern.compile("^(?:\\$rbl_code|\\$\\{rbl_code}|\\$\\(rbl_code\\)|[45]\\d\\d)(?: |$)");
    /** code, optional enhanced status (class digit, then subject.detail), text */
    private static final Pattern REPLY =
            Pattern.compile("([45]\\d\\d)(?: ([245])\\.(\\d{1,3}\\.\\d{1,3})(?= |$))? ?(.*)", Pattern.DOTALL);
    /** Nesting of ${name?...} within a template, as Postfix's mac_expand() allows. */
    static final int MAX_NESTING = 100;
    private static final RblReplyTemplate DEFAULT = parse(DEFAULT_TEXT); // after the patterns it uses

    private sealed interface Part permits Text, Var, Cond {}
    private record Text(String text) implements Part {}
    private record Var(String name) implements Part {}
    /** ${name?body} when {@code ifSet}, ${name:body} otherwise. */
    private record Cond(String name, boolean ifSet, List<Part> body) implements Part {}

    private final String template;
    private final List<Part> parts;

    private RblReplyTemplate(String template, List<Part> parts) {
        this.template = template;
        this.parts = List.copyOf(parts);
    }

    /** Postfix's default_rbl_reply. */
    public static RblReplyTemplate defaultTemplate() {
        return DEFAULT;
    }

    /**
     * @throws DnsblSyntaxException for an unknown variable, a "$" without a name, an unclosed "${",
     *     or a template that does not begin with the reply code ($rbl_code or a literal 4xx/5xx)
     */
    public static RblReplyTemplate parse(String template) {
        if (!LEADING_CODE.matcher(template).find()) {
            String head = abbreviate(template.split(" ", 2)[0], 60);
            throw new DnsblSyntaxException("RBL reply template \"" + abbreviate(template, 200)
                    + "\" must begin with the reply code ($rbl_code or 4xx/5xx), not \"" + head + "\"", head);
        }
        List<Part> parts = new ArrayList<>();
        int end = parseParts(template, 0, (char) 0, parts, 0);
        if (end != template.length()) throw error(template, template.substring(end), "unexpected text");
        return new RblReplyTemplate(template, parts);
    }

    /** Parses from {@code pos} until {@code close} (0: the end); returns the index of the closer. */
    private static int parseParts(String t, int pos, char close, List<Part> out, int depth) {
        if (depth > MAX_NESTING) {
            int dollar = Math.max(0, t.lastIndexOf('$', pos));
            throw error(t, t.substring(dollar, Math.min(t.length(), dollar + 20)),
                    "unreasonable macro call nesting (more than " + MAX_NESTING + " levels) at offset " + dollar);
        }
        StringBuilder text = new StringBuilder();
        while (pos < t.length()) {
            char c = t.charAt(pos);
            if (close != 0 && c == close) break;
            if (c != '$') {
                text.append(c);
                pos++;
                continue;
            }
            if (pos + 1 < t.length() && t.charAt(pos + 1) == '$') {
                text.append('$');
                pos += 2;
                continue;
            }
            if (text.length() > 0) {
                out.add(new Text(text.toString()));
                text.setLength(0);
            }
            pos = parseDollar(t, pos, out, depth);
        }
        if (close != 0 && pos >= t.length()) {
            throw error(t, t.substring(Math.max(0, t.lastIndexOf('$'))), "missing \"" + close + "\"");
        }
        if (text.length() > 0) out.add(new Text(text.toString()));
        return pos;
    }

    private static int parseDollar(String t, int dollar, List<Part> out, int depth) {
        int pos = dollar + 1;
        char open = pos < t.length() ? t.charAt(pos) : 0;
        char close = open == '{' ? '}' : open == '(' ? ')' : 0;
        if (close != 0) pos++;
        int start = pos;
        while (pos < t.length() && nameChar(t.charAt(pos))) pos++;
        String name = t.substring(start, pos);
        if (name.isEmpty()) {
            throw error(t, t.substring(dollar, Math.min(t.length(), dollar + 2)), "\"$\" without a variable name");
        }
        if (!RblReplyFacts.isVariable(name)) throw error(t, "$" + name, "unknown variable \"$" + name + "\"");
        if (close == 0) {
            out.add(new Var(name));
            return pos;
        }
        if (pos >= t.length()) throw error(t, t.substring(dollar), "missing \"" + close + "\"");
        char op = t.charAt(pos);
        if (op == close) {
            out.add(new Var(name));
            return pos + 1;
        }
        if (op != '?' && op != ':') throw error(t, t.substring(dollar, pos + 1), "expected \"" + close + "\", \"?\" or \":\"");
        if (t.startsWith("{", pos + 1)) return parseBraced(t, dollar, name, op == '?', pos + 1, close, out, depth);
        List<Part> body = new ArrayList<>();
        int end = parseParts(t, pos + 1, close, body, depth + 1);
        out.add(new Cond(name, op == '?', body));
        return end + 1;
    }

    /** Postfix 3 form: ${name?{text}}, ${name:{text}}, ${name?{text}:{other}}; {@code pos} is at the "{". */
    private static int parseBraced(String t, int dollar, String name, boolean ifSet, int pos, char close, List<Part> out,
                                   int depth) {
        List<Part> first = new ArrayList<>();
        int p = parseParts(t, pos + 1, '}', first, depth + 1) + 1;
        List<Part> second = null;
        if (ifSet && t.startsWith(":{", p)) {
            second = new ArrayList<>();
            p = parseParts(t, p + 2, '}', second, depth + 1) + 1;
        }
        if (p >= t.length() || t.charAt(p) != close) throw error(t, t.substring(dollar), "missing \"" + close + "\"");
        out.add(new Cond(name, ifSet, first));
        if (second != null) out.add(new Cond(name, false, second));
        return p + 1;
    }

    private static boolean nameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    /** The error naming {@code token} (in full for templates of normal length; long ones are abbreviated). */
    private static DnsblSyntaxException error(String template, String token, String what) {
        String shown = abbreviate(token, 60);
        String message = "bad RBL reply template \"" + abbreviate(template, 200) + "\": " + what;
        return new DnsblSyntaxException(message.contains(shown) ? message : message + " at \"" + shown + "\"", shown);
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }

    /** The template with every variable replaced (values filtered, never re-expanded). */
    public String expand(RblReplyFacts facts) {
        StringBuilder sb = new StringBuilder();
        expand(parts, facts, sb);
        return sb.toString();
    }

    private static void expand(List<Part> parts, RblReplyFacts facts, StringBuilder sb) {
        for (Part p : parts) {
            if (p instanceof Text t) {
                sb.append(t.text());
            } else if (p instanceof Var v) {
                sb.append(filter(facts.value(v.name())));
            } else if (p instanceof Cond c) {
                boolean set = !facts.value(c.name()).isEmpty();
                if (set == c.ifSet()) expand(c.body(), facts, sb);
            }
        }
    }

    /** Postfix's default smtpd_expansion_filter: tab and printable ASCII pass, anything else is "_". */
    static String filter(String value) {
        StringBuilder sb = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            sb.append(c == '\t' || (c >= ' ' && c <= '~') ? c : '_');
        }
        return sb.toString();
    }

    /**
     * The expanded template as an SMTP reply. An enhanced status code after the reply code is kept
     * (its class digit made to match the code); without one, x.7.1 is used, as Postfix does.
     * Empty text becomes "Service unavailable".
     */
    public SmtpReply reply(RblReplyFacts facts) {
        String expanded = expand(facts);
        Matcher m = REPLY.matcher(expanded);
        if (!m.matches()) return SmtpReply.of(450, "4.7.1", "Service unavailable"); // parse() makes this unreachable
        int code = Integer.parseInt(m.group(1));
        String cls = Integer.toString(code / 100);
        String dsn = cls + "." + (m.group(3) != null ? m.group(3) : "7.1");
        String text = m.group(4).isEmpty() ? "Service unavailable" : m.group(4);
        return SmtpReply.of(code, dsn, printable(text));
    }

    /** Control characters of the template's own text (a CR in main.cf, say) become spaces, as in Replies. */
    private static String printable(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            sb.append(c < ' ' && c != '\t' || c == 0x7f ? ' ' : c);
        }
        return sb.toString();
    }

    /** The template as written. */
    @Override
    public String toString() {
        return template;
    }
}
