// SessionFailure: why an SMTP/LMTP session could not go on -- a next hop DNS cannot find (NXDOMAIN, null
// MX, lookup failure), a refused connect, a lost connection, a timeout, a malformed reply, a rejecting
// reply to a session-wide command, a TLS or local policy failure --
// with the reply and the Postfix-style text each remaining recipient gets. Carried as a failed
// Future's cause between the client's phases; never thrown across an async boundary.
package org.postern.gateway.smtp;

import org.postern.core.SmtpReply;

/** A failure that decides every recipient not yet final; {@link #reply} says deferred (4xx) or bounced (5xx). */
final class SessionFailure extends Exception {
    private static final long serialVersionUID = 1L;

    final transient SmtpReply reply;
    final boolean remote;
    final String diagnostic;
    /** The connection may still be in step (e.g. after a 5xx to MAIL FROM): it may be reused or QUIT politely. */
    final boolean connectionUsable;
    /** The TLS handshake failed: at level "may" the delivery goes on in plaintext over a new connection. */
    final boolean tlsHandshakeFailed;

    private SessionFailure(SmtpReply reply, boolean remote, String diagnostic, boolean connectionUsable) {
        this(reply, remote, diagnostic, connectionUsable, false);
    }

    private SessionFailure(SmtpReply reply, boolean remote, String diagnostic, boolean connectionUsable,
                           boolean tlsHandshakeFailed) {
        super(diagnostic, null, false, false);
        this.reply = reply;
        this.remote = remote;
        this.diagnostic = diagnostic;
        this.connectionUsable = connectionUsable;
        this.tlsHandshakeFailed = tlsHandshakeFailed;
    }

    /** {@code Cannot start TLS: handshake failure with h[a]: why} (4.7.5); the connection is closed. */
    static SessionFailure tlsHandshake(String peer, String why) {
        String text = "Cannot start TLS: handshake failure with " + peer + ": " + why;
        return new SessionFailure(SmtpReply.of(421, "4.7.5", text), false, text, false, true);
    }

    /** {@code connect to host[addr]:port: Connection refused} (4.4.1). */
    static SessionFailure connect(String hostAddrPort, String why) {
        String text = "connect to " + hostAddrPort + ": " + why;
        return new SessionFailure(SmtpReply.of(421, "4.4.1", text), false, text, false);
    }

    /** RFC 7505: {@code Domain example.com does not accept mail (nullMX)} (5.1.10, bounced). */
    static SessionFailure nullMx(String domain) {
        String text = "Domain " + domain + " does not accept mail (nullMX)";
        return new SessionFailure(SmtpReply.of(550, "5.1.10", text), false, text, false);
    }

    /** The recipient domain does not exist (NXDOMAIN for its MX lookup): 5.1.2, bounced. */
    static SessionFailure noSuchDomain(String domain, String type) {
        String text = notFound(domain, type, "Host not found");
        return new SessionFailure(SmtpReply.of(550, "5.1.2", text), false, text, false);
    }

    /**
     * A name DNS says has no addresses (NXDOMAIN or NODATA): 5.4.4 bounced when {@code permanent} (a mail
     * domain or its MX hosts), else 4.4.4 deferred (a next-hop host the postmaster configured).
     */
    static SessionFailure noAddress(String host, String type, boolean permanent) {
        String text = notFound(host, type, "Host not found");
        return new SessionFailure(permanent ? SmtpReply.of(550, "5.4.4", text) : SmtpReply.of(450, "4.4.4", text),
                false, text, false);
    }

    /** A DNS lookup that failed for now (timeout, SERVFAIL): 4.4.3, deferred, with Postfix's "try again" wording. */
    static SessionFailure dnsTempfail(String name, String type) {
        String text = notFound(name, type, "Host not found, try again");
        return new SessionFailure(SmtpReply.of(450, "4.4.3", text), false, text, false);
    }

    private static String notFound(String name, String type, String why) {
        return "Host or domain name not found. Name service error for name=" + name + " type=" + type + ": " + why;
    }

    /** Host name without addresses (4.4.3, deferred: the system resolver does not tell NXDOMAIN apart). */
    static SessionFailure hostNotFound(String host, String why) {
        String text = "Host or domain name not found. Name service error for name=" + host + ": " + why;
        return new SessionFailure(SmtpReply.of(421, "4.4.3", text), false, text, false);
    }

    /** {@code lost connection with host[addr] while sending message body} (4.4.2). */
    static SessionFailure lost(String peer, String stage) {
        String text = "lost connection with " + peer + " while " + stage;
        return new SessionFailure(SmtpReply.of(421, "4.4.2", text), false, text, false);
    }

    /** {@code conversation with host[addr] timed out while receiving the initial server greeting} (4.4.2). */
    static SessionFailure timeout(String peer, String stage) {
        String text = "conversation with " + peer + " timed out while " + stage;
        return new SessionFailure(SmtpReply.of(421, "4.4.2", text), false, text, false);
    }

    /** A line that is no SMTP reply (4.5.0: the session is out of step). */
    static SessionFailure malformed(String peer, String stage, String line) {
        String text = "protocol error: host " + peer + " sent a malformed reply while " + stage + ": " + line;
        return new SessionFailure(SmtpReply.of(421, "4.5.0", text), false, text, false);
    }

    /** The next hop's own reply to a session-wide command, e.g. {@code (in reply to MAIL FROM command)}. */
    static SessionFailure rejected(String peer, SmtpReply reply, String command, boolean connectionUsable) {
        return new SessionFailure(reply, true, said(peer, reply, command), connectionUsable);
    }

    /** A greeting or HELO reply that is not 2xx: {@code host h[a] refused to talk to me: 554 ...}. */
    static SessionFailure refusedToTalk(String peer, SmtpReply reply) {
        return new SessionFailure(reply, true, "host " + peer + " refused to talk to me: " + reply.oneLine(), false);
    }

    /** A decision of this client (TLS required, SMTPUTF8 not offered, size limit...); {@code reply} is synthetic. */
    static SessionFailure local(SmtpReply reply, boolean connectionUsable) {
        return new SessionFailure(reply, false, reply.text(), connectionUsable);
    }

    /** The same failure with another log text. */
    SessionFailure withDiagnostic(String text) {
        return new SessionFailure(reply, remote, text, connectionUsable);
    }

    /** The same failure with its reply made temporary (soft bounce: a 5xx that must not bounce). */
    SessionFailure asTransient() {
        return new SessionFailure(reply.asTransient(), remote, diagnostic, connectionUsable);
    }

    /** {@code host h[a] said: 550 5.1.1 ... (in reply to RCPT TO command)}, Postfix's wording. */
    static String said(String peer, SmtpReply reply, String command) {
        return "host " + peer + " said: " + reply.oneLine() + " (in reply to " + command + " command)";
    }
}
