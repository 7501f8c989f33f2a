// EsmtpParams: parses the ESMTP parameters of MAIL FROM (SIZE, BODY, SMTPUTF8, RET, ENVID, AUTH)
// and RCPT TO (NOTIFY, ORCPT), RFC 1870/6152/6531/3461/4954. Part of smtpd's command parsing; an
// unknown or malformed parameter yields the 555/501 reply Postfix gives.
package org.postern.gateway.smtpd;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.postern.core.Envelope.BodyType;
import org.postern.core.Envelope.Ret;
import org.postern.core.Recipient.Notify;
import org.postern.core.SmtpReply;

final class EsmtpParams {
    private EsmtpParams() {}

    /** MAIL FROM parameters; {@code error} non-null when they are refused. */
    record Mail(long size, BodyType body, boolean smtputf8, Ret ret, String envid, SmtpReply error) {}

    /** RCPT TO parameters. */
    record Rcpt(Set<Notify> notifyOn, String orcpt, SmtpReply error) {}

    static Mail mail(String params, long sizeLimit) {
        long size = -1;
        BodyType body = BodyType.SEVEN_BIT;
        boolean utf8 = false;
        Ret ret = null;
        String envid = null;
        Map<String, String> kv;
        try {
            kv = split(params);
        } catch (IllegalArgumentException e) {
            return mailError(SmtpReply.of(501, "5.5.4", "Syntax error in parameters"));
        }
        for (Map.Entry<String, String> p : kv.entrySet()) {
            String v = p.getValue();
            switch (p.getKey()) {
                case "SIZE":
                    if (v == null || !v.matches("\\d{1,19}")) return mailError(bad("SIZE"));
                    try {
                        size = Long.parseLong(v);
                    } catch (NumberFormatException e) {
                        size = Long.MAX_VALUE;
                    }
                    if (sizeLimit > 0 && size > sizeLimit) {
                        return mailError(SmtpReply.of(552, "5.3.4", "Message size exceeds fixed limit"));
                    }
                    break;
                case "BODY":
                    if ("7BIT".equalsIgnoreCase(v)) body = BodyType.SEVEN_BIT;
                    else if ("8BITMIME".equalsIgnoreCase(v)) body = BodyType.EIGHT_BIT_MIME;
                    else return mailError(bad("BODY"));
                    break;
                case "SMTPUTF8":
                    if (v != null) return mailError(bad("SMTPUTF8"));
                    utf8 = true;
                    break;
                case "RET":
                    if ("FULL".equalsIgnoreCase(v)) ret = Ret.FULL;
                    else if ("HDRS".equalsIgnoreCase(v)) ret = Ret.HDRS;
                    else return mailError(bad("RET"));
                    break;
                case "ENVID":
                    envid = v == null ? null : Xtext.decode(v);
                    if (envid == null || envid.length() > 100) return mailError(bad("ENVID"));
                    break;
                case "AUTH":
                    // RFC 4954 section 5: accepted; we never trust a client's claim, so it is not kept.
                    if (v == null || Xtext.decode(v) == null) return mailError(bad("AUTH"));
                    break;
                default:
                    return mailError(SmtpReply.of(555, "5.5.4", "Unsupported option: " + p.getKey()));
            }
        }
        return new Mail(size, body, utf8, ret, envid, null);
    }

    static Rcpt rcpt(String params) {
        Set<Notify> notify = EnumSet.noneOf(Notify.class);
        String orcpt = null;
        Map<String, String> kv;
        try {
            kv = split(params);
        } catch (IllegalArgumentException e) {
            return new Rcpt(Set.of(), null, SmtpReply.of(501, "5.5.4", "Syntax error in parameters"));
        }
        for (Map.Entry<String, String> p : kv.entrySet()) {
            String v = p.getValue();
            switch (p.getKey()) {
                case "NOTIFY":
                    if (v == null) return rcptError(bad("NOTIFY"));
                    for (String n : v.split(",", -1)) {
                        try {
                            notify.add(Notify.valueOf(n.toUpperCase(Locale.ROOT)));
                        } catch (IllegalArgumentException e) {
                            return rcptError(bad("NOTIFY"));
                        }
                    }
                    if (notify.contains(Notify.NEVER) && notify.size() > 1) return rcptError(bad("NOTIFY"));
                    break;
                case "ORCPT":
                    int semi = v == null ? -1 : v.indexOf(';');
                    String decoded = semi <= 0 ? null : Xtext.decode(v.substring(semi + 1));
                    if (decoded == null || decoded.isEmpty() || !v.substring(0, semi).matches("[A-Za-z0-9-]+")) {
                        return rcptError(bad("ORCPT"));
                    }
                    orcpt = v.substring(0, semi).toLowerCase(Locale.ROOT) + ";" + decoded;
                    break;
                default:
                    return rcptError(SmtpReply.of(555, "5.5.4", "Unsupported option: " + p.getKey()));
            }
        }
        return new Rcpt(notify, orcpt, null);
    }

    private static Map<String, String> split(String params) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String tok : params.trim().split(" +")) {
            if (tok.isEmpty()) continue;
            int eq = tok.indexOf('=');
            String key = (eq < 0 ? tok : tok.substring(0, eq)).toUpperCase(Locale.ROOT);
            if (key.isEmpty() || !key.matches("[A-Z0-9][A-Z0-9-]*")) throw new IllegalArgumentException(tok);
            String value = eq < 0 ? null : tok.substring(eq + 1);
            // A repeated parameter with the same value is harmless (Python's smtplib may send
            // SMTPUTF8 twice); with another value it is ambiguous.
            if (kv.containsKey(key) && !java.util.Objects.equals(kv.get(key), value)) {
                throw new IllegalArgumentException("conflicting " + key);
            }
            kv.put(key, value);
        }
        return kv;
    }

    private static SmtpReply bad(String name) {
        return SmtpReply.of(501, "5.5.4", "Bad " + name + " parameter syntax");
    }

    private static Mail mailError(SmtpReply r) {
        return new Mail(-1, BodyType.SEVEN_BIT, false, null, null, r);
    }

    private static Rcpt rcptError(SmtpReply r) {
        return new Rcpt(Set.of(), null, r);
    }
}
