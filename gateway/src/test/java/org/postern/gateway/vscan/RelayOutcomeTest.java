// RelayOutcomeTest: how a content-filter listener folds its next hop's per-recipient results into the one
// end-of-DATA reply -- the next hop's own 4xx/5xx passed back, Postern's own 5xx softened to 4xx, a
// deferral winning over a refusal, and the 250 text.
package org.postern.gateway.vscan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.postern.core.QueueId;
import org.postern.core.SmtpReply;
import org.postern.gateway.smtp.RecipientResult;
import org.postern.gateway.smtp.RecipientResult.Status;

class RelayOutcomeTest {
    private static RecipientResult r(int i, Status s, SmtpReply reply, boolean remote) {
        return new RecipientResult(i, "u" + i + "@example.test", s, reply, remote,
                remote ? "host said: " + reply.oneLine() : reply.text());
    }

    private static final SmtpReply OK = SmtpReply.of(250, "2.0.0", "Ok: queued as 4XyZ");

    @Test
    void allSentIs250WithTheNextHopsReply() {
        RelayOutcome o = new RelayOutcome("[127.0.0.1]:10025", List.of(r(0, Status.SENT, OK, true), r(1, Status.SENT, OK, true)));
        assertThat(o.allSent()).isTrue();
        assertThat(o.noneSent()).isFalse();
        assertThat(o.sent()).containsExactly(0, 1);
        SmtpReply a = o.accepted(new QueueId("ABC123"), 0);
        assertThat(a.code()).isEqualTo(250);
        assertThat(a.text()).contains("ABC123").contains("[127.0.0.1]:10025").contains("queued as 4XyZ");
    }

    @Test
    void theNextHopsOwnRefusalIsPassedBack() {
        SmtpReply no = SmtpReply.of(554, "5.7.1", "<u0@example.test>: Recipient address rejected");
        RelayOutcome o = new RelayOutcome("[127.0.0.1]:10025", List.of(r(0, Status.BOUNCED, no, true)));
        assertThat(o.noneSent()).isTrue();
        assertThat(o.refusal()).isEqualTo(no);
    }

    @Test
    void aDeferralWinsOverARefusal() {
        SmtpReply no = SmtpReply.of(550, "5.1.1", "unknown");
        SmtpReply later = SmtpReply.of(452, "4.2.2", "mailbox full");
        RelayOutcome o = new RelayOutcome("h", List.of(r(0, Status.BOUNCED, no, true), r(1, Status.DEFERRED, later, true)));
        assertThat(o.refusal()).isEqualTo(later);
    }

    @Test
    void postern5xxBecomes4xxAndConnectionFailuresAre4xx() {
        SmtpReply local = SmtpReply.of(550, "5.4.4", "Host or domain name not found");
        RelayOutcome o = new RelayOutcome("h", List.of(r(0, Status.BOUNCED, local, false)));
        assertThat(o.refusal().code()).isEqualTo(450);
        assertThat(o.refusal().dsn()).isEqualTo("4.4.4");

        SmtpReply refused = SmtpReply.of(421, "4.4.1", "connect to 127.0.0.1[127.0.0.1]:1: Connection refused");
        RelayOutcome down = new RelayOutcome("h", List.of(r(0, Status.DEFERRED, refused, false)));
        assertThat(down.refusal().code()).as("421 would close the client's session").isEqualTo(451);
        assertThat(down.refusal().dsn()).isEqualTo("4.4.1");
        assertThat(down.refusal().text()).contains("Connection refused");

        SmtpReply closing = SmtpReply.of(421, "4.3.2", "Service shutting down");
        assertThat(new RelayOutcome("h", List.of(r(0, Status.DEFERRED, closing, true))).refusal().code()).isEqualTo(451);
    }

    @Test
    void partlySentIsAcceptedWithTheRestCounted() {
        RelayOutcome o = new RelayOutcome("h", List.of(r(0, Status.SENT, OK, true),
                r(1, Status.DEFERRED, SmtpReply.of(451, "4.3.0", "later"), true)));
        assertThat(o.noneSent()).isFalse();
        assertThat(o.allSent()).isFalse();
        assertThat(o.accepted(new QueueId("ABC123"), 1).text()).contains("1 recipient(s) queued");
    }
}
