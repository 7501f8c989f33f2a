// MessageReceiver: receives one message's content for DATA or BDAT into cleanup, then makes it durable in
// incoming/ (active/ for vscan_mode=none) and answers "250 2.0.0 Ok: queued as ID" only after the commit's
// fsyncs (invariant 1) -- for before-queue/content-filter after the scan (EndOfDataScan). Disk trouble: 451.
package org.postern.gateway.smtpd;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import java.time.ZonedDateTime;
import org.postern.core.Envelope;
import org.postern.core.SmtpReply;
import org.postern.gateway.cleanup.MessageCleanup;
import org.postern.gateway.cleanup.CheckLogger;
import org.postern.gateway.cleanup.ReceivedHeader;
import org.postern.policies.restrict.Stage;
import org.postern.policies.checks.CheckLog;
import org.postern.policies.checks.ContentChecks;
import org.postern.policies.checks.MessageChecks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

final class MessageReceiver implements ContentReceiver {
    private static final Logger CLEANUP = LoggerFactory.getLogger("postern.cleanup");
    private static final SmtpReply WRITE_ERROR = SmtpReply.of(451, "4.3.0", "Error: queue file write error");

    private final SmtpSession s;
    private final Transaction tx;
    private final boolean bdat;
    private final boolean last;

    private MessageReceiver(SmtpSession s, Transaction tx, boolean bdat, boolean last) {
        this.s = s;
        this.tx = tx;
        this.bdat = bdat;
        this.last = last;
    }

    static MessageReceiver forData(SmtpSession s, Transaction tx) {
        return new MessageReceiver(s, tx, false, true);
    }

    static MessageReceiver forChunk(SmtpSession s, Transaction tx, boolean last) {
        return new MessageReceiver(s, tx, true, last);
    }

    /** Creates the temporary queue file and cleanup for the transaction; fails when the disk does. */
    static Future<Void> open(SmtpSession s, Transaction tx) {
        return s.listener.queue().create(tx.queueId).compose(writer -> {
            if (tx.abandoned) { // the client left while the file was being created: nothing may stay behind
                return writer.abort().transform(ar -> Future.failedFuture("the session ended"));
            }
            tx.queueId = writer.id();
            tx.arrival = s.listener.clock().instant();
            SmtpdSettings st = s.settings;
            StringBuilder received = new StringBuilder(ReceivedHeader.build(s.clientInfo(), st.hostname(),
                    st.mailName(), tx.queueId, s.tlsBits,
                    tx.recipients.size() == 1 ? tx.recipients.get(0).address() : null,
                    ZonedDateTime.ofInstant(tx.arrival, s.listener.clock().getZone())));
            for (String header : tx.effects.prepend) received.append(header).append("\r\n"); // PREPEND actions
            ContentChecks cc = s.listener.contentChecks();
            MessageChecks checks = cc.isEmpty() ? null : cc.start(new CheckLogger(CheckLog.Context.of(
                    tx.queueId.value(), s.clientInfo(), tx.sender.toString(), tx.recipients.get(0).address())));
            tx.cleanup = new MessageCleanup(ModeQueueWriter.wrap(writer, st, s.listener.vscan()), new MessageCleanup.Limits(st.messageSizeLimit(),
                    st.lineLengthLimit(), st.headerSizeLimit(), st.forbidBareNewline()), received.toString(), checks,
                    s.listener.rewriting().forClient(s.clientInfo()));
            return Future.<Void>succeededFuture();
        });
    }

    @Override
    public Future<Void> content(Buffer bytes) {
        return tx.cleanup.accept(bytes);
    }

    @Override
    public Future<Void> end() {
        if (!last) {
            SmtpReply problem = tx.cleanup.problem();
            if (problem != null) {
                tx.bdatError = problem;
                s.log.count("bdat", false);
                return s.reply(problem);
            }
            s.log.count("bdat", true);
            return s.reply(SmtpReply.of(250, "2.0.0", "Ok: " + tx.cleanup.size() + " bytes"));
        }
        return finish();
    }

