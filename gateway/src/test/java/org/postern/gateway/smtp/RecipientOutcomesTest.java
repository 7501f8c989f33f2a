// RecipientOutcomesTest: the per-recipient state machine -- RCPT 2xx waits for end of data, 4xx defers,
// 5xx bounces; the end-of-data reply decides the accepted ones; LMTP decides one by one; a session
// failure defers only what is still open; a final state never changes.
package org.postern.gateway.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postern.core.ClientInfo;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.postern.core.SmtpReply;
import org.postern.gateway.smtp.RecipientResult.Status;

class RecipientOutcomesTest {
    static final String PEER = "mx.example.test[192.0.2.1]";

    static QueuedMessage message(int n, List<Integer> attempt) {
        List<Recipient> rcpts = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) rcpts.add(Recipient.of("r" + i + "@example.test"));
        Envelope env = new Envelope(new QueueId("3F2A61C0A1B"), Instant.EPOCH,
                new ClientInfo("c", "192.0.2.9", 1, null, null, null, null, null, null), "s@example.test", rcpts, -1,
                Envelope.BodyType.SEVEN_BIT, false, null, null);
        return new QueuedMessage(env, attempt, 0, () -> new ByteArrayInputStream(new byte[0]));
    }

    @Test
    void rcptRepliesThenEndOfData() {
        RecipientOutcomes o = new RecipientOutcomes(message(4, List.of(0, 1, 2, 3)));
        o.rcptReply(0, SmtpReply.of(250, "2.1.5", "Ok"), PEER);
        o.rcptReply(1, SmtpReply.of(550, "5.1.1", "<r1@example.test>: User unknown"), PEER);
        o.rcptReply(2, SmtpReply.of(452, "4.2.2", "Mailbox full"), PEER);
        o.rcptReply(3, SmtpReply.of(251, null, "will forward"), PEER);
        assertThat(o.accepted()).containsExactly(0, 3);
        assertThat(o.allFinal()).isFalse();
        assertThatThrownBy(o::results).isInstanceOf(IllegalStateException.class);
        o.endOfData(SmtpReply.of(250, "2.0.0", "Ok: queued as ABC"), PEER);
        List<RecipientResult> r = o.results();
        assertThat(r).extracting(RecipientResult::status).containsExactly(Status.SENT, Status.BOUNCED, Status.DEFERRED, Status.SENT);
        assertThat(r.get(0).diagnostic()).isEqualTo("250 2.0.0 Ok: queued as ABC");
        assertThat(r.get(0).dsn()).isEqualTo("2.0.0");
        assertThat(r.get(1).diagnostic()).isEqualTo("host mx.example.test[192.0.2.1] said: 550 5.1.1 <r1@example.test>: "
                + "User unknown (in reply to RCPT TO command)");
        assertThat(r.get(1).remote()).isTrue();
        assertThat(r.get(1).logStatus()).startsWith("status=bounced (host ");
        assertThat(r.get(2).dsn()).isEqualTo("4.2.2");
        assertThat(r.get(3).dsn()).isEqualTo("2.0.0");
        assertThat(r.get(1).address()).isEqualTo("r1@example.test");
    }

    @Test
    void endOfDataRejectionDecidesOnlyTheAccepted() {
        RecipientOutcomes o = new RecipientOutcomes(message(2, List.of(0, 1)));
        o.rcptReply(0, SmtpReply.of(250, null, "Ok"), PEER);
        o.rcptReply(1, SmtpReply.of(550, null, "no"), PEER);
        o.endOfData(SmtpReply.of(554, "5.7.1", "spam"), PEER);
        assertThat(o.results()).extracting(RecipientResult::status).containsExactly(Status.BOUNCED, Status.BOUNCED);
        assertThat(o.results().get(0).diagnostic()).endsWith("554 5.7.1 spam (in reply to end of DATA command)");
        assertThat(o.results().get(1).dsn()).isEqualTo("5.0.0");
    }

    @Test
    void lmtpDecidesEachAcceptedRecipientByItsOwnReply() {
        RecipientOutcomes o = new RecipientOutcomes(message(5, List.of(4, 2, 0)));
        for (int pos = 0; pos < 3; pos++) o.rcptReply(pos, SmtpReply.of(250, null, "ok"), PEER);
        o.endOfData(0, SmtpReply.of(250, "2.0.0", "<r4@example.test> Saved"), PEER);
        o.endOfData(1, SmtpReply.of(452, "4.2.2", "<r2@example.test> Quota exceeded"), PEER);
        o.endOfData(2, SmtpReply.of(550, "5.2.1", "<r0@example.test> Mailbox disabled"), PEER);
        assertThat(o.results()).extracting(RecipientResult::index).containsExactly(4, 2, 0);
        assertThat(o.results()).extracting(RecipientResult::status).containsExactly(Status.SENT, Status.DEFERRED, Status.BOUNCED);
    }

    @Test
    void sessionFailureDefersOnlyWhatIsStillOpenAndFinalStatesNeverChange() {
        RecipientOutcomes o = new RecipientOutcomes(message(3, List.of(0, 1, 2)));
        o.rcptReply(0, SmtpReply.of(550, null, "no"), PEER);
        o.rcptReply(1, SmtpReply.of(250, null, "ok"), PEER);
        o.failRemaining(SessionFailure.lost(PEER, ContentPhase.BODY));
        o.endOfData(SmtpReply.of(250, null, "late"), PEER);        // too late: already deferred
        o.rcptReply(0, SmtpReply.of(250, null, "changed my mind"), PEER);
        List<RecipientResult> r = o.results();
        assertThat(r).extracting(RecipientResult::status).containsExactly(Status.BOUNCED, Status.DEFERRED, Status.DEFERRED);
        assertThat(r.get(1).diagnostic()).isEqualTo("lost connection with " + PEER + " while sending message body");
        assertThat(r.get(1).dsn()).isEqualTo("4.4.2");
        assertThat(r.get(1).remote()).isFalse();
    }

    @Test
    void aPermanentSessionFailureBouncesAndATransientOneDefers() {
        RecipientOutcomes o = new RecipientOutcomes(message(2, List.of(0, 1)));
        o.failRemaining(SessionFailure.rejected(PEER, SmtpReply.of(553, "5.7.1", "sender rejected"), "MAIL FROM", true));
        assertThat(o.results()).extracting(RecipientResult::status).containsOnly(Status.BOUNCED);
        assertThat(o.results().get(0).diagnostic()).endsWith("(in reply to MAIL FROM command)");
        RecipientOutcomes p = new RecipientOutcomes(message(1, List.of(0)));
        p.failRemaining(SessionFailure.connect("h[192.0.2.1]:25", "Connection refused"));
        assertThat(p.results().get(0).status()).isEqualTo(Status.DEFERRED);
        assertThat(p.results().get(0).dsn()).isEqualTo("4.4.1");
        assertThat(p.results().get(0).diagnostic()).isEqualTo("connect to h[192.0.2.1]:25: Connection refused");
    }
}
