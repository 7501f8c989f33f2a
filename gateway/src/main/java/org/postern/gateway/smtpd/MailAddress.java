// MailAddress: an RFC 5321 path (MAIL FROM / RCPT TO argument) parsed into local part and domain.
// smtpd's defence against relay tricks starts here: source routes are dropped, quoted local parts
// dequoted (resolve_dequoted_address), and routing characters in the local part flagged.
package org.postern.gateway.smtpd;

import java.util.Locale;
import java.util.Optional;

/**
 * A mailbox. {@code localPart} is dequoted; {@code domain} is lower-case ASCII or U-label text,
 * "" when the path had no domain, or an address literal in brackets ({@code [192.0.2.1]}).
 */
record MailAddress(String localPart, String domain) {
    static final MailAddress NULL_SENDER = new MailAddress("", "");

    boolean isNull() {
        return localPart.isEmpty() && domain.isEmpty();
    }

    boolean hasDomain() {
        return !domain.isEmpty();
    }

    boolean isLiteral() {
        return domain.startsWith("[");
    }

    /**
     * True when the local part holds a routing operator ({@code @ % !}): such an address asks the
     * next hop to relay further ("user%remote@ours", "remote!user@ours", "\"user@remote\"@ours"),
     * so it is never an authorized destination for an untrusted client (Postfix: RESOLVE_FLAG_ROUTED).
     */
    boolean isRouted() {
        return localPart.indexOf('@') >= 0 || localPart.indexOf('%') >= 0 || localPart.indexOf('!') >= 0;
    }

    boolean isAscii() {
        return (localPart + domain).chars().allMatch(c -> c < 0x80);
    }

    MailAddress withDomain(String newDomain) {
        return new MailAddress(localPart, newDomain.toLowerCase(Locale.ROOT));
    }

    /** The address as text, quoting the local part when RFC 5321 requires it. */
    @Override
    public String toString() {
        if (isNull()) return "";
        String lp = needsQuoting(localPart) ? quote(localPart) : localPart;
        return domain.isEmpty() ? lp : lp + "@" + domain;
    }

    private static boolean needsQuoting(String lp) {
        if (lp.isEmpty() || lp.startsWith(".") || lp.endsWith(".") || lp.contains("..")) return true;
        for (int i = 0; i < lp.length(); i++) {
            char c = lp.charAt(i);
            if (c >= 0x80) continue;
            if (!isAtext(c) && c != '.') return true;
        }
        return false;
    }

    private static String quote(String lp) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < lp.length(); i++) {
            char c = lp.charAt(i);
            if (c == '"' || c == '\\') sb.append('\\');
            sb.append(c);
        }
        return sb.append('"').toString();
    }

    static boolean isAtext(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0;
    }

    /**
     * Parses the text between the angle brackets of a path. Returns empty for a syntax error.
     * A source route ({@code @a,@b:user@d}) is accepted and ignored, as RFC 5321 section 4.1.2 says.
     */
    static Optional<MailAddress> parse(String path, boolean utf8Allowed) {
        String s = path;
        if (s.startsWith("@")) { // A-d-l source route: drop it
            int colon = s.indexOf(':');
            if (colon < 0) return Optional.empty();
            for (String hop : s.substring(0, colon).split(",", -1)) {
                if (!hop.startsWith("@") || !validDomain(hop.substring(1), utf8Allowed)) return Optional.empty();
            }
            s = s.substring(colon + 1);
        }
        if (s.isEmpty()) return Optional.empty();
        String local;
        int rest;
        if (s.charAt(0) == '"') {
            StringBuilder sb = new StringBuilder();
            int i = 1;
            for (; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\\') {
                    if (++i >= s.length()) return Optional.empty();
                    c = s.charAt(i);
                    if (c < 0x20 || c == 0x7f) return Optional.empty();
                    sb.append(c);
                } else if (c == '"') {
                    break;
                } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8Allowed)) {
                    return Optional.empty();
                } else {
                    sb.append(c);
                }
            }
            if (i >= s.length()) return Optional.empty(); // unterminated quote
            local = sb.toString();
            rest = i + 1;
        } else {
            int at = s.lastIndexOf('@');
            rest = at < 0 ? s.length() : at;
            local = s.substring(0, rest);
            if (!validDotString(local, utf8Allowed)) return Optional.empty();
        }
        if (rest == s.length()) {
            return local.isEmpty() ? Optional.empty() : Optional.of(new MailAddress(local, ""));
        }
        if (s.charAt(rest) != '@') return Optional.empty();
        String domain = s.substring(rest + 1);
        if (!validDomain(domain, utf8Allowed)) return Optional.empty();
        return Optional.of(new MailAddress(local, domain.toLowerCase(Locale.ROOT)));
    }

    private static boolean validDotString(String s, boolean utf8) {
        if (s.isEmpty() || s.length() > 64 * 4) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                if (!utf8) return false;
            } else if (!isAtext(c) && c != '.') {
                return false;
            }
        }
        return true; // leading/trailing/double dots are tolerated, as Postfix does
    }

    static boolean validDomain(String d, boolean utf8) {
        if (d.isEmpty() || d.length() > 255) return false;
        if (d.startsWith("[")) return AddressLiteral.valid(d);
        if (d.endsWith(".")) d = d.substring(0, d.length() - 1);
        for (String label : d.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63) return false;
            if (label.startsWith("-") || label.endsWith("-")) return false;
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                        || (c >= 0x80 && utf8 && !Character.isWhitespace(c) && !Character.isISOControl(c));
                if (!ok) return false;
            }
        }
        return true;
    }
}
