// MimeParams: reads the parameters of a Content-Type or Content-Disposition header the way lenient
// mail clients do -- quoted or bare values, RFC 2231 charset'lang'%XX values and *0 *1 continuations,
// RFC 2047 encoded words in names -- to give the attachment file names the vscan stage checks.
package org.postern.filters.mime;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;

final class MimeParams {
    /** Continuation sections beyond this are ignored (a name is never that long). */
    private static final int MAX_SECTIONS = 256;

    /** One parameter as written: {@code name} in lower case, with its RFC 2231 "*N*" suffix. */
    record Param(String name, String value) {}

    private MimeParams() {}

    /**
     * The parameters after the type (or disposition) of a header body. Never fails: a missing '=', an unclosed
     * quote or stray characters give fewer or rougher parameters, as in a mail client.
     */
    static List<Param> parse(String body) {
        List<Param> out = new ArrayList<>();
        int n = body.length();
        int i = 0;
        while (i < n && Character.isWhitespace(body.charAt(i))) i++;
        // The type or disposition ends at ';' or white space ("attachment filename=x.exe" without
        // its ';' still gives the name, as in lenient clients).
        while (i < n && body.charAt(i) != ';' && !Character.isWhitespace(body.charAt(i))) i++;
        while (i < n) {
            if (body.charAt(i) == ';' || Character.isWhitespace(body.charAt(i))) {
                i++;
                continue;
            }
            if (body.charAt(i) == '(') { // a comment between parameters
                int close = body.indexOf(')', i);
                i = close < 0 ? n : close + 1;
                continue;
            }
            int start = i;
            while (i < n && body.charAt(i) != '=' && body.charAt(i) != ';') i++;
            String name = body.substring(start, i).strip().toLowerCase(Locale.ROOT);
            if (i >= n || body.charAt(i) == ';') continue; // no value
            i++; // '='
            while (i < n && (body.charAt(i) == ' ' || body.charAt(i) == '\t')) i++;
            StringBuilder value = new StringBuilder();
            if (i < n && body.charAt(i) == '"') {
                for (i++; i < n && body.charAt(i) != '"'; i++) {
                    char c = body.charAt(i);
                    if (c == '\\' && i + 1 < n) c = body.charAt(++i);
                    value.append(c);
                }
                i++; // closing quote (or past the end)
                i = skipValue(body, Math.min(i, n)); // junk after the quote up to ';'
            } else {
                int end = skipValue(body, i);
                value.append(body.substring(i, end).strip());
                i = end;
            }
            if (!name.isEmpty()) out.add(new Param(name, value.toString()));
        }
        return out;
    }

    /**
     * Every value a client may take for {@code name} ("filename", "name"): each plain value with its
     * encoded words decoded, the RFC 2231 extended value ({@code name*}), and the continuation
     * ({@code name*0*, name*1, ...}) joined. Distinct, in that order.
     */
    static List<String> values(List<Param> params, String name) {
        Set<String> out = new LinkedHashSet<>();
        TreeMap<Integer, Param> sections = new TreeMap<>();
        for (Param p : params) {
            String pn = p.name();
            if (pn.equals(name)) {
                out.add(decodeWords(p.value()));
            } else if (pn.equals(name + "*")) {
                out.add(decodeExtended(p.value(), true, null).text());
            } else if (pn.startsWith(name + "*")) {
                String rest = pn.substring(name.length() + 1);
                if (rest.endsWith("*")) rest = rest.substring(0, rest.length() - 1);
                if (!rest.isEmpty() && rest.length() <= 3 && rest.chars().allMatch(Character::isDigit)) {
                    int section = Integer.parseInt(rest);
                    if (section < MAX_SECTIONS) sections.putIfAbsent(section, p);
                }
            }
        }
        if (!sections.isEmpty()) out.add(joinSections(sections));
        out.remove("");
        return List.copyOf(out);
    }

    private static String joinSections(TreeMap<Integer, Param> sections) {
        StringBuilder joined = new StringBuilder();
        Charset charset = null;
        for (Map.Entry<Integer, Param> e : sections.entrySet()) {
            Param p = e.getValue();
            boolean encoded = p.name().endsWith("*");
            if (encoded) {
                Decoded d = decodeExtended(p.value(), e.getKey() == 0 || charset == null && joined.isEmpty(), charset);
                if (charset == null) charset = d.charset();
                joined.append(d.text());
            } else {
                joined.append(decodeWords(p.value()));
            }
        }
        return joined.toString();
    }

    private record Decoded(String text, Charset charset) {}

    /** An RFC 2231 value: [charset'lang']%XX-encoded text; a bad charset is read as UTF-8. */
    private static Decoded decodeExtended(String value, boolean mayHaveCharset, Charset known) {
        Charset cs = known;
        String text = value;
        if (mayHaveCharset) {
            int q1 = value.indexOf('\'');
            int q2 = q1 < 0 ? -1 : value.indexOf('\'', q1 + 1);
            if (q2 >= 0) {
                cs = charset(value.substring(0, q1));
                text = value.substring(q2 + 1);
            }
        }
        if (cs == null) cs = StandardCharsets.UTF_8;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < text.length() && hex(text.charAt(i + 1)) >= 0 && hex(text.charAt(i + 2)) >= 0) {
                bytes.write(hex(text.charAt(i + 1)) * 16 + hex(text.charAt(i + 2)));
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(b, 0, b.length);
            }
        }
        return new Decoded(new String(bytes.toByteArray(), cs), cs);
    }

    /** RFC 2047 encoded words (=?utf-8?B?...?=), which Outlook and others put in names; else as is. */
    static String decodeWords(String value) {
        if (!value.contains("=?")) return value;
        try {
            return DecoderUtil.decodeEncodedWords(value, DecodeMonitor.SILENT);
        } catch (RuntimeException e) {
            return value;
        }
    }

    private static Charset charset(String name) {
        try {
            return name.isBlank() ? StandardCharsets.UTF_8 : Charset.forName(name.strip());
        } catch (RuntimeException e) { // illegal or unsupported charset name
            return StandardCharsets.UTF_8;
        }
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    /** Index of the ';' ending a bare value (or the end), skipping quoted strings inside it. */
    private static int skipValue(String s, int from) {
        int i = from;
        boolean quoted = false;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (quoted && c == '\\') {
                i += 2;
                continue;
            }
            if (c == '"') quoted = !quoted;
            else if (c == ';' && !quoted) break;
            i++;
        }
        return Math.min(i, s.length());
    }
}
