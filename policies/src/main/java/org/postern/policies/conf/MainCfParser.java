// MainCfParser: reads DIR/main.cf into unexpanded "name = value" settings (postconf(5) syntax:
// logical lines, '#' comment lines only -- a '#' in a value is text -- later assignment wins, with a
// warning as postconf gives). Malformed lines are errors at main.cf:LINE; ConfigBuilder checks values.
package org.postern.policies.conf;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postern.core.Origin;

/** main.cf syntax, as Postfix's split_nameval(). */
final class MainCfParser {
    private MainCfParser() {}

    /** Settings by name, in order of first appearance; a later assignment replaces an earlier one. */
    static Map<String, Setting> parse(String content, String file, List<Diagnostic> sink) {
        Map<String, Setting> settings = new LinkedHashMap<>();
        for (LogicalLines.Line line : LogicalLines.read(content, file, sink)) {
            Origin origin = new Origin(file, line.number());
            String text = line.text();
            int i = 0;
            while (i < text.length() && !LogicalLines.isSpace(text.charAt(i)) && text.charAt(i) != '=') i++;
            String name = text.substring(0, i);
            if (name.isEmpty()) {
                sink.add(Diagnostic.error(origin, "missing attribute name: \"" + shown(text) + "\""));
                continue;
            }
            while (i < text.length() && LogicalLines.isSpace(text.charAt(i))) i++;
            if (i == text.length() || text.charAt(i) != '=') {
                sink.add(Diagnostic.error(origin,
                        "missing '=' after attribute name \"" + name + "\": \"" + shown(text) + "\""));
                continue;
            }
            String value = LogicalLines.trim(text.substring(i + 1));
            Setting earlier = settings.put(name, new Setting(name, value, origin));
            if (earlier != null) {
                sink.add(Diagnostic.warning(origin, "overriding earlier entry at line " + earlier.origin().line()
                        + ": " + name + "=" + earlier.value()));
            }
        }
        return settings;
    }

    private static String shown(String text) {
        String t = LogicalLines.trim(text);
        return t.length() > 60 ? t.substring(0, 60) + "..." : t;
    }
}
