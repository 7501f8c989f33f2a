// CommandDispatcher: maps one SMTP command line to its handler (RFC 5321 section 4.1 verbs plus
// STARTTLS, AUTH, BDAT), answers the trivial ones itself, refuses non-SMTP (HTTP) commands as
// Postfix's smtpd_forbidden_commands does, notes (smtpd_forbid_unauth_pipelining: cuts off) a client that
// sends ahead where RFC 2920 forbids it, and counts each command for the disconnect log line.
package org.postern.gateway.smtpd;

import io.vertx.core.Future;
import java.util.Locale;
import java.util.Set;
import org.postern.core.SmtpReply;

final class CommandDispatcher {
    /** Commands that must end a pipelined group: the client waits for their reply before sending more. */
    private static final Set<String> LAST_IN_GROUP = Set.of("EHLO", "HELO", "DATA", "STARTTLS", "AUTH", "NOOP", "VRFY",
            "EXPN", "TURN");

    private CommandDispatcher() {}

    static Future<Void> dispatch(SmtpSession s, String line) {
        int sp = line.indexOf(' ');
        String verb = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
        String arg = sp < 0 ? "" : line.substring(sp + 1);
        if (s.shuttingDown() && s.transaction == null) {
            s.goodbyeForShutdown();
            return Future.succeededFuture();
        }
        if (isForbidden(verb)) {
            s.log.warning("non-SMTP command from " + s.log.hostAddr() + ": " + SessionLog.printable(truncate(line)));
            s.socket.write(SmtpReply.of(221, "2.7.0", "Error: I can break rules, too. Goodbye.").render());
            return s.closeNow();
        }
        // SMTP forbids sending ahead of these replies (RFC 2920 section 3.1, RFC 3207, RFC 4954), and of any
        // reply to a client that did not say EHLO.
        if (s.framer.buffered() > 0 && (!s.esmtp || LAST_IN_GROUP.contains(verb))) {
            if (!s.improperPipelining) {
                s.log.info("improper command pipelining after " + verb + " from " + s.log.hostAddr() + ": "
                        + SessionLog.printable(s.framer.peek(100)));
            }
            s.improperPipelining = true;
            if (s.settings.forbidUnauthPipelining()) { // Postfix 3.9's default: no reply to the command, goodbye
                s.lastCommand = verb;
                return s.reply(SmtpReply.of(554, "5.5.0", "Error: SMTP protocol synchronization"))
                        .compose(v -> s.closeNow());
            }
        }
        if (s.accessDenied != null && !verb.equals("QUIT") && !verb.equals("NOOP") && !verb.equals("RSET")) {
            String c = counted(verb);
            s.lastCommand = verb;
            return s.reply(s.accessDenied).andThen(ar -> { if (c != null) s.log.count(c, false); });
        }
        String counted = counted(verb);
        if (!verb.equals("DATA") && !verb.equals("BDAT")) s.lastCommand = verb;
        Future<Void> f = run(s, verb, arg);
        if (counted != null) {
            f = f.andThen(ar -> s.log.count(counted, s.lastReplyCode < 400));
        }
        return f;
    }

    private static Future<Void> run(SmtpSession s, String verb, String arg) {
        switch (verb) {
            case "EHLO": return HeloCommand.run(s, arg, true);
            case "HELO": return HeloCommand.run(s, arg, false);
            case "MAIL": return MailCommand.run(s, arg);
            case "RCPT": return RcptCommand.run(s, arg);
            case "DATA":
                s.lastCommand = "DATA";
                return DataCommand.run(s, arg);
            case "BDAT":
                s.lastCommand = "BDAT";
                return BdatCommand.run(s, arg);
            case "STARTTLS": return StartTlsCommand.run(s, arg);
            case "AUTH": return AuthCommand.run(s, arg);
            case "RSET":
                if (!arg.isEmpty()) return s.reply(SmtpReply.of(501, "5.5.4", "Syntax: RSET"));
                if (s.transaction != null) s.transaction.abandon();
                s.transaction = null;
                return s.junk(SmtpReply.of(250, "2.0.0", "Ok"));
            case "NOOP": return s.junk(SmtpReply.of(250, "2.0.0", "Ok"));
            case "QUIT":
                s.quit();
                return Future.succeededFuture();
            case "VRFY": return s.junk(SmtpReply.of(502, "5.5.1", "VRFY command is disabled"));
            case "ETRN": return s.junk(SmtpReply.of(502, "5.5.1", "Error: command not implemented"));
            case "HELP": return s.junk(SmtpReply.of(214, "2.0.0", "See RFC 5321 and https://www.postfix.org/"));
            default: return s.reply(SmtpReply.of(502, "5.5.2", "Error: command not recognized"));
        }
    }

    /** Verbs that never start an SMTP command: web and proxy clients (smtpd_forbidden_commands). */
    private static boolean isForbidden(String verb) {
        if (verb.equals("GET") || verb.equals("POST") || verb.equals("CONNECT") || verb.equals("HEAD")
                || verb.equals("PUT") || verb.equals("USER") || verb.equals("PASS")) {
            return true;
        }
        return !verb.isEmpty() && !Character.isLetter(verb.charAt(0));
    }

    private static String counted(String verb) {
        switch (verb) {
            case "HELO": case "EHLO": case "STARTTLS": case "AUTH": case "MAIL": case "RCPT": case "RSET":
            case "NOOP": case "VRFY": case "ETRN": case "QUIT":
                return verb.toLowerCase(Locale.ROOT);
            case "DATA": case "BDAT":
                return null; // counted by the receiver when the message's fate is known
            default:
                return "unknown";
        }
    }

    private static String truncate(String line) {
        return line.length() > 100 ? line.substring(0, 100) : line;
    }
}
