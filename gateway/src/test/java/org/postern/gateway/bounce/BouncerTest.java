// BouncerTest: the bounce stage end to end on a real spool -- qmgr's BounceSink calls in, committed
// notices out (in active/, the qmgr told their ids), each parsed with Apache mime4j: who gets what
// (NOTIFY, <>, double bounces, notify_classes copies), the RFC 3464 fields and the returned original.
package org.postern.gateway.bounce;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.junit.jupiter.api.Test;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.postern.core.Recipient.Notify;
import org.postern.gateway.qmgr.BounceSink.Bounced;
import org.postern.gateway.qmgr.BounceSink.Delayed;
import org.postern.gateway.qmgr.BounceSink.Succeeded;
import org.postern.gateway.queue.QueueFile;
import org.postern.gateway.queue.QueueName;

class BouncerTest extends BounceTestBase {
    static final String SAID = "host mx.r.test[192.0.2.9] said: 550 5.1.1 <r1@r.test>: Recipient address rejected:"
            + " User unknown (in reply to RCPT TO command)";

    @Test
    void failureNoticeGoesToTheSenderFromNullSenderWithTheWholeOriginal() throws Exception {
        QueueFile orig = original("a@s.test", "r1@r.test", "r2@r.test");
        await(bouncer.bounced(orig, List.of(new Bounced(0, "r1@r.test", "5.1.1", SAID))));

        Notice n = onlyNotice();
        QueueId id = queued.get(0);
        assertThat(Files.exists(spool.file(QueueName.ACTIVE, id))).isTrue();
        assertThat(n.envelope().sender()).isEmpty();
        assertThat(n.envelope().recipients()).extracting(Recipient::address).containsExactly("a@s.test");
        assertThat(n.envelope().body()).isEqualTo(Envelope.BodyType.SEVEN_BIT);
        assertThat(n.envelope().smtputf8()).isFalse();

        Message m = n.message();
        assertThat(field(m, "From")).isEqualTo("MAILER-DAEMON@mx.postern.test (Mail Delivery System)");
        assertThat(field(m, "To")).isEqualTo("a@s.test");
        assertThat(m.getSubject()).isEqualTo("Undelivered Mail Returned to Sender");
        assertThat(field(m, "Auto-Submitted")).isEqualTo("auto-replied");
        assertThat(field(m, "Message-Id")).isEqualTo("<20261121120000." + id + "@mx.postern.test>");
        assertThat(field(m, "Date")).isEqualTo("Sat, 21 Nov 2026 12:00:00 +0000");
        assertThat(m.getMimeType()).isEqualTo("multipart/report");
        assertThat(param(m, "report-type")).isEqualTo("delivery-status");
        assertThat(n.multipart().getBodyParts()).extracting(Entity::getMimeType)
                .containsExactly("text/plain", "message/delivery-status", "message/rfc822");

        String text = n.partText(0);
        assertThat(text).startsWith("This is the mail system at host mx.postern.test.\r\n")
                .contains("could not\r\nbe delivered to one or more recipients. It's attached below.")
                .contains("<r1@r.test>: host mx.r.test[192.0.2.9] said: 550 5.1.1 <r1@r.test>:")
                .doesNotContain("r2@r.test");

        List<Map<String, String>> dsn = n.dsn();
        assertThat(dsn).hasSize(2);
        assertThat(dsn.get(0)).containsEntry("Reporting-MTA", "dns; mx.postern.test")
                .containsEntry("X-Postern-Queue-ID", orig.envelope().queueId().value())
                .containsEntry("X-Postern-Sender", "rfc822; a@s.test")
                .containsEntry("Arrival-Date", "Sat, 21 Nov 2026 12:00:00 +0000")
                .doesNotContainKey("Original-Envelope-Id");
        assertThat(dsn.get(1)).containsEntry("Final-Recipient", "rfc822; r1@r.test")
                .containsEntry("Action", "failed").containsEntry("Status", "5.1.1")
                .containsEntry("Remote-MTA", "dns; mx.r.test")
                .containsEntry("Diagnostic-Code", "smtp; 550 5.1.1 <r1@r.test>: Recipient address rejected: User unknown")
                .containsEntry("Last-Attempt-Date", "Sat, 21 Nov 2026 12:00:00 +0000")
                .doesNotContainKey("Original-Recipient").doesNotContainKey("Will-Retry-Until");

        Message inner = (Message) n.part(2).getBody();
        assertThat(inner.getSubject()).isEqualTo("quarterly report");
        assertThat(n.text()).contains(PLAIN);
        assertThat(logLines()).containsExactly(orig.envelope().queueId() + ": sender non-delivery notification: " + id);
    }

