// ClamdReply: clamd's answer to one zINSTREAM scan, read up to its NUL, turned into what the vscan
// stage decides on -- CLEAN only for "stream: OK", INFECTED with the signature name, UNSCANNABLE for
// size/limit replies, TEMPFAIL for every error or garbage. Pure parsing, no I/O; no main.cf parameters.
package org.postern.filters.clamav;

import java.util.Locale;
import org.postern.filters.FilterResult.Kind;

/**
 * @param kind   CLEAN, INFECTED, UNSCANNABLE or TEMPFAIL
 * @param detail the signature name (INFECTED), clamd's reply (UNSCANNABLE), the reason (TEMPFAIL), "" (CLEAN)
 */
record ClamdReply(Kind kind, String detail) {
    private static final String PREFIX = "stream: ";
    private static final String FOUND = " FOUND";
    private static final String ERROR = " ERROR";
    /** Heuristic names clamd gives when AlertExceedsMax is on and a scan limit was hit: not a virus, not scanned. */
    private static final String LIMITS_HEURISTIC = "Heuristics.Limits.Exceeded";
    private static final int MAX_DETAIL = 200;

    /** Parses the reply text without its NUL terminator. */
    static ClamdReply parse(String reply) {
        String r = reply.strip();
        if (r.equals(PREFIX + "OK")) return new ClamdReply(Kind.CLEAN, "");
        if (r.startsWith(PREFIX) && r.endsWith(FOUND)) {
            String name = r.substring(PREFIX.length(), r.length() - FOUND.length()).strip();
            if (name.isEmpty() || name.chars().anyMatch(c -> c <= ' ' || c > '~')) {
                return tempfail("clamd reported a malformed signature name: " + printable(r));
            }
            if (name.startsWith(LIMITS_HEURISTIC)) return new ClamdReply(Kind.UNSCANNABLE, printable(r));
            return new ClamdReply(Kind.INFECTED, name);
        }
        if (r.endsWith(ERROR) || r.equals("ERROR")) {
            return isLimitError(r) ? new ClamdReply(Kind.UNSCANNABLE, printable(r))
                    : tempfail("clamd error: " + printable(r));
        }
        if (r.isEmpty()) return tempfail("clamd sent an empty reply");
        return tempfail("unexpected clamd reply: " + printable(r));
    }

    /** "INSTREAM size limit exceeded. ERROR" (StreamMaxLength), "...: Limits exceeded ERROR" and the like. */
    private static boolean isLimitError(String r) {
        String l = r.toLowerCase(Locale.ROOT);
        return l.contains("limit exceeded") || l.contains("limits exceeded") || r.contains(LIMITS_HEURISTIC);
    }

    static ClamdReply tempfail(String why) {
        return new ClamdReply(Kind.TEMPFAIL, why);
    }

    /** Bytes clamd sent, fit for a log line: non-printables as \xNN, at most 200 characters. */
    static String printable(CharSequence s) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        for (; i < s.length() && sb.length() < MAX_DETAIL; i++) {
            char c = s.charAt(i);
            if (c >= ' ' && c <= '~') sb.append(c);
            else sb.append(String.format("\\x%02x", c & 0xff));
        }
        if (i < s.length()) sb.append("...");
        return sb.toString();
    }
}
