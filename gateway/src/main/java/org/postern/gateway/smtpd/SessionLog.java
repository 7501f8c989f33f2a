// SessionLog: smtpd's mail-log lines for one session, in Postfix's wording so pflogsumm and grep
// habits work: connect/disconnect (with per-command counts), client=, NOQUEUE/QUEUEID reject lines,
// TLS, PREGREET. Logger "postern.smtpd"; the appliance formats it as postern/smtpd[pid].
package org.postern.gateway.smtpd;

import io.vertx.core.buffer.Buffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.postern.core.SmtpReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

final class SessionLog {
    static final Logger LOG = LoggerFactory.getLogger("postern.smtpd");
    private static final String[] ORDER = {"helo", "ehlo", "starttls", "auth", "mail", "rcpt", "data", "bdat",
        "rset", "noop", "vrfy", "etrn", "quit", "unknown"};

    private final SmtpSession s;
    private final Map<String, int[]> counts = new LinkedHashMap<>();

    SessionLog(SmtpSession s) {
        this.s = s;
        for (String c : ORDER) counts.put(c, new int[2]);
    }

    String hostAddr() {
        return s.clientName + "[" + s.clientAddress + "]";
    }

    void connect() {
        LOG.info("connect from {}", hostAddr());
    }

    void tlsEstablished() {
        LOG.info("Anonymous TLS connection established from {}: {} with cipher {} ({}/{} bits)",
                hostAddr(), s.tlsProtocol, s.tlsCipher, s.tlsBits, s.tlsBits);
    }

    void pregreet(Buffer data) {
        int n = Math.min(data.length(), 60);
        LOG.info("PREGREET {} from {}:{}: {}", data.length(), hostAddr(), s.clientPort,
                printable(data.getString(0, n, "ISO-8859-1")));
    }

    /** Counts a command for the disconnect line; {@code ok} when its reply was 2xx/3xx. */
    void count(String verb, boolean ok) {
        int[] c = counts.computeIfAbsent(verb, k -> new int[2]);
        c[1]++;
        if (ok) c[0]++;
    }

    void disconnect() {
        StringBuilder sb = new StringBuilder("disconnect from ").append(hostAddr());
        int ok = 0, total = 0;
        for (Map.Entry<String, int[]> e : counts.entrySet()) {
            int[] c = e.getValue();
            if (c[1] == 0) continue;
            sb.append(' ').append(e.getKey()).append('=').append(ratio(c[0], c[1]));
            ok += c[0];
            total += c[1];
        }
        sb.append(" commands=").append(ratio(ok, total));
        LOG.info(sb.toString());
    }

    private static String ratio(int ok, int total) {
        return ok == total ? Integer.toString(total) : ok + "/" + total;
    }

    void client(String queueId) {
        String sasl = s.saslUsername == null ? ""
                : ", sasl_method=" + s.saslMethod + ", sasl_username=" + s.saslUsername;
        LOG.info("{}: client={}{}", queueId, hostAddr(), sasl);
    }

    /** {@code NOQUEUE: reject: RCPT from host[ip]: 554 5.7.1 <a@b>: Relay access denied; from=<> to=<> proto=ESMTP helo=<x>} */
    void reject(String queueId, String stage, SmtpReply reply, String from, String to) {
        StringBuilder sb = new StringBuilder();
        sb.append(queueId == null ? "NOQUEUE" : queueId).append(": reject: ").append(stage).append(" from ")
          .append(hostAddr()).append(": ").append(reply.oneLine()).append(';');
        if (from != null) sb.append(" from=<").append(from).append('>');
        if (to != null) sb.append(" to=<").append(to).append('>');
        sb.append(" proto=").append(s.clientInfo().protocol());
        if (s.helo != null) sb.append(" helo=<").append(s.helo).append('>');
        LOG.info(sb.toString());
    }

    void info(String message) {
        LOG.info(message);
    }

    void warning(String message) {
        LOG.warn(message);
    }

    void debug(String message) {
        LOG.debug(message);
    }

    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '\r') sb.append("\\r");
            else if (c == '\n') sb.append("\\n");
            else if (c < 0x20 || c >= 0x7f) sb.append('?');
            else sb.append(c);
        }
        return sb.toString();
    }
}