    @Test
    void anOriginalLargerThanBounceSizeLimitReturnsOnlyItsHeadersAndSaysSo() throws Exception {
        use(settings(Set.of("2bounce"), 1000));
        String big = PLAIN + "x".repeat(70) .concat("\r\n").repeat(40);
        QueueFile orig = original("a@s.test", List.of(Recipient.of("r1@r.test")), null, null, false,
                big.getBytes(StandardCharsets.US_ASCII));
        await(bouncer.bounced(orig, List.of(new Bounced(0, "r1@r.test", "5.1.1", SAID))));
        Notice n = onlyNotice();
        assertThat(n.part(2).getMimeType()).isEqualTo("text/rfc822-headers");
        assertThat(field(n.part(2), "Content-Description")).isEqualTo("Undelivered Message Headers");
        String headers = n.partText(2);
        assertThat(headers).startsWith("From: Alice <a@s.test>\r\n").contains("Subject: quarterly report\r\n")
                .doesNotContain("Hello,").doesNotContain("xxxx");
        assertThat(n.partText(0)).contains("larger than the size limit for returned mail\r\n(bounce_size_limit)");
    }

    @Test
    void anOriginalOfExactlyBounceSizeLimitIsReturnedWhole() throws Exception {
        byte[] content = PLAIN.getBytes(StandardCharsets.US_ASCII);
        use(settings(Set.of(), content.length));
        QueueFile orig = original("a@s.test", List.of(Recipient.of("r1@r.test")), null, null, false, content);
        await(bouncer.bounced(orig, List.of(new Bounced(0, "r1@r.test", "5.1.1", SAID))));
        assertThat(onlyNotice().part(2).getMimeType()).isEqualTo("message/rfc822");
    }

    @Test
    void retHdrsReturnsHeadersOnlyAndEnvidAndOrcptAreReported() throws Exception {
        QueueFile orig = original("a@s.test", List.of(new Recipient("r1@r.test", Set.of(), "rfc822;list@s.test")),
                Envelope.Ret.HDRS, "ENV-42", false, PLAIN.getBytes(StandardCharsets.US_ASCII));
        await(bouncer.bounced(orig, List.of(new Bounced(0, "r1@r.test", "5.1.1", SAID))));
        Notice n = onlyNotice();
        assertThat(n.part(2).getMimeType()).isEqualTo("text/rfc822-headers");
        assertThat(n.partText(0)).contains("The headers of your message are attached below.")
                .contains("<r1@r.test> (expanded from <list@s.test>): host mx.r.test");
        List<Map<String, String>> dsn = n.dsn();
        assertThat(dsn.get(0)).containsEntry("Original-Envelope-Id", "ENV-42");
        assertThat(dsn.get(1)).containsEntry("Original-Recipient", "rfc822;list@s.test");
        assertThat(List.copyOf(dsn.get(1).keySet())).startsWith("Original-Recipient", "Final-Recipient", "Action", "Status");
    }

    @Test
    void aBounceThatFailsIsADoubleBounceToThePostmasterNeverToNullSender() throws Exception {
        QueueFile orig = original("", "a@s.test");
        await(bouncer.bounced(orig, List.of(new Bounced(0, "a@s.test", "5.1.1", SAID))));
        Notice n = onlyNotice();
        assertThat(n.envelope().sender()).isEqualTo("double-bounce@postern.test");
        assertThat(n.envelope().recipients()).extracting(Recipient::address).containsExactly("postmaster@postern.test");
        assertThat(n.message().getSubject()).isEqualTo("Postmaster Copy: Undelivered Mail");
        assertThat(field(n.message(), "To")).isEqualTo("postmaster@postern.test");
        assertThat(field(n.message(), "Auto-Submitted")).isEqualTo("auto-generated");
        assertThat(n.part(2).getMimeType()).isEqualTo("message/rfc822");
        assertThat(n.partText(0)).contains("sender <>");
        assertThat(n.dsn().get(0)).containsEntry("X-Postern-Sender", "rfc822;");
        assertThat(logLines()).containsExactly(orig.envelope().queueId() + ": postmaster non-delivery notification: "
                + queued.get(0));
    }

