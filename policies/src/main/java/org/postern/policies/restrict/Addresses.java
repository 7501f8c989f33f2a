// Addresses: the small pieces of address and host-name syntax the restrictions need, as Postfix's
// valid_hostname(), valid_hostaddr(), valid_mailhost_addr() and trivial-rewrite's idea of a
// "routed" address (user%host@ours, host!user@ours, "user@host"@ours), plus Postfix's IPv6 print form.
package org.postern.policies.restrict;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Locale;
import org.postern.policies.conf.InetLiteral;

/** Static helpers; no I/O. */
final class Addresses {
    private Addresses() {}

    /** The domain of user@domain (lower case, no trailing dot); "" when there is no '@'. */
    static String domain(String address) {
        int at = address.lastIndexOf('@');
        if (at < 0) return "";
        String d = address.substring(at + 1).toLowerCase(Locale.ROOT);
        return d.length() > 1 && d.endsWith(".") && !d.endsWith("..") ? d.substring(0, d.length() - 1) : d;
    }

    static String localPart(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? address : address.substring(0, at);
    }

    /** A bare local part gets @myorigin, as trivial-rewrite does (append_at_myorigin); "" stays "". */
    static String qualify(String address, String myorigin) {
        if (address.isEmpty() || address.lastIndexOf('@') >= 0) return address;
        return address + "@" + myorigin;
    }

    /** Sender-specified routing: the local part holds '@', '%' or '!'. */
    static boolean isRouted(String address) {
        String local = localPart(address);
        return local.indexOf('@') >= 0 || local.indexOf('%') >= 0 || local.indexOf('!') >= 0;
    }

    /** "[...]" -- an address literal domain. */
    static boolean isLiteral(String domain) {
        return domain.startsWith("[") && domain.endsWith("]");
    }

    /** Postfix's dup_if_truncate: one trailing dot (not "..") is dropped. */
    static String dropDot(String name) {
        return name.length() > 1 && name.endsWith(".") && !name.endsWith("..") ? name.substring(0, name.length() - 1) : name;
    }

    /**
     * valid_hostname(): labels of letters, digits, '-' and '_', 1..63 characters, no hyphen at either
     * end, at most 255 characters, not all-numeric. With {@code utf8}, non-ASCII letters also count.
     */
    static boolean validHostname(String name, boolean utf8) {
        if (name.isEmpty() || name.length() > 255) return false;
        boolean nonNumeric = false;
        for (String label : name.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63) return false;
            if (label.startsWith("-") || label.endsWith("-")) return false;
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                boolean ascii = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
                if (ascii || (utf8 && c > 0x7f && Character.isLetterOrDigit(c))) nonNumeric = true;
                else if (c < '0' || c > '9') return false;
            }
        }
        return nonNumeric;
    }

    /** valid_hostaddr(): an IPv4 dotted quad or an IPv6 address (no brackets, no "IPv6:"). */
    static boolean validHostaddr(String s) {
        return s.indexOf(':') >= 0 ? validIpv6(s) : validIpv4(s);
    }

    /** valid_mailhost_addr(): inside [...], IPv4, or "IPv6:" followed by an IPv6 address. */
    static boolean validMailhostAddr(String s) {
        if (s.regionMatches(true, 0, "IPv6:", 0, 5)) return validIpv6(s.substring(5));
        return validIpv4(s);
    }

    static boolean validIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) return false;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) return false;
            if (Integer.parseInt(p) > 255) return false;
        }
        return true;
    }

    static boolean validIpv6(String s) {
        int dbl = s.indexOf("::");
        if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) return false;
        String[] groups = s.split(":", -1);
        int count = 0;
        for (int i = 0; i < groups.length; i++) {
            String g = groups[i];
            if (g.isEmpty()) continue; // around "::" (checked above) or a leading/trailing single ':'
            if (i == groups.length - 1 && g.indexOf('.') >= 0) {
                if (!validIpv4(g)) return false;
                count += 2;
                continue;
            }
            if (g.length() > 4 || !g.chars().allMatch(c -> c < 0x80 && Character.digit(c, 16) >= 0)) return false;
            count++;
        }
        if (dbl < 0) {
            if (s.startsWith(":") || s.endsWith(":")) return false;
            return count == 8;
        }
        if ((s.startsWith(":") && !s.startsWith("::")) || (s.endsWith(":") && !s.endsWith("::"))) return false;
        return count < 8;
    }

    /** The address as Postfix prints it: a.b.c.d, or IPv6 with the longest zero run as "::". */
    static String format(InetAddress a) {
        if (a instanceof Inet4Address) return a.getHostAddress();
        return InetLiteral.formatV6(a.getAddress()); // no dotted tail, even for ::ffff:a.b.c.d
    }
}
