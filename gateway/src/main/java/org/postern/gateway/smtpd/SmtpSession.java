// SmtpSession: one SMTP connection on the front smtpd -- pulls events from the InputFramer, runs
// one command at a time (pipelined input waits, bounded), writes replies, counts errors, enforces
// smtpd_timeout (its timers: SessionDeadlines), smtpd_*_error_limit, pregreet and graceful shutdown. Commands live in *Command.
package org.postern.gateway.smtpd;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.postern.core.ClientInfo;
import org.postern.core.SmtpReply;
import org.postern.gateway.smtpd.InputFramer.Event;
import org.postern.gateway.tls.TlsSessionInfo;

final class SmtpSession {
    /** Input read ahead of processing beyond which the socket is paused (a pipelining client runs ahead). */
    private static final int MAX_READ_AHEAD = 256 * 1024;

    final SmtpdListener listener;
    final SmtpdSettings settings;
    final NetSocket socket;
    final InputFramer framer = new InputFramer(SmtpdSettings.COMMAND_LINE_LIMIT);
    final SessionLog log;
    final String clientAddress;
    /** The same address, parsed once (numeric: no lookup). */
    final java.net.InetAddress clientInet;
    final int clientPort;
    String clientName;
    /** PTR name and lookup outcomes, for restrictions (reject_unknown_client_hostname, ...). */
    ClientNameLookup.ClientName clientNames = ClientNameLookup.ClientName.unknown(ClientNameLookup.Status.PERMFAIL);

    // Session state; RFC 3207 resets it after STARTTLS.
    String helo;
    boolean esmtp;
    String tlsProtocol;
    String tlsCipher;
    int tlsBits;
    String saslMethod;
    String saslUsername;
    Transaction transaction;
    /** Where DATA content or a BDAT chunk goes while one is being received. */
    ContentReceiver receiver;
    /** Set during a multi-line exchange (AUTH): the next line goes here instead of to the dispatcher. */
    Function<String, Future<Void>> continuation;

    private int errorCount;
    private int junkCount;
    private boolean greeted;
    private boolean busy;
    private boolean paused;
    private boolean closed;
    private boolean quit;
    private boolean shuttingDown;
    private final SessionDeadlines deadlines;
    /** Message bytes since the deadline last started again without a line end (smtpd_per_request_deadline). */
    private long contentSinceDeadline;
    private static final int RECORD_BYTES = 64 * 1024;
    String lastCommand = "CONNECT";
    /** The session's event-loop context: restriction verdicts come back here. */
    final io.vertx.core.Context context;
    /** smtpd_delay_reject = no: the CONNECT-stage refusal, answered to every later command but QUIT/NOOP/RSET. */
    SmtpReply accessDenied;
    /** smtpd_delay_reject = no: a deferred verdict carried from CONNECT to HELO to MAIL to RCPT. */
    org.postern.policies.restrict.Deferral pendingDeferral;
    /** The client sent commands ahead where SMTP forbids it (reject_unauth_pipelining). */
    boolean improperPipelining;
    private static final java.util.concurrent.atomic.AtomicLong SESSIONS = new java.util.concurrent.atomic.AtomicLong();
    private final long sessionNumber = SESSIONS.incrementAndGet();
    private int transactions;
    int lastReplyCode;

    SmtpSession(SmtpdListener listener, NetSocket socket) {
        this.listener = listener;
        this.settings = listener.settings();
        this.socket = socket;
        this.clientAddress = socket.remoteAddress().hostAddress();
        this.clientInet = SmtpdListener.numeric(clientAddress);
        this.clientPort = socket.remoteAddress().port();
        this.clientName = listener.clientName(clientAddress);
        this.log = new SessionLog(this);
        this.context = listener.vertx().getOrCreateContext();
        this.deadlines = new SessionDeadlines(listener.vertx(), socket, settings.timeout().toMillis());
    }

    /** A policy-server instance name unique to the next transaction of this session. */
    String nextInstance() {
        return Long.toHexString(sessionNumber) + "." + (++transactions);
    }