    @Test
    void noticesAndBouncesGoWhereVirtualAliasMapsSendTheirRecipient_asCleanupWould() throws Exception {
        org.postern.policies.conf.Config config = org.postern.policies.conf.Config.defaults(dir).withOverrides(java.util.Map.of(
                "myhostname", "postern.test", "mydestination", "postern.test",
                "virtual_alias_maps", "inline:{ { postmaster@postern.test = admin@example.test }, { s@alias.test = real@example.test } }"));
        bouncer.rewriteWith(org.postern.gateway.cleanup.AddressRewriting.from(config, new org.postern.policies.table.Tables(dir)));

        await(bouncer.notices().notice("postmaster", "Virus found", "text", java.util.Optional.empty()));
        Notice n = onlyNotice();
        assertThat(n.envelope().recipients()).extracting(Recipient::address).containsExactly("admin@example.test");
        assertThat(n.envelope().sender()).isEqualTo("double-bounce@postern.test"); // still a notice that never bounces
        assertThat(field(n.message(), "To")).isEqualTo("postmaster@postern.test");

        queued.clear();
        QueueFile orig = original("s@alias.test", "a@s.test");
        await(bouncer.bounced(orig, List.of(new Bounced(0, "a@s.test", "5.1.1", SAID))));
        assertThat(onlyNotice().envelope().recipients()).extracting(Recipient::address).containsExactly("real@example.test");
    }

    @Test
    void without2bounceInNotifyClassesAFailedBounceIsDropped() throws Exception {
        use(settings(Set.of("resource", "software"), 50_000));
        QueueFile orig = original("", "a@s.test");
        await(bouncer.bounced(orig, List.of(new Bounced(0, "a@s.test", "5.1.1", SAID))));
        assertThat(queued).isEmpty();
        assertThat(Files.list(spool.dir(QueueName.ACTIVE))).hasSize(1); // only the original
        assertThat(logLines()).containsExactly(orig.envelope().queueId()
                + ": undeliverable bounce discarded (notify_classes has no 2bounce)");
    }

    @Test
    void aFailedPostmasterNoticeIsDroppedWithALogLine() throws Exception {
        use(settings(Set.of("bounce", "2bounce", "delay"), 50_000));
        for (String sender : List.of("double-bounce@postern.test", "double-bounce")) {
            QueueFile orig = original(sender, "postmaster@postern.test");
            await(bouncer.bounced(orig, List.of(new Bounced(0, "postmaster@postern.test", "5.1.1", SAID))));
            await(bouncer.delayed(orig, List.of(new Delayed(0, "postmaster@postern.test", "4.4.1", "timeout"))));
            assertThat(logLines()).contains(orig.envelope().queueId() + ": undeliverable postmaster notification discarded");
        }
        assertThat(queued).isEmpty();
    }

    @Test
    void notifyDecidesWhoIsReported() throws Exception {
        QueueFile orig = original("a@s.test", List.of(
                new Recipient("never@r.test", Set.of(Notify.NEVER), null),
                new Recipient("delayonly@r.test", Set.of(Notify.DELAY), null),
                new Recipient("failure@r.test", Set.of(Notify.FAILURE, Notify.SUCCESS), null),
                Recipient.of("default@r.test")), null, null, false, PLAIN.getBytes(StandardCharsets.US_ASCII));
        List<Bounced> all = List.of(new Bounced(0, "never@r.test", "5.1.1", "x"),
                new Bounced(1, "delayonly@r.test", "5.1.1", "x"), new Bounced(2, "failure@r.test", "5.1.1", "x"),
                new Bounced(3, "default@r.test", "5.1.1", "x"));
        await(bouncer.bounced(orig, all));
        Notice n = onlyNotice();
        assertThat(n.dsn().subList(1, 3)).extracting(b -> b.get("Final-Recipient"))
                .containsExactly("rfc822; failure@r.test", "rfc822; default@r.test");
        assertThat(n.partText(0)).doesNotContain("never@r.test").doesNotContain("delayonly@r.test");

        queued.clear();
        await(bouncer.bounced(orig, all.subList(0, 2))); // only NEVER and DELAY-only recipients
        assertThat(queued).isEmpty();
    }

