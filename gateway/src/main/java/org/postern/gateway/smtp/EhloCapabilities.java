// EhloCapabilities: the ESMTP extensions a next hop announced in its EHLO/LHLO reply (PIPELINING,
// SIZE n, 8BITMIME, SMTPUTF8, DSN, STARTTLS, AUTH mechanisms, CHUNKING, BINARYMIME). Read by the
// client's phases to decide what to send; a HELO-only peer has none. Immutable.
package org.postern.gateway.smtp;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.postern.core.SmtpReply;

/**
 * @param keywords       upper-case EHLO keywords (first word of each line after the first)
 * @param sizeLimit      SIZE's fixed limit in bytes; 0 when SIZE has no limit or is absent
 * @param authMechanisms upper-case SASL mechanisms from "AUTH ..." (and the old "AUTH=..." form)
 */
record EhloCapabilities(Set<String> keywords, long sizeLimit, Set<String> authMechanisms) {
    static final EhloCapabilities NONE = new EhloCapabilities(Set.of(), 0, Set.of());

    EhloCapabilities {
        keywords = Set.copyOf(keywords);
        authMechanisms = Set.copyOf(authMechanisms);
    }

    /** Parses a 250 reply to EHLO or LHLO; the first line is the server's greeting name. */
    static EhloCapabilities parse(SmtpReply ehlo) {
        List<String> lines = ehlo.lines();
        Set<String> keywords = new HashSet<>();
        Set<String> auth = new HashSet<>();
        long size = 0;
        for (int i = 1; i < lines.size(); i++) {
            String[] words = lines.get(i).strip().split("[ \t]+");
            if (words[0].isEmpty()) continue;
            String kw = words[0].toUpperCase(Locale.ROOT);
            if (kw.startsWith("AUTH=")) { // pre-RFC 4954 servers
                auth.add(kw.substring(5));
                kw = "AUTH";
            }
            keywords.add(kw);
            if (kw.equals("SIZE") && words.length > 1 && words[1].matches("\\d{1,18}")) size = Long.parseLong(words[1]);
            if (kw.equals("AUTH")) {
                for (int w = 1; w < words.length; w++) auth.add(words[w].toUpperCase(Locale.ROOT));
            }
        }
        return new EhloCapabilities(keywords, size, auth);
    }

    boolean has(String keyword) {
        return keywords.contains(keyword);
    }

    boolean pipelining() { return has("PIPELINING"); }
    boolean size() { return has("SIZE"); }
    boolean eightBitMime() { return has("8BITMIME"); }
    boolean smtputf8() { return has("SMTPUTF8"); }
    boolean dsn() { return has("DSN"); }
    boolean startTls() { return has("STARTTLS"); }
    boolean chunking() { return has("CHUNKING"); }
    boolean binaryMime() { return has("BINARYMIME") && has("CHUNKING"); }
}
