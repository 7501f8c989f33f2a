// Evaluation: the state of one restriction check (Postfix's SMTPD_STATE parts that smtpd_check.c
// uses): warn_if_reject scope, the deferred verdicts (defer_if_permit, defer_if_reject), DISCARD, the
// side effects and log lines so far. Confined to one check; applies each Decision by Postfix's rules.
package org.postern.policies.restrict;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.postern.core.SmtpReply;

/** Mutable, used by one check at a time (continuations run in sequence, never concurrently). */
final class Evaluation {
    /** What a restriction (or list) amounted to: Postfix's SMTPD_CHECK_DUNNO, _OK, _REJECT. */
    enum Status { DUNNO, OK, REJECT }

    /** Lists nested deeper than this (access values naming classes naming tables ...) are an error. */
    static final int MAX_RECURSION = 100;

    SessionFacts facts;
    int recursion;
    int warnLevel;
    Deferral deferIfPermit;
    Deferral deferIfReject;
    boolean discard;
    boolean recipientMapChecked;
    boolean senderMapChecked;
    private SmtpReply rejectReply;
    private Decision decidedBy;
    private final List<Decision> sideEffects = new ArrayList<>();
    private final List<LogEvent> log = new ArrayList<>();

    Evaluation(SessionFacts facts) {
        this.facts = facts;
        this.discard = facts.discarded();
    }

    /** Postfix's SMTPD_CHECK_RESET, done before each list group. */
    void reset() {
        recursion = 0;
        warnLevel = 0;
        deferIfReject = null;
    }

    /** Applies one decision: records side effects and log lines, returns what it means for the list. */
    Status apply(Decision d) {
        for (String w : d.warnings()) log.add(LogEvent.warning(w, d.origin()));
        switch (d.action()) {
            case DUNNO:
                return Status.DUNNO;
            case OK:
                decidedBy = d;
                return Status.OK;
            case REJECT:
            case DEFER:
                return reject(d, true);
            case TEMPFAIL:
                return reject(d, false);
            case DEFER_IF_PERMIT:
                if (warnLevel == 0) {
                    if (deferIfPermit == null) deferIfPermit = new Deferral(d.reply(), d.origin(), d.restriction());
                } else {
                    reject(d, true);
                }
                return Status.DUNNO;
            case DEFER_IF_REJECT:
                if (deferIfReject == null) deferIfReject = new Deferral(d.reply(), d.origin(), d.restriction());
                return Status.DUNNO;
            case DISCARD:
                log(d);
                sideEffects.add(d);
                discard = true;
                decidedBy = d;
                return Status.OK;
            case PREPEND:
                sideEffects.add(d);
                return Status.DUNNO;
            case HOLD:
            case FILTER:
            case REDIRECT:
            case BCC:
                sideEffects.add(d);
                log(d);
                return Status.DUNNO;
            default: // WARN, INFO
                log(d);
                return Status.DUNNO;
        }
    }

    private void log(Decision d) {
        log.add(LogEvent.session(facts, d.action().name().toLowerCase(Locale.ROOT), d.text(), d.origin()));
    }

    /** Postfix's smtpd_check_reject: warn_if_reject, defer_if_reject substitution, logging. */
    private Status reject(Decision d, boolean warnable) {
        boolean warn = warnable && warnLevel > 0;
        if (!warn && deferIfReject != null && d.reply().isPermanent()) {
            Deferral instead = deferIfReject;
            warnLevel = 0;
            deferIfReject = null;
            return reject(Decision.reply(Action.DEFER_IF_REJECT, instead.reply(), instead.origin(),
                    instead.restriction()), true);
        }
        log.add(LogEvent.session(facts, warn ? "reject_warning" : "reject", d.reply().oneLine(), d.origin()));
        if (warn) return Status.DUNNO;
        rejectReply = d.reply();
        decidedBy = d;
        return Status.REJECT;
    }

    /** End of a RCPT/DATA/END-OF-MESSAGE check: a pending defer_if_permit replaces a permit. */
    Status finish(Status st) {
        if (st == Status.REJECT || deferIfPermit == null) return st;
        Deferral dp = deferIfPermit;
        return reject(Decision.reply(Action.DEFER_IF_PERMIT, dp.reply(), dp.origin(), dp.restriction()), true);
    }

    /** A problem that Postfix answers with "451 4.3.5 Server configuration error" (never a warning). */
    Status configError(Restriction r, List<String> warnings) {
        return apply(Decision.configError(r.origin(), r.name(), warnings));
    }

    Verdict verdict(Stage stage, Status st, Deferral pending) {
        boolean rejected = st == Status.REJECT;
        Decision by = rejected || st == Status.OK ? decidedBy : null;
        return new Verdict(stage, rejected ? rejectReply : null, by, sideEffects, log, pending, discard);
    }

    /** The outcome as one Decision, for a restriction checked on its own ({@link Restriction#check}). */
    Decision summary(Status st, Restriction r) {
        return switch (st) {
            case REJECT -> decidedBy;
            case OK -> decidedBy != null ? decidedBy : Decision.ok(r.origin(), r.name());
            case DUNNO -> deferIfPermit == null ? Decision.dunno(r.origin(), r.name())
                    : Decision.reply(Action.DEFER_IF_PERMIT, deferIfPermit.reply(), deferIfPermit.origin(),
                            deferIfPermit.restriction());
        };
    }

    List<LogEvent> log() {
        return log;
    }

    List<Decision> sideEffects() {
        return sideEffects;
    }
}
