// HeloCommand: HELO and EHLO (RFC 5321 section 4.1.1.1). EHLO lists the extensions this listener
// offers: PIPELINING, SIZE, STARTTLS, AUTH, ENHANCEDSTATUSCODES, 8BITMIME, DSN, SMTPUTF8, CHUNKING,
// minus smtpd_discard_ehlo_keywords. Governed by smtpd_tls_*, smtpd_sasl_*, message_size_limit, and
// smtpd_helo_restrictions (smtpd_delay_reject = no): a refused name is never the session's, as in Postfix.
package org.postern.gateway.smtpd;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import org.postern.core.SmtpReply;

final class HeloCommand {
    private HeloCommand() {}

    static Future<Void> run(SmtpSession s, String arg, boolean ehlo) {
        String name = arg.trim();
        if (name.isEmpty()) {
            return s.reply(SmtpReply.of(501, "5.5.4", "Syntax: " + (ehlo ? "EHLO" : "HELO") + " hostname"));
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x21 || c == 0x7f) return s.reply(SmtpReply.of(501, "5.5.4", "Error: invalid hostname"));
        }
        return SmtpdPolicy.checkHelo(s, name, ehlo).compose(v -> {
            if (!v.accepted()) { // as Postfix: a refused HELO/EHLO changes nothing, its name is not used (Received:)
                Future<Void> f = s.reply(v.reply());
                return v.disconnect() ? f.compose(x -> s.closeNow()) : f;
            }
            if (s.transaction != null) s.transaction.abandon(); // HELO/EHLO reset the transaction
            s.transaction = null;
            s.helo = name;
            s.esmtp = ehlo;
            if (!ehlo) return s.reply(SmtpReply.of(250, null, s.settings.hostname()));
            return s.reply(SmtpReply.of(250, null, String.join("\n", extensions(s))));
        });
    }

    static List<String> extensions(SmtpSession s) {
        SmtpdSettings st = s.settings;
        List<String> lines = new ArrayList<>();
        lines.add(st.hostname());
        offer(st, lines, "PIPELINING");
        offer(st, lines, st.messageSizeLimit() > 0 ? "SIZE " + st.messageSizeLimit() : "SIZE");
        if (st.tlsOffered() && !s.tlsActive() && s.listener.tlsAvailable()) offer(st, lines, "STARTTLS");
        if (AuthCommand.offered(s)) offer(st, lines, "AUTH PLAIN LOGIN");
        offer(st, lines, "ENHANCEDSTATUSCODES");
        offer(st, lines, "8BITMIME");
        offer(st, lines, "DSN");
        if (st.smtputf8()) offer(st, lines, "SMTPUTF8");
        offer(st, lines, "CHUNKING");
        return lines;
    }

    private static void offer(SmtpdSettings st, List<String> lines, String keyword) {
        String name = keyword.split(" ", 2)[0];
        if (!st.discardEhloKeywords().contains(name)) lines.add(keyword);
    }
}