    void start() {
        socket.handler(this::onData);
        socket.closeHandler(v -> onClose());
        socket.exceptionHandler(e -> log.debug("socket error: " + e));
        socket.shutdownHandler(v -> onShutdown());
        if (socket.isSsl()) tlsEstablished(TlsSessionInfo.of(socket.sslSession())); // implicit TLS
        long started = System.nanoTime();
        // As Postfix's smtpd: the client's name is known before the greeting (and the connect log line).
        Future.fromCompletionStage(ClientNameLookup.lookup(listener.dns(), clientInet), context)
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        clientNames = ar.result();
                        clientName = clientNames.name();
                    }
                    log.connect();
                    connectStage(started);
                });
    }

    /** smtpd_client_restrictions at connect time (only with smtpd_delay_reject = no), then the greeting. */
    private void connectStage(long started) {
        SmtpdPolicy.check(this, org.postern.policies.restrict.Stage.CONNECT, null, -1)
                .onComplete(ar -> {
                    if (ar.succeeded() && !ar.result().accepted()) accessDenied = ar.result().reply();
                    if (ar.succeeded()) pendingDeferral = ar.result().pendingDeferral();
                    long waited = (System.nanoTime() - started) / 1_000_000;
                    long wait = settings.pregreetWait().toMillis() - waited;
                    if (wait > 0) listener.vertx().setTimer(wait, t -> greet());
                    else greet();
                });
    }


    boolean tlsActive() {
        return tlsProtocol != null;
    }

    boolean authenticated() {
        return saslUsername != null;
    }

    ClientInfo clientInfo() {
        return new ClientInfo(clientName, clientAddress, clientPort, helo, protocol(esmtp),
                tlsProtocol, tlsCipher, saslMethod, saslUsername);
    }

    /** The RFC 3848 protocol name of this session after a HELO ({@code esmtp} false) or an EHLO. */
    String protocol(boolean esmtp) {
        String proto = esmtp ? "ESMTP" : "SMTP";
        if (esmtp && tlsActive()) proto += "S";
        if (esmtp && authenticated()) proto += "A";
        return proto;
    }

    // ---- input ----

    private void greet() {
        if (closed) return;
        greeted = true;
        resetIdleTimer();
        socket.write(SmtpReply.of(220, null, settings.banner()).render());
        pump();
    }

    void onData(Buffer data) {
        if (closed) return;
        if (!greeted) {
            log.pregreet(data);
            reply(SmtpReply.of(554, "5.5.1", settings.hostname() + " Error: talking before the greeting"));
            close();
            return;
        }
        if (!settings.perRecordDeadline()) resetIdleTimer(); // per read, as Postfix by default
        framer.feed(data);
        if (framer.buffered() > MAX_READ_AHEAD && !paused) {
            paused = true;
            socket.pause();
        }
        pump();
    }

    /** Runs events until one needs to wait (async command, slow disk) or input runs out. */
    private void pump() {
        while (!busy && !closed && greeted) {
            Event event = framer.next();
            if (event == null) {
                if (paused) {
                    paused = false;
                    socket.resume();
                }
                if (shuttingDown && transaction == null && framer.inCommandMode()) goodbyeForShutdown();
                return;
            }
            if (settings.perRecordDeadline() && completesRecord(event)) resetIdleTimer();
            Future<Void> done;
            try {
                done = handle(event);
            } catch (RuntimeException e) {
                SessionLog.LOG.warn("internal error after " + lastCommand + " from " + log.hostAddr(), e);
                done = reply(SmtpReply.of(451, "4.3.0", "Error: internal error")).compose(v -> closeNow());
            }
            if (!done.isComplete()) {
                busy = true;
                done.onComplete(ar -> {
                    busy = false;
                    pump();
                });
                return;
            }
        }
    }

    /**
     * smtpd_per_request_deadline: the deadline starts again only when a whole record arrived -- a command
     * line, a line of message text, the end of the message or of a BDAT chunk, or 64 KB of BDAT bytes.
     */
    private boolean completesRecord(Event event) {
        if (event instanceof InputFramer.Content content) {
            Buffer b = content.bytes();
            contentSinceDeadline += b.length();
            if (contentSinceDeadline < RECORD_BYTES && !holdsLineEnd(b)) return false;
        }
        contentSinceDeadline = 0;
        return true;
    }

    private static boolean holdsLineEnd(Buffer b) {
        for (int i = b.length() - 1; i >= 0; i--) if (b.getByte(i) == '\n') return true;
        return false;
    }

    private Future<Void> handle(Event event) {
        if (event instanceof InputFramer.Line line) return commandLine(line.bytes());
        if (event instanceof InputFramer.Content content) return receiver.content(content.bytes());
        if (event instanceof InputFramer.EndOfData || event instanceof InputFramer.EndOfChunk) {
            ContentReceiver r = receiver;
            receiver = null;
            return r.end();
        }
        if (event instanceof InputFramer.LineTooLong) {
            endContinuation(); // an AUTH response too long ends the exchange
            return reply(SmtpReply.of(500, "5.5.2", "Error: line too long"));
        }
        // BareNewline: never a line end (invariant 7); the client is broken or smuggling.
        log.warning("bare <LF> received after " + lastCommand + " from " + log.hostAddr());
        return reply(SmtpReply.of(521, "5.5.2", settings.hostname() + " Error: bare <LF> received"))
                .compose(v -> closeNow());
    }

    private Future<Void> commandLine(byte[] bytes) {
        // an AUTH exchange ends with this line, also when the line is refused below: the next is a command again
        Function<String, Future<Void>> c = endContinuation();
        for (byte b : bytes) {
            if (b == 0) return reply(SmtpReply.of(500, "5.5.2", "Error: command contains NUL"));
            if (b == '\r') return reply(SmtpReply.of(500, "5.5.2", "Error: bare <CR> received"));
        }
        String line;
        try {
            line = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return reply(SmtpReply.of(500, "5.5.2", "Error: bad UTF-8 syntax"));
        }
        if (c != null) return c.apply(line);
        return CommandDispatcher.dispatch(this, line);
    }

    /** The pending AUTH continuation, if any, taken: the command line limit is the usual one again. */
    private Function<String, Future<Void>> endContinuation() {
        Function<String, Future<Void>> c = continuation;
        if (c == null) return null;
        continuation = null;
        framer.commandLineLimit(SmtpdSettings.COMMAND_LINE_LIMIT);
        return c;
    }

    // ---- output ----

    /** Writes a reply; counts errors, sleeps (timer) past the soft limit, disconnects at the hard limit. */
    Future<Void> reply(SmtpReply r) {
        lastReplyCode = r.code();
        if (closed) return Future.succeededFuture();
        if (r.code() < 400) return socket.write(r.render()).recover(e -> Future.succeededFuture());
        errorCount++;
        if (errorCount >= settings.hardErrorLimit()) {
            log.info("too many errors after " + lastCommand + " from " + log.hostAddr());
            socket.write(r.render());
            return reply421("4.7.0", "Error: too many errors");
        }
        long sleep = settings.errorSleep().toMillis();
        if (errorCount > settings.softErrorLimit() && sleep > 0) {
            Promise<Void> p = Promise.promise();
            listener.vertx().setTimer(sleep, t -> {
                if (!closed) socket.write(r.render());
                p.complete();
            });
            return p.future();
        }
        return socket.write(r.render()).recover(e -> Future.succeededFuture());
    }

    /** Counts a junk command (NOOP, RSET, VRFY, ...): past smtpd_junk_command_limit without mail, 421. */
    Future<Void> junk(SmtpReply r) {
        if (++junkCount > settings.junkCommandLimit() && settings.junkCommandLimit() > 0) {
            log.info("too many junk commands after " + lastCommand + " from " + log.hostAddr());
            return reply421("4.7.0", "Error: too many errors");
        }
        return reply(r);
    }

    void resetJunk() {
        junkCount = 0;
    }

    Future<Void> reply421(String dsn, String text) {
        socket.write(SmtpReply.of(421, dsn, settings.hostname() + " " + text).render());
        return closeNow();
    }

    void quit() {
        quit = true;
        lastReplyCode = 221;
        socket.write(SmtpReply.of(221, "2.0.0", "Bye").render());
        closeNow();
    }

    Future<Void> closeNow() {
        close();
        return Future.succeededFuture();
    }

    private void close() {
        if (closed) return;
        closed = true;
        deadlines.close(flush -> log.info("replies not read by " + log.hostAddr() + " within " + flush
                + " ms; connection cut"));
    }

    // ---- life cycle ----

    void tlsEstablished(TlsSessionInfo info) {
        tlsProtocol = info.protocol();
        tlsCipher = info.cipherSuite();
        tlsBits = info.cipherBits();
        log.tlsEstablished();
    }

    /** StartTls resumes the socket itself when it takes over the input. */
    void socketResumedByTls() {
        paused = false;
    }

    /** RFC 3207 section 4.2: after STARTTLS the client starts over; nothing learnt before is kept. */
    void resetAfterTls() {
        helo = null;
        esmtp = false;
        saslMethod = null;
        saslUsername = null;
        if (transaction != null) transaction.abandon();
        transaction = null;
    }

    private void resetIdleTimer() {
        deadlines.restartIdle(() -> {
            if (closed) return;
            log.info("timeout after " + lastCommand + " from " + log.hostAddr());
            reply421("4.4.2", "Error: timeout exceeded");
        });
    }

    /** The gateway is stopping: an idle session is told 421 now; one in a transaction may finish it. */
    private void onShutdown() {
        shuttingDown = true;
        if (!busy && transaction == null && framer.inCommandMode()) goodbyeForShutdown();
    }

    boolean shuttingDown() {
        return shuttingDown;
    }

    void goodbyeForShutdown() {
        if (closed) return;
        reply421("4.3.2", "Service shutting down, closing transmission channel");
    }

    private void onClose() {
        boolean wasClosed = closed;
        closed = true;
        deadlines.disconnected();
        if (transaction != null) transaction.abandon(); // nothing half-received stays in the queue
        if (receiver != null) receiver.abandon();
        if (!wasClosed && !quit) log.info("lost connection after " + lastCommand + " from " + log.hostAddr());
        log.disconnect();
        listener.sessionClosed(this);
    }

    int errorCount() {
        return errorCount;
    }
}