    @Test
    void aRewrittenRecipientIsReportedAsExpandedFromTheAddressTheClientGave() throws Exception {
        QueueFile orig = original("a@s.test", List.of(new Recipient("sales@backend.test", Set.of(), null,
                "sales@s.test")), null, null, false, PLAIN.getBytes(StandardCharsets.US_ASCII));
        await(bouncer.bounced(orig, List.of(new Bounced(0, "sales@backend.test", "5.1.1", SAID))));
        Notice n = onlyNotice();
        assertThat(n.partText(0).replaceAll("\\s+", " "))
                .contains("<sales@backend.test> (expanded from <sales@s.test>): host mx.r.test");
        assertThat(n.dsn().get(1)).containsEntry("Original-Recipient", "rfc822;sales@s.test")
                .containsEntry("Final-Recipient", "rfc822; sales@backend.test");
    }

    @Test
    void bounceInNotifyClassesAddsAHeadersOnlyPostmasterCopyOfEveryRecipient() throws Exception {
        use(settings(Set.of("bounce"), 50_000));
        QueueFile orig = original("a@s.test", List.of(new Recipient("never@r.test", Set.of(Notify.NEVER), null),
                Recipient.of("r1@r.test")), null, null, false, PLAIN.getBytes(StandardCharsets.US_ASCII));
        await(bouncer.bounced(orig, List.of(new Bounced(0, "never@r.test", "5.1.1", "x"),
                new Bounced(1, "r1@r.test", "5.1.1", SAID))));
        assertThat(queued).hasSize(2);
        Notice toSender = null;
        Notice copy = null;
        for (QueueId id : queued) {
            Notice n = notice(id);
            if (n.envelope().sender().isEmpty()) toSender = n;
            else copy = n;
        }
        assertThat(toSender).isNotNull();
        assertThat(toSender.dsn()).hasSize(2);
        assertThat(copy).isNotNull();
        assertThat(copy.envelope().sender()).isEqualTo("double-bounce@postern.test");
        assertThat(copy.envelope().recipients()).extracting(Recipient::address).containsExactly("postmaster@postern.test");
        assertThat(copy.message().getSubject()).isEqualTo("Postmaster Copy: Undelivered Mail");
        assertThat(copy.part(2).getMimeType()).isEqualTo("text/rfc822-headers");
        assertThat(copy.partText(0)).contains("The message was sent by <a@s.test>.");
        assertThat(copy.dsn()).hasSize(3);
        String id = orig.envelope().queueId().value();
        assertThat(logLines()).contains(id + ": sender non-delivery notification: " + toSender.envelope().queueId(),
                id + ": postmaster non-delivery notification: " + copy.envelope().queueId());
    }

    @Test
    void delayNoticeReportsDelayedRecipientsWithWillRetryUntilAndHeadersOnly() throws Exception {
        QueueFile orig = original("a@s.test", List.of(Recipient.of("r1@r.test"),
                new Recipient("failonly@r.test", Set.of(Notify.FAILURE), null)), null, null, false,
                PLAIN.getBytes(StandardCharsets.US_ASCII));
        clock.advance(Duration.ofHours(4));
        await(bouncer.delayed(orig, List.of(new Delayed(0, "r1@r.test", "4.4.1",
                        "connect to mx.r.test[192.0.2.9]:25: Connection timed out"),
                new Delayed(1, "failonly@r.test", "4.4.1", "x"))));
        Notice n = onlyNotice();
        assertThat(n.envelope().sender()).isEmpty();
        assertThat(n.message().getSubject()).isEqualTo("Delayed Mail (still being retried)");
        assertThat(n.partText(0)).contains("THIS IS A WARNING ONLY")
                .contains("could not be delivered for more than 4 hour(s).")
                .contains("It will be retried until it is 5 day(s) old.");
        List<Map<String, String>> dsn = n.dsn();
        assertThat(dsn).hasSize(2);
        assertThat(dsn.get(1)).containsEntry("Action", "delayed").containsEntry("Status", "4.4.1")
                .containsEntry("Diagnostic-Code", "X-Postern; connect to mx.r.test[192.0.2.9]:25: Connection timed out")
                .containsEntry("Last-Attempt-Date", "Sat, 21 Nov 2026 16:00:00 +0000")
                .containsEntry("Will-Retry-Until", "Thu, 26 Nov 2026 12:00:00 +0000")
                .doesNotContainKey("Remote-MTA");
        assertThat(n.part(2).getMimeType()).isEqualTo("text/rfc822-headers");
        assertThat(field(n.part(2), "Content-Description")).isEqualTo("Delayed Message Headers");
        assertThat(logLines()).containsExactly(orig.envelope().queueId() + ": sender delay notification: " + queued.get(0));
    }

