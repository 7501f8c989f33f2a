// PathArgument: splits the argument of MAIL FROM: / RCPT TO: into the path (between angle
// brackets, quote-aware) and the ESMTP parameters that follow. Tolerates the space after the colon
// and a missing pair of brackets, as Postfix does with strict_rfc821_envelopes = no.
package org.postern.gateway.smtpd;

import java.util.Optional;

record PathArgument(String path, String params) {
    /** Empty when the argument does not start with {@code keyword} (e.g. "FROM:") or is malformed. */
    static Optional<PathArgument> parse(String arg, String keyword) {
        if (!arg.regionMatches(true, 0, keyword, 0, keyword.length())) return Optional.empty();
        String rest = arg.substring(keyword.length());
        int i = 0;
        while (i < rest.length() && rest.charAt(i) == ' ') i++;
        rest = rest.substring(i);
        if (rest.isEmpty()) return Optional.empty();
        if (rest.charAt(0) != '<') {
            int sp = rest.indexOf(' ');
            String path = sp < 0 ? rest : rest.substring(0, sp);
            if (path.indexOf('>') >= 0 || path.indexOf('"') >= 0) return Optional.empty();
            return Optional.of(new PathArgument(path, sp < 0 ? "" : rest.substring(sp + 1)));
        }
        boolean quoted = false;
        for (int j = 1; j < rest.length(); j++) {
            char c = rest.charAt(j);
            if (quoted && c == '\\') {
                j++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '>' && !quoted) {
                String params = rest.substring(j + 1);
                if (!params.isEmpty() && params.charAt(0) != ' ') return Optional.empty();
                return Optional.of(new PathArgument(rest.substring(1, j), params.trim()));
            } else if (c == '<' && !quoted) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
