// MailCommands: builds the MAIL FROM and RCPT TO command lines a next hop gets -- SIZE, BODY,
// SMTPUTF8 (RFC 1870/6152/6531) and, only when the next hop offers DSN, RET/ENVID/NOTIFY/ORCPT in
// xtext (RFC 3461) -- and refuses addresses that could break the command stream.
package org.postern.gateway.smtp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.postern.core.Envelope;
import org.postern.core.Recipient;
import org.postern.core.Recipient.Notify;

/** Pure functions; the phases send what they return. */
final class MailCommands {
    private MailCommands() {}

    /**
     * {@code MAIL FROM:<sender> SIZE=n BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=xtext}.
     *
     * @param body the BODY= value to announce, or null for none
     */
    static String mailFrom(Envelope env, long size, EhloCapabilities caps, String body, boolean smtputf8) {
        StringBuilder sb = new StringBuilder("MAIL FROM:<").append(env.sender()).append('>');
        if (caps.size()) sb.append(" SIZE=").append(size);
        if (body != null) sb.append(" BODY=").append(body);
        if (smtputf8) sb.append(" SMTPUTF8");
        if (caps.dsn()) {
            if (env.ret() != null) sb.append(" RET=").append(env.ret().name());
            if (env.envid() != null) sb.append(" ENVID=").append(xtext(env.envid()));
        }
        return sb.toString();
    }

    /** {@code RCPT TO:<addr> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;xtext}; DSN parameters only if offered. */
    static String rcptTo(Recipient r, EhloCapabilities caps) {
        StringBuilder sb = new StringBuilder("RCPT TO:<").append(r.address()).append('>');
        if (caps.dsn()) {
            if (!r.notifyOn().isEmpty()) {
                List<String> n = new ArrayList<>();
                for (Notify v : Notify.values()) { // fixed order, NEVER only ever alone
                    if (r.notifyOn().contains(v)) n.add(v.name());
                }
                sb.append(" NOTIFY=").append(String.join(",", n));
            }
            String orcpt = orcpt(r);
            if (orcpt != null) sb.append(" ORCPT=").append(orcpt);
        }
        return sb.toString();
    }

    /**
     * The ORCPT value: the one received (type;xtext(address)), else rfc822;address as Postfix sends.
     * A non-ASCII address goes as utf-8;utf-8-addr-xtext (RFC 6533), which is plain ASCII.
     */
    static String orcpt(Recipient r) {
        String type = "rfc822";
        String addr = r.address();
        if (r.orcpt() != null) {
            int semi = r.orcpt().indexOf(';');
            if (semi <= 0 || semi == r.orcpt().length() - 1) return null;
            type = r.orcpt().substring(0, semi);
            addr = r.orcpt().substring(semi + 1);
            if (!type.matches("[A-Za-z0-9-]{1,40}")) return null;
        }
        if (!isAscii(addr) || type.equalsIgnoreCase("utf-8")) return "utf-8;" + utf8AddrXtext(addr);
        return type + ";" + xtext(addr);
    }

    /** RFC 3461 xtext: bytes outside '!'..'~', and '+' and '=', as +XX (of the UTF-8 bytes). */
    static String xtext(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c < '!' || c > '~' || c == '+' || c == '=') sb.append('+').append(String.format("%02X", c));
            else sb.append((char) c);
        }
        return sb.toString();
    }

    /** RFC 6533 utf-8-addr-xtext: '+', '=', '\', controls, space and non-ASCII as {@code \x{HEX}}. */
    static String utf8AddrXtext(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            if (cp < '!' || cp > '~' || cp == '+' || cp == '=' || cp == '\\') {
                sb.append("\\x{").append(Integer.toHexString(cp).toUpperCase(java.util.Locale.ROOT)).append('}');
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return sb.toString();
    }

    /** An address we may put between angle brackets: no control characters, no angle brackets. */
    static boolean sendable(String address) {
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            if (c < ' ' || c == 0x7f || c == '<' || c == '>') return false;
        }
        return address.length() <= 1000;
    }

    static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7e) return false;
        }
        return true;
    }
}