    @Test
    void delayInNotifyClassesCopiesDelayNoticesToThePostmaster() throws Exception {
        use(settings(Set.of("delay"), 50_000));
        QueueFile orig = original("", "a@s.test"); // no notice to <>, but the postmaster's copy still goes
        await(bouncer.delayed(orig, List.of(new Delayed(0, "a@s.test", "4.4.1", "x"))));
        Notice n = onlyNotice();
        assertThat(n.envelope().sender()).isEqualTo("double-bounce@postern.test");
        assertThat(n.message().getSubject()).isEqualTo("Postmaster Warning: Delayed Mail");
        assertThat(logLines()).containsExactly(orig.envelope().queueId() + ": postmaster delay notification: " + queued.get(0));
    }

    @Test
    void successIsReportedOnlyWhenNotifySuccessWasAsked() throws Exception {
        QueueFile orig = original("a@s.test", List.of(new Recipient("r1@r.test", Set.of(Notify.SUCCESS), null),
                Recipient.of("r2@r.test")), null, null, false, PLAIN.getBytes(StandardCharsets.US_ASCII));
        await(bouncer.succeeded(orig, List.of(
                new Succeeded(0, "r1@r.test", "relayed", "2.0.0", "250 2.0.0 Ok: queued as 4XyZ"),
                new Succeeded(1, "r2@r.test", "relayed", "2.0.0", "250 2.0.0 Ok"))));
        Notice n = onlyNotice();
        assertThat(n.envelope().sender()).isEmpty();
        assertThat(n.message().getSubject()).isEqualTo("Successful Mail Delivery Report");
        assertThat(n.partText(0)).contains("successfully delivered").contains("<r1@r.test>: 250 2.0.0 Ok: queued as 4XyZ")
                .doesNotContain("r2@r.test");
        assertThat(n.dsn()).hasSize(2);
        assertThat(n.dsn().get(1)).containsEntry("Action", "relayed").containsEntry("Status", "2.0.0");
        assertThat(n.part(2).getMimeType()).isEqualTo("text/rfc822-headers");
        assertThat(logLines()).containsExactly(orig.envelope().queueId() + ": sender delivery status notification: "
                + queued.get(0));

        queued.clear();
        await(bouncer.succeeded(orig, List.of(new Succeeded(1, "r2@r.test", "relayed", "2.0.0", "250 2.0.0 Ok"))));
        assertThat(queued).isEmpty();
    }

    /**
     * Postfix's order: the postmaster's copy only once the sender's notice is queued, and its failure never fails
     * the call -- else qmgr keeps the bounce log and the retry sends the sender (or the postmaster) a second one.
     */
    @Test
    void thePostmasterCopyFollowsTheSendersNoticeAndItsFailureIsOnlyLogged() {
        java.util.concurrent.atomic.AtomicInteger copies = new java.util.concurrent.atomic.AtomicInteger();
        java.util.function.Supplier<io.vertx.core.Future<QueueId>> copyFails = () -> {
            copies.incrementAndGet();
            return io.vertx.core.Future.failedFuture(new java.io.IOException("disk full"));
        };
        io.vertx.core.Promise<QueueId> sender = io.vertx.core.Promise.promise();
        io.vertx.core.Future<Void> both = Bouncer.senderThenCopy(sender::future, copyFails);
        assertThat(copies).as("not before the sender's notice is queued").hasValue(0);
        sender.complete(new QueueId("0000000000A"));
        assertThat(both.succeeded()).as("a copy that failed is only logged").isTrue();
        assertThat(copies).hasValue(1);

        io.vertx.core.Future<Void> senderFailed = Bouncer.senderThenCopy(
                () -> io.vertx.core.Future.failedFuture(new java.io.IOException("disk full")), copyFails);
        assertThat(senderFailed.failed()).isTrue();
        assertThat(copies).as("no copy when the sender's notice was not queued").hasValue(1);
        assertThat(Bouncer.senderThenCopy(null, copyFails).succeeded()).as("no sender notice (NOTIFY=NEVER)").isTrue();
    }
}
