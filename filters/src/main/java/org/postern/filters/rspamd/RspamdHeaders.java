// RspamdHeaders: the envelope of one message as the HTTP request headers of rspamd's protocol (IP, Helo,
// Hostname, From, Rcpt..., Queue-Id, User, TLS-*, Password), so rspamd judges it as the MTA saw it.
// Part of the rspamd filter of the vscan stage; main.cf: vscan_rspamd_password.
package org.postern.filters.rspamd;

import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import org.postern.core.ClientInfo;
import org.postern.core.Envelope;
import org.postern.core.Recipient;

/**
 * Header names and meanings from rspamd's protocol documentation (doc/developers/protocol.md). A
 * header whose value is unknown is left out (rspamd then treats it as unknown) rather than sent
 * empty; the null sender goes as {@code From: <>}, which rspamd reads as the empty address.
 */
final class RspamdHeaders {
    private RspamdHeaders() {}

    /** The headers for {@code envelope}; {@code password} is sent when not empty. */
    static MultiMap of(Envelope envelope, String password) {
        MultiMap h = MultiMap.caseInsensitiveMultiMap();
        ClientInfo client = envelope.client();
        put(h, "IP", bare(client.address()));
        put(h, "Helo", client.helo());
        if (!"unknown".equalsIgnoreCase(client.name())) put(h, "Hostname", client.name());
        h.add("From", envelope.sender().isEmpty() ? "<>" : wire(envelope.sender()));
        for (Recipient r : envelope.recipients()) put(h, "Rcpt", r.address());
        h.add("Queue-Id", envelope.queueId().value());
        put(h, "User", client.saslUsername());
        if (client.tlsCipher() != null && !client.tlsCipher().isEmpty()) {
            put(h, "TLS-Cipher", client.tlsCipher());
            put(h, "TLS-Version", client.tlsProtocol());
        }
        put(h, "Password", password);
        return h;
    }

    private static void put(MultiMap h, String name, String value) {
        if (value != null && !value.isEmpty()) {
            String v = wire(value);
            if (!v.isEmpty()) h.add(name, v);
        }
    }

    /** "[192.0.2.1]" or "IPv6:2001:db8::1" as a plain address. */
    private static String bare(String address) {
        String a = address.strip();
        if (a.startsWith("[") && a.endsWith("]")) a = a.substring(1, a.length() - 1);
        if (a.regionMatches(true, 0, "IPv6:", 0, 5)) a = a.substring(5);
        return a;
    }

    /**
     * {@code value} as it must reach rspamd: UTF-8 bytes (SMTPUTF8 addresses), each carried in one
     * char because the HTTP codec writes one byte per char; control characters, which no valid
     * envelope holds and HTTP forbids, are dropped.
     */
    static String wire(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(utf8.length);
        for (byte b : utf8) {
            int c = b & 0xff;
            if (c >= 0x20 && c != 0x7f) sb.append((char) c);
        }
        int from = 0;
        int to = sb.length();
        while (from < to && sb.charAt(from) == ' ') from++;
        while (to > from && sb.charAt(to - 1) == ' ') to--;
        return sb.substring(from, to); // not strip(): U+0085 is a UTF-8 continuation byte here
    }
}
