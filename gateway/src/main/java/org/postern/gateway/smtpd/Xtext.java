// Xtext: RFC 3461 section 4 xtext decoding ("+XX" hex escapes) for ENVID, ORCPT and AUTH=.
// Used by EsmtpParams; the SMTP client will re-encode when passing DSN parameters on.
package org.postern.gateway.smtpd;

final class Xtext {
    private Xtext() {}

    /** Decoded text, or null when the input is not valid xtext. */
    static String decode(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+') {
                if (i + 2 >= s.length()) return null;
                String hex = s.substring(i + 1, i + 3);
                if (!hex.matches("[0-9A-F]{2}")) return null;
                sb.append((char) Integer.parseInt(hex, 16));
                i += 2;
            } else if (c < 33 || c > 126 || c == '=') {
                return null;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    static String encode(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c < 33 || c > 126 || c == '+' || c == '=') sb.append('+').append(String.format("%02X", (int) c & 0xff));
            else sb.append(c);
        }
        return sb.toString();
    }
}