    private Future<Void> finish() {
        MessageCleanup cleanup = tx.cleanup;
        s.transaction = null;
        String verb = bdat ? "bdat" : "data";
        SmtpReply problem = cleanup.problem();
        if (problem != null) {
            s.log.reject(tx.queueId.value(), "END-OF-MESSAGE", problem, tx.sender.toString(),
                    tx.recipients.get(0).address());
            s.log.count(verb, false);
            return s.reply(problem);
        }
        EsmtpParams.Mail p = tx.params;
        Envelope env = new Envelope(tx.queueId, tx.arrival, s.clientInfo(), tx.sender.toString(), tx.recipients,
                p.size(), p.body(), p.smtputf8(), p.ret(), p.envid());
        return SmtpdPolicy.check(s, tx, Stage.END_OF_DATA,
                tx.recipients.size() == 1 ? tx.recipients.get(0).address() : null, cleanup.size()).compose(v -> {
            if (!v.accepted()) {
                s.log.count(verb, false);
                return cleanup.abort().compose(x -> DataCommand.refuse(s, v));
            }
            return commit(cleanup, env, verb);
        });
    }

    private Future<Void> commit(MessageCleanup cleanup, Envelope env, String verb) {
        PolicyEffects e = tx.effects;
        MessageCleanup.Directives directives = new MessageCleanup.Directives(e.hold, e.discard, e.redirect, e.filter, e.bcc);
        if (EndOfDataScan.unavailable(s)) {
            s.log.warning(tx.queueId + ": vscan_mode = content-filter, but no vscan stage runs (master.cf has no qmgr)");
            s.log.reject(tx.queueId.value(), "END-OF-MESSAGE", EndOfDataScan.UNAVAILABLE, tx.sender.toString(),
                    tx.recipients.get(0).address());
            s.log.count(verb, false);
            return cleanup.abort().compose(x -> s.reply(EndOfDataScan.UNAVAILABLE));
        }
        EndOfDataScan scan = EndOfDataScan.claim(s, tx.queueId); // before the commit makes it visible to vscan
        return cleanup.finish(env, directives).transform(ar -> {
            if (ar.failed()) {
                if (scan != null) scan.release();
                s.log.warning(tx.queueId + ": queue file write error: " + ar.cause().getMessage());
                s.log.count(verb, false);
                return s.reply(WRITE_ERROR);
            }
            MessageCleanup.Result result = ar.result();
            if (result.refusal() != null) { // a REJECT of the content checks (logged by CheckLogger)
                if (scan != null) scan.release();
                s.log.count(verb, false);
                return s.reply(result.refusal());
            }
            if (!result.discarded()) {
                CLEANUP.info("{}: from=<{}>, size={}, nrcpt={} (queue {})", tx.queueId, tx.sender,
                        cleanup.size(), tx.recipients.size(), ModeQueueWriter.target(result.queue(), s.settings, s.listener.vscan()).dirName());
            }
            SmtpReply queued = SmtpReply.of(250, "2.0.0", "Ok: queued as " + tx.queueId);
            Future<SmtpReply> reply = scan == null ? Future.succeededFuture(queued)
                    : scan.reply(result.discarded() ? null : result.queue(), queued);
            return reply.compose(r -> {
                if (r.isPositive()) {
                    s.log.count(verb, true);
                } else {
                    s.log.reject(tx.queueId.value(), "END-OF-MESSAGE", r, tx.sender.toString(),
                            tx.recipients.get(0).address());
                    s.log.count(verb, false);
                }
                return s.reply(r);
            });
        });
    }

    @Override
    public void abandon() {
        tx.abandon();
    }

    /** A receiver that reads and drops a BDAT chunk that cannot be accepted, then answers {@code error}. */
    static ContentReceiver discarding(SmtpSession s, SmtpReply error, boolean endsTransaction) {
        return new ContentReceiver() {
            @Override
            public Future<Void> content(Buffer bytes) {
                return Future.succeededFuture();
            }

            @Override
            public Future<Void> end() {
                if (endsTransaction && s.transaction != null) {
                    s.transaction.abandon();
                    s.transaction = null;
                }
                s.log.count("bdat", false);
                Future<Void> f = s.reply(error);
                // 421/521 (a restriction's disconnect, as with DATA): the session ends after the reply
                return error.code() == 421 || error.code() == 521 ? f.compose(x -> s.closeNow()) : f;
            }

            @Override
            public void abandon() {}
        };
    }
}
