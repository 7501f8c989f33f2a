// MasterCfParser: reads DIR/master.cf (master(5)): "service type private unpriv chroot wakeup
// maxproc command [args]" per logical line, -o name=value and -o { name = value } overrides, {..}
// arguments. Checks syntax only; ConfigLoader picks the services Postern runs.
package org.postern.policies.conf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postern.core.Origin;

/** master.cf syntax. */
final class MasterCfParser {
    private MasterCfParser() {}

    /** One syntactically valid master.cf entry; {@code port} is 0 and {@code host} null unless inet. */
    record Entry(String name, String type, String host, int port, String command, List<String> args,
                 Map<String, String> overrides, String maxproc, Origin origin) {}

    private static final List<String> FIELDS =
            List.of("service", "type", "private", "unpriv", "chroot", "wakeup", "maxproc", "command");
    private static final Set<String> TYPES = Set.of("inet", "unix", "unix-dgram", "fifo", "pass");
    private static final Map<String, Integer> PORTS =
            Map.of("smtp", 25, "submission", 587, "smtps", 465, "submissions", 465);

    static List<Entry> parse(String content, String file, List<Diagnostic> sink) {
        List<Entry> out = new ArrayList<>();
        for (LogicalLines.Line line : LogicalLines.read(content, file, sink)) {
            Origin origin = new Origin(file, line.number());
            int before = sink.size();
            Entry e = entry(line.text(), origin, sink);
            if (e != null && sink.size() == before) out.add(e);
        }
        return out;
    }

    private static Entry entry(String text, Origin origin, List<Diagnostic> sink) {
        List<String> t = tokens(text);
        if (t == null) {
            sink.add(Diagnostic.error(origin, "unbalanced {} in \"" + LogicalLines.trim(text) + "\""));
            return null;
        }
        String name = t.get(0);
        String what = "service \"" + name + "\"";
        if (t.size() < FIELDS.size()) {
            sink.add(Diagnostic.error(origin, "missing \"" + FIELDS.get(t.size()) + "\" field in " + what
                    + " (expected: service type private unpriv chroot wakeup maxproc command [args])"));
            return null;
        }
        String type = t.get(1);
        if (!TYPES.contains(type)) {
            sink.add(Diagnostic.error(origin, "bad service type \"" + type + "\" in " + what
                    + " (expected inet, unix, unix-dgram, fifo or pass)"));
        }
        for (int i = 2; i <= 4; i++) {
            if (!t.get(i).matches("[yn-]")) {
                sink.add(Diagnostic.error(origin, "bad " + FIELDS.get(i) + " field \"" + t.get(i) + "\" in "
                        + what + " (expected y, n or -)"));
            }
        }
        if (type.equals("inet") && !t.get(2).equals("n")) {
            sink.add(Diagnostic.error(origin, "inet " + what + " cannot be private (set the private field to n)"));
        }
        if (!t.get(5).matches("-|[0-9]{1,9}\\??")) {
            sink.add(Diagnostic.error(origin, "bad wakeup field \"" + t.get(5) + "\" in " + what
                    + " (expected -, seconds, or seconds followed by ?)"));
        }
        if (!t.get(6).matches("-|[0-9]{1,9}")) {
            sink.add(Diagnostic.error(origin, "bad maxproc field \"" + t.get(6) + "\" in " + what
                    + " (expected - or a number; 0 means no limit)"));
        }
        List<String> args = new ArrayList<>();
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 8; i < t.size(); i++) {
            String arg = t.get(i);
            if (!arg.startsWith("-o")) {
                args.add(unbrace(arg));
                continue;
            }
            String spec = arg.length() > 2 ? arg.substring(2) : (i + 1 < t.size() ? t.get(++i) : null);
            if (spec == null) {
                sink.add(Diagnostic.error(origin, "-o without name=value in " + what));
                continue;
            }
            String nv = unbrace(spec);
            int eq = nv.indexOf('=');
            String oname = eq < 0 ? "" : LogicalLines.trim(nv.substring(0, eq));
            if (eq < 0 || oname.isEmpty()) {
                sink.add(Diagnostic.error(origin, (eq < 0 ? "missing '=' in" : "missing parameter name in")
                        + " -o \"" + spec + "\" in " + what));
                continue;
            }
            overrides.put(oname, LogicalLines.trim(nv.substring(eq + 1)));
        }
        String host = null;
        int port = 0;
        if (type.equals("inet")) {
            String[] hp = hostPort(name, origin, sink);
            if (hp == null) return null;
            host = hp[0];
            port = Integer.parseInt(hp[1]);
        }
        return new Entry(name, type, host, port, t.get(7), Collections.unmodifiableList(args),
                Collections.unmodifiableMap(overrides), t.get(6), origin);
    }

    /** [host:]port for an inet service: {host or null, port number}; null after an error. */
    private static String[] hostPort(String name, Origin origin, List<Diagnostic> sink) {
        String host = null;
        String port = name;
        if (name.startsWith("[")) {
            int close = name.indexOf(']');
            if (close < 0 || close + 1 >= name.length() || name.charAt(close + 1) != ':') {
                sink.add(Diagnostic.error(origin, "bad inet service name \"" + name + "\" (expected [host]:port)"));
                return null;
            }
            host = name.substring(1, close);
            port = name.substring(close + 2);
        } else if (name.lastIndexOf(':') >= 0) {
            host = name.substring(0, name.lastIndexOf(':'));
            port = name.substring(name.lastIndexOf(':') + 1);
        }
        if (host != null && !InetLiteral.isLiteral(host)
                && !host.matches("[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*")) {
            sink.add(Diagnostic.error(origin, "bad host \"" + host + "\" in inet service \"" + name
                    + "\" (expected an IP address, [ipv6-address] or hostname)"));
            return null;
        }
        Integer number = PORTS.get(port);
        if (number == null && port.matches("[0-9]{1,5}")) number = Integer.parseInt(port);
        if (number == null || number < 1 || number > 65535) {
            sink.add(Diagnostic.error(origin, "bad port \"" + port + "\" in inet service \"" + name
                    + "\" (expected 1-65535 or one of smtp, submission, smtps, submissions)"));
            return null;
        }
        return new String[] {host, Integer.toString(number)};
    }

    /** Whitespace-separated tokens; a {...} group (with whitespace inside) is one token; null if unbalanced. */
    static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            while (i < n && LogicalLines.isSpace(text.charAt(i))) i++;
            if (i >= n) break;
            int start = i;
            int level = 0;
            while (i < n && (level > 0 || !LogicalLines.isSpace(text.charAt(i)))) {
                if (text.charAt(i) == '{') level++;
                else if (text.charAt(i) == '}' && level > 0) level--;
                i++;
            }
            if (level > 0) return null;
            out.add(text.substring(start, i));
        }
        return out;
    }

    /** "{ text }" gives "text" (whitespace after { and before } removed), as Postfix's extpar(). */
    private static String unbrace(String s) {
        if (s.length() >= 2 && s.startsWith("{") && s.endsWith("}")) {
            return LogicalLines.trim(s.substring(1, s.length() - 1));
        }
        return s;
    }
}
