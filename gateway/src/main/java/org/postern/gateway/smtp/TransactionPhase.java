// TransactionPhase: one mail transaction on a ready connection -- checks what the peer must offer
// (SMTPUTF8, SIZE, BINARYMIME), then MAIL FROM, RCPT TO per recipient and DATA, all in one write when
// the peer offers PIPELINING (replies read in order), then ContentPhase. Governed by smtp_mail_timeout,
// smtp_rcpt_timeout, smtp_data_init_timeout.
package org.postern.gateway.smtp;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.ArrayList;
import java.util.List;
import org.postern.core.Envelope;
import org.postern.core.Envelope.BodyType;
import org.postern.core.SmtpReply;

/**
 * One Promise: succeeds when the session is still in step (every recipient decided, or left for the
 * caller to defer: none is), fails with a {@link SessionFailure} whose outcome applies to every
 * recipient not yet decided.
 */
final class TransactionPhase {
    static final String MAIL = "sending MAIL FROM";
    static final String RCPT = "sending RCPT TO";
    static final String DATA = "sending DATA command";

    private final Vertx vertx;
    private final WorkerExecutor workers;
    private final SmtpConnection conn;
    private final SmtpSettings settings;
    private final Destination destination;
    private final QueuedMessage message;
    private final RecipientOutcomes outcomes;
    private final Promise<Void> promise = Promise.promise();

    TransactionPhase(Vertx vertx, WorkerExecutor workers, SmtpConnection conn, SmtpSettings settings,
                     Destination destination, QueuedMessage message, RecipientOutcomes outcomes) {
        this.vertx = vertx;
        this.workers = workers;
        this.conn = conn;
        this.settings = settings;
        this.destination = destination;
        this.message = message;
        this.outcomes = outcomes;
    }

    Future<Void> run() {
        EhloCapabilities caps = conn.capabilities;
        Envelope env = message.envelope();
        if (!MailCommands.sendable(env.sender())) {
            return Future.failedFuture(local(553, "5.1.7", "bad sender address syntax: cannot send it to " + conn.peer()));
        }
        List<Integer> toSend = new ArrayList<>();
        boolean needUtf8 = env.smtputf8() || !MailCommands.isAscii(env.sender());
        for (int pos = 0; pos < outcomes.size(); pos++) {
            String addr = message.address(message.recipients().get(pos));
            if (!MailCommands.sendable(addr)) {
                outcomes.fail(pos, local(553, "5.1.3", "bad recipient address syntax: cannot send it to " + conn.peer()));
            } else {
                toSend.add(pos);
                needUtf8 |= !MailCommands.isAscii(addr);
            }
        }
        if (toSend.isEmpty()) return Future.succeededFuture();
        if (needUtf8 && !caps.smtputf8()) {
            return Future.failedFuture(local(554, "5.6.7", "SMTPUTF8 is required, but was not offered by host " + conn.peer()));
        }
        if (caps.sizeLimit() > 0 && message.contentLength() > caps.sizeLimit()) {
            return Future.failedFuture(local(552, "5.3.4", "message size " + message.contentLength()
                    + " exceeds size limit " + caps.sizeLimit() + " of server " + conn.peer()));
        }
        boolean bdat = env.body() == BodyType.BINARY_MIME;
        if (bdat && !caps.binaryMime()) {
            return Future.failedFuture(local(554, "5.6.3", "binary MIME content cannot be sent: host " + conn.peer()
                    + " does not offer BINARYMIME and CHUNKING"));
        }
        String body = bdat ? "BINARYMIME" : env.body() == BodyType.EIGHT_BIT_MIME && caps.eightBitMime() ? "8BITMIME" : null;
        String mail = MailCommands.mailFrom(env, message.contentLength(), caps, body, needUtf8);
        List<String> rcpts = new ArrayList<>();
        for (int pos : toSend) {
            rcpts.add(MailCommands.rcptTo(env.recipients().get(message.recipients().get(pos)), caps));
        }
        Future<Boolean> ready = caps.pipelining() ? pipelined(mail, toSend, rcpts, !bdat) : stepwise(mail, toSend, rcpts, !bdat);
        ready.compose(send -> send ? new ContentPhase(vertx, workers, conn, settings, message, outcomes,
                        encoder(env, caps, bdat), bdat, destination.protocol() == Destination.Protocol.LMTP).run()
                        : Future.<Void>succeededFuture())
                .onComplete(promise);
        return promise.future();
    }

