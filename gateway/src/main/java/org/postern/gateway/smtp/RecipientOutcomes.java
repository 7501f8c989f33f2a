// RecipientOutcomes: the per-recipient state machine of one delivery attempt -- pending, accepted at
// RCPT (2xx, final only at end of data), sent, deferred (4xx) or bounced (5xx). Fed by the transaction
// phases (RCPT replies, the end-of-data reply or LMTP's reply per recipient, session failures).
package org.postern.gateway.smtp;

import java.util.ArrayList;
import java.util.List;
import org.postern.core.SmtpReply;
import org.postern.gateway.smtp.RecipientResult.Status;

/**
 * Positions are indexes into {@link QueuedMessage#recipients()}. A final state never changes again, so
 * a late or duplicated reply cannot turn a bounce into a delivery. Event loop only (not thread-safe).
 */
final class RecipientOutcomes {
    enum State { PENDING, ACCEPTED, SENT, DEFERRED, BOUNCED }

    private final QueuedMessage message;
    private final State[] states;
    private final RecipientResult[] results;

    RecipientOutcomes(QueuedMessage message) {
        this.message = message;
        int n = message.recipients().size();
        this.states = new State[n];
        this.results = new RecipientResult[n];
        java.util.Arrays.fill(states, State.PENDING);
    }

    int size() {
        return states.length;
    }

    State state(int pos) {
        return states[pos];
    }

    /** A RCPT TO reply: 2xx accepts (still pending until end of data), 4xx defers, 5xx bounces. */
    void rcptReply(int pos, SmtpReply reply, String peer) {
        if (states[pos] != State.PENDING) return;
        if (reply.code() / 100 == 2) {
            states[pos] = State.ACCEPTED;
        } else {
            decide(pos, reply, true, SessionFailure.said(peer, reply, "RCPT TO"));
        }
    }

    /** The SMTP end-of-data reply, which decides every accepted recipient at once. */
    void endOfData(SmtpReply reply, String peer) {
        for (int pos : accepted()) endOfData(pos, reply, peer);
    }

    /** One LMTP end-of-data reply, for the accepted recipient at {@code pos}. */
    void endOfData(int pos, SmtpReply reply, String peer) {
        if (states[pos] != State.ACCEPTED) return;
        String diagnostic = reply.code() / 100 == 2 ? reply.oneLine() : SessionFailure.said(peer, reply, "end of DATA");
        decide(pos, reply, true, diagnostic);
    }

    /** Every recipient not yet final gets the failure's outcome. */
    void failRemaining(SessionFailure f) {
        for (int pos = 0; pos < states.length; pos++) {
            if (!isFinal(pos)) decide(pos, f.reply, f.remote, f.diagnostic);
        }
    }

    /** A final outcome for one recipient decided locally (e.g. an address that cannot be sent). */
    void fail(int pos, SessionFailure f) {
        if (!isFinal(pos)) decide(pos, f.reply, f.remote, f.diagnostic);
    }

    /** Positions accepted at RCPT and not yet decided, in order. */
    List<Integer> accepted() {
        List<Integer> out = new ArrayList<>();
        for (int pos = 0; pos < states.length; pos++) {
            if (states[pos] == State.ACCEPTED) out.add(pos);
        }
        return out;
    }

    /** Positions still pending (not sent to RCPT yet, or not answered). */
    List<Integer> pending() {
        List<Integer> out = new ArrayList<>();
        for (int pos = 0; pos < states.length; pos++) {
            if (states[pos] == State.PENDING) out.add(pos);
        }
        return out;
    }

    boolean isFinal(int pos) {
        return states[pos] != State.PENDING && states[pos] != State.ACCEPTED;
    }

    boolean allFinal() {
        for (int pos = 0; pos < states.length; pos++) {
            if (!isFinal(pos)) return false;
        }
        return true;
    }

    /** The results in recipient order; every recipient must be final. */
    List<RecipientResult> results() {
        if (!allFinal()) throw new IllegalStateException("recipients still undecided: " + java.util.Arrays.toString(states));
        return List.of(results);
    }

    private void decide(int pos, SmtpReply reply, boolean remote, String diagnostic) {
        Status status = switch (reply.code() / 100) {
            case 2 -> Status.SENT;
            case 5 -> Status.BOUNCED;
            default -> Status.DEFERRED; // 4xx, and a stray 3xx where none belongs
        };
        states[pos] = switch (status) {
            case SENT -> State.SENT;
            case BOUNCED -> State.BOUNCED;
            case DEFERRED -> State.DEFERRED;
        };
        int index = message.recipients().get(pos);
        results[pos] = new RecipientResult(index, message.address(index), status, reply, remote, diagnostic);
    }
}