    /** MAIL, RCPTs and DATA in one write (RFC 2920); then their replies in order. True: send the content. */
    private Future<Boolean> pipelined(String mail, List<Integer> toSend, List<String> rcpts, boolean data) {
        StringBuilder batch = new StringBuilder(mail).append("\r\n");
        for (String r : rcpts) batch.append(r).append("\r\n");
        if (data) batch.append("DATA\r\n");
        conn.write(io.vertx.core.buffer.Buffer.buffer(batch.toString(), "UTF-8"));
        SmtpReply[] mailReply = new SmtpReply[1];
        return conn.read(settings.mailTimeout(), MAIL)
                .compose(r -> {
                    mailReply[0] = r;
                    return each(toSend.size(), 0, i -> conn.read(settings.rcptTimeout(), RCPT).map(rr -> {
                        if (r.code() / 100 == 2) outcomes.rcptReply(toSend.get(i), rr, conn.peer());
                        return null;
                    }));
                })
                .compose(v -> data ? conn.read(settings.dataInitTimeout(), DATA) : Future.succeededFuture(null))
                .compose(dataReply -> {
                    boolean go = dataReply != null && dataReply.code() == 354;
                    boolean anyAccepted = !outcomes.accepted().isEmpty();
                    if (mailReply[0].code() / 100 != 2) {
                        SessionFailure f = SessionFailure.rejected(conn.peer(), mailReply[0], "MAIL FROM", true);
                        return (go ? emptyMessage() : Future.<Void>succeededFuture()).compose(v -> Future.<Boolean>failedFuture(f));
                    }
                    if (!anyAccepted) return go ? emptyMessage().map(false) : Future.succeededFuture(false);
                    if (!data) return Future.succeededFuture(true);
                    if (go) return Future.succeededFuture(true);
                    return Future.failedFuture(SessionFailure.rejected(conn.peer(), dataReply, "DATA", true));
                })
                .recover(e -> { // a refused MAIL decides, even if the connection dies before the rest is read
                    SmtpReply r = mailReply[0];
                    return r == null || r.code() / 100 == 2 || !(e instanceof SessionFailure f) || f.remote
                            ? Future.failedFuture(e)
                            : Future.failedFuture(SessionFailure.rejected(conn.peer(), r, "MAIL FROM", false));
                });
    }

    /** One command, one reply. True: send the content. */
    private Future<Boolean> stepwise(String mail, List<Integer> toSend, List<String> rcpts, boolean data) {
        return command(mail, settings.mailTimeout(), MAIL)
                .compose(r -> r.code() / 100 == 2 ? Future.succeededFuture()
                        : Future.failedFuture(SessionFailure.rejected(conn.peer(), r, "MAIL FROM", true)))
                .compose(v -> each(toSend.size(), 0, i -> command(rcpts.get(i), settings.rcptTimeout(), RCPT)
                        .map(rr -> {
                            outcomes.rcptReply(toSend.get(i), rr, conn.peer());
                            return null;
                        })))
                .compose(v -> {
                    if (outcomes.accepted().isEmpty()) return Future.succeededFuture(false);
                    if (!data) return Future.succeededFuture(true);
                    return command("DATA", settings.dataInitTimeout(), DATA).compose(r -> r.code() == 354
                            ? Future.succeededFuture(true)
                            : Future.failedFuture(SessionFailure.rejected(conn.peer(), r, "DATA", true)));
                });
    }

    /** The peer said 354 although no recipient is left (pipelining): end the message at once, ignore the reply. */
    private Future<Void> emptyMessage() {
        return conn.send(".").transform(ar -> conn.read(settings.dataDoneTimeout(), ContentPhase.END)).mapEmpty();
    }

    /** DATA content: dot-stuffed; 8-bit text for a peer without 8BITMIME downgraded to quoted-printable when possible. */
    private static ContentEncoder encoder(Envelope env, EhloCapabilities caps, boolean bdat) {
        if (bdat) return ContentEncoder.IDENTITY;
        if (env.body() == BodyType.EIGHT_BIT_MIME && !caps.eightBitMime()) {
            return new QuotedPrintableDowngrade(new DotStuffer());
        }
        return new DotStuffer();
    }

    private Future<SmtpReply> command(String line, java.time.Duration timeout, String stage) {
        return conn.send(line).transform(ar -> conn.read(timeout, stage));
    }

    /** f(i), f(i+1), ... f(n-1), each after the previous one completed. */
    private static Future<Void> each(int n, int i, java.util.function.IntFunction<Future<Void>> f) {
        if (i >= n) return Future.succeededFuture();
        return f.apply(i).compose(v -> each(n, i + 1, f));
    }

    private static SessionFailure local(int code, String dsn, String text) {
        return SessionFailure.local(SmtpReply.of(code, dsn, text), true);
    }
}
