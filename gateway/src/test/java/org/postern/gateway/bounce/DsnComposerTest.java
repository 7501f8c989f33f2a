// DsnComposerTest: the pieces of a notice without a queue in between -- composing into memory with a
// chosen queue id and clock (boundary collisions, binary originals, line limits), the reading of
// qmgr's reason texts into Remote-MTA/Diagnostic-Code, folding, RFC 2047 subjects, main.cf settings.
package org.postern.gateway.bounce;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.junit.jupiter.api.Test;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.postern.gateway.qmgr.BounceSink.Bounced;
import org.postern.gateway.queue.QueueFile;
import org.postern.policies.conf.Config;

class DsnComposerTest extends BounceTestBase {
    private static final QueueId NEW_ID = new QueueId("ABCDEF123456");

    private byte[] compose(DsnComposer.Request r, BounceSettings s) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new DsnComposer(s, clock).compose(r, NEW_ID, out);
        return out.toByteArray();
    }

    private static Message parse(byte[] raw) throws Exception {
        return new DefaultMessageBuilder().parseMessage(new ByteArrayInputStream(raw));
    }

    private static DsnRecipient failed(String address, String reason) {
        return DsnRecipient.failed(new Bounced(0, address, "5.1.1", reason), (Recipient) null);
    }

    @Test
    void anOriginalContainingTheBoundaryGetsAnotherOne() throws Exception {
        String proposed = DsnComposer.boundary(NEW_ID, clock.instant(), HOST, null);
        assertThat(proposed).isEqualTo("ABCDEF123456.1795262400/mx.postern.test");
        String content = PLAIN + "--" + proposed + "\r\nnot a part\r\n--" + proposed + "--\r\n";
        QueueFile orig = original("a@s.test", List.of(Recipient.of("r1@r.test")), null, null, false,
                content.getBytes(StandardCharsets.US_ASCII));
        byte[] raw = compose(new DsnComposer.Request(NoticeKind.FAILURE, false, "a@s.test", orig,
                List.of(failed("r1@r.test", "x")), true), settings(Set.of(), 50_000));
        Message m = parse(raw);
        Multipart mp = (Multipart) m.getBody();
        assertThat(mp.getBodyParts()).extracting(Entity::getMimeType)
                .containsExactly("text/plain", "message/delivery-status", "message/rfc822");
        assertThat(new String(raw, StandardCharsets.US_ASCII)).contains(content)
                .containsPattern("boundary=\"ABCDEF123456\\.1795262400/mx\\.postern\\.test/[0-9a-f]{16}\"");
    }

    @Test
    void binaryOrOverlongOriginalsReturnHeadersOnlyAndSayWhy() throws Exception {
        for (String body : List.of("bare\nLF\r\n", "nul\u0000byte\r\n", "y".repeat(1200) + "\r\n")) {
            QueueFile orig = original("a@s.test", List.of(Recipient.of("r1@r.test")), null, null, false,
                    (PLAIN + body).getBytes(StandardCharsets.ISO_8859_1));
            byte[] raw = compose(new DsnComposer.Request(NoticeKind.FAILURE, false, "a@s.test", orig,
                    List.of(failed("r1@r.test", "x")), true), settings(Set.of(), 50_000));
            Multipart mp = (Multipart) parse(raw).getBody();
            assertThat(mp.getBodyParts().get(2).getMimeType()).isEqualTo("text/rfc822-headers");
            assertThat(new String(raw, StandardCharsets.ISO_8859_1)).contains("cannot be returned as a MIME attachment");
            assertLinesAreSmtpSafe(raw);
        }
    }

    @Test
    void headersAreCutAtALineEndWhenTheyAloneExceedTheLimit() throws Exception {
        String headers = "Received: from relay" + ".x".repeat(30) + "\r\n";
        String content = headers.repeat(50) + "Subject: s\r\n\r\nbody\r\n";
        QueueFile orig = original("a@s.test", List.of(Recipient.of("r1@r.test")), null, null, false,
                content.getBytes(StandardCharsets.US_ASCII));
        byte[] raw = compose(new DsnComposer.Request(NoticeKind.FAILURE, false, "a@s.test", orig,
                List.of(failed("r1@r.test", "x")), true), settings(Set.of(), 500));
        String text = new String(raw, StandardCharsets.US_ASCII);
        int n = headers.length();
        assertThat(text).contains("Content-Type: text/rfc822-headers\r\n\r\n" + headers.repeat(500 / n) + "\r\n--");
    }

    @Test
    void anEmptyOriginalIsNotAttached() throws Exception {
        QueueFile orig = original("a@s.test", List.of(Recipient.of("r1@r.test")), null, null, false, new byte[0]);
        byte[] raw = compose(new DsnComposer.Request(NoticeKind.FAILURE, false, "a@s.test", orig,
                List.of(failed("r1@r.test", "x")), true), settings(Set.of(), 50_000));
        assertThat(((Multipart) parse(raw).getBody()).getBodyParts()).hasSize(2);
        assertThat(new String(raw, StandardCharsets.US_ASCII)).contains("Your message could not be attached.");
    }

    @Test
    void composingRefusesToRunOnAnEventLoop() throws Exception {
        QueueFile orig = original("a@s.test", "r1@r.test");
        DsnComposer.Request r = new DsnComposer.Request(NoticeKind.FAILURE, false, "a@s.test", orig,
                List.of(failed("r1@r.test", "x")), true);
        io.vertx.core.Promise<Throwable> seen = io.vertx.core.Promise.promise();
        vertx.runOnContext(v -> {
            try {
                compose(r, settings(Set.of(), 50_000));
                seen.complete(null);
            } catch (Exception e) {
                seen.complete(e);
            }
        });
        assertThat(await(seen.future())).isInstanceOf(IllegalStateException.class).hasMessageContaining("event loop");
    }

    @Test
    void qmgrReasonsBecomeRemoteMtaAndDiagnosticCode() {
        DsnRecipient said = failed("u@x", "host mx1.x.test[192.0.2.1] said: 550 5.1.1 <u@x>: User unknown "
                + "(in reply to RCPT TO command)");
        assertThat(said.remoteMta()).isEqualTo("mx1.x.test");
        assertThat(said.diagnostic()).isEqualTo("smtp; 550 5.1.1 <u@x>: User unknown");
        DsnRecipient unnamed = failed("u@x", "host unknown[192.0.2.1] said: 554 no (in reply to end of DATA command)");
        assertThat(unnamed.remoteMta()).isEqualTo("[192.0.2.1]");
        DsnRecipient local = failed("u@x", "message expired");
        assertThat(local.remoteMta()).isNull();
        assertThat(local.diagnostic()).isEqualTo("X-Postern; message expired");
        assertThat(DsnRecipient.of("u@x", null, null, "delayed", "4.4.7", "", '4').reason()).isEqualTo("unknown reason");
        assertThat(DsnRecipient.of("u@x", null, null, "failed", null, "x", '5').status()).isEqualTo("5.0.0");
        assertThat(DsnRecipient.of("u@x", "", null, "failed", "5.7.1", "x", '5').orcpt()).isNull();
    }

    @Test
    void longFieldsAreFoldedAndEveryLineStaysWithin998Octets() {
        String folded = MailText.field("Diagnostic-Code", "smtp; " + "word ".repeat(40));
        for (String line : folded.split("\r\n")) assertThat(line.length()).isLessThanOrEqualTo(78);
        assertThat(folded.replace("\r\n    ", " ")).isEqualTo("Diagnostic-Code: smtp; " + "word ".repeat(40).strip() + "\r\n");
        String oneWord = MailText.field("X", "z".repeat(5000));
        for (String line : oneWord.split("\r\n")) assertThat(line.length()).isLessThanOrEqualTo(998);
        assertThat(oneWord.replace("\r\n    ", "")).isEqualTo("X: " + "z".repeat(5000) + "\r\n");
        assertThat(MailText.field("Subject", "a\r\nBcc: b")).isEqualTo("Subject: a??Bcc: b\r\n");
        assertThat(MailText.body("one\ntwo\rthree\r\n")).isEqualTo("one\r\ntwo\r\nthree\r\n\r\n");
    }

    @Test
    void nonAsciiSubjectsAreEncodedWords() throws Exception {
        String subject = "Virus gefunden: Ihre Nachricht wurde in Quarantäne gestellt – Größe unbekannt";
        String encoded = MailText.encodedWords(subject);
        assertThat(encoded).matches("\\p{ASCII}*").startsWith("=?UTF-8?B?");
        for (String w : encoded.split(" ")) assertThat(w.length()).isLessThanOrEqualTo(75);
        Message m = parse(("Subject: " + encoded + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        assertThat(m.getSubject()).isEqualTo(subject);
        assertThat(MailText.encodedWords("plain")).isEqualTo("plain");
    }

    @Test
    void timesAreQuotedInTheirLargestWholeUnit() {
        assertThat(NoticeText.amount(Duration.ofHours(4))).isEqualTo("4 hour(s)");
        assertThat(NoticeText.amount(Duration.ofDays(5))).isEqualTo("5 day(s)");
        assertThat(NoticeText.amount(Duration.ofMinutes(90))).isEqualTo("90 minute(s)");
        assertThat(NoticeText.amount(Duration.ofSeconds(30))).isEqualTo("30 second(s)");
    }

    @Test
    void settingsComeFromMainCf() throws Exception {
        Config c = Config.defaults(dir).withOverrides(Map.of("myhostname", "gw.example.test", "myorigin", "example.test",
                "bounce_size_limit", "1234", "delay_warning_time", "3h", "notify_classes", "bounce, delay"));
        BounceSettings s = BounceSettings.from(c);
        assertThat(s.myhostname()).isEqualTo("gw.example.test");
        assertThat(s.bounceSizeLimit()).isEqualTo(1234);
        assertThat(s.delayWarningTime()).isEqualTo(Duration.ofHours(3));
        assertThat(s.maximalQueueLifetime()).isEqualTo(Duration.ofDays(5));
        assertThat(s.notifies("bounce")).isTrue();
        assertThat(s.notifies("2bounce")).isTrue(); // implied by bounce, as in Postfix
        assertThat(s.notifies("resource")).isFalse();
        assertThat(s.doubleBounceAddress()).isEqualTo("double-bounce@example.test");
        assertThat(s.qualify("postmaster")).isEqualTo("postmaster@example.test");
        assertThat(s.qualify("ops@elsewhere.test")).isEqualTo("ops@elsewhere.test");
        assertThat(s.isDoubleBounce("DOUBLE-BOUNCE@example.test")).isTrue();
        assertThat(BounceSettings.from(Config.defaults(dir)).notifyClasses())
                .containsExactlyInAnyOrder("2bounce", "resource", "software");
    }

    @Test
    void noticesApiSendsTextFromDoubleBounceSender() throws Exception {
        QueueId id = await(bouncer.notices().notice("quarantine-admin", "Infected mail quarantined",
                "A message was put in quarantine.\nVirus: Eicar-Test-Signature", Optional.empty()));
        assertThat(queued).containsExactly(id);
        Notice n = notice(id);
        assertThat(n.envelope().sender()).isEqualTo("double-bounce@postern.test");
        assertThat(n.envelope().recipients()).extracting(Recipient::address).containsExactly("quarantine-admin@postern.test");
        assertThat(n.message().getSubject()).isEqualTo("Infected mail quarantined");
        assertThat(n.message().getMimeType()).isEqualTo("text/plain");
        assertThat(n.text()).endsWith("\r\n\r\nA message was put in quarantine.\r\nVirus: Eicar-Test-Signature\r\n");
    }

    @Test
    void noticesApiAttachesTheHeadersOfTheMessageItIsAbout() throws Exception {
        QueueFile orig = original("a@s.test", "r1@r.test");
        QueueId id = await(bouncer.notices().notice("r1@r.test", "Nachricht in Quarantäne", "Größe: 1 KB",
                Optional.of(orig)));
        Notice n = notice(id);
        assertThat(n.message().getMimeType()).isEqualTo("multipart/mixed");
        assertThat(n.message().getSubject()).isEqualTo("Nachricht in Quarantäne");
        assertThat(n.multipart().getBodyParts()).extracting(Entity::getMimeType)
                .containsExactly("text/plain", "text/rfc822-headers");
        assertThat(n.partText(0)).isEqualTo("Größe: 1 KB\r\n");
        assertThat(n.partText(1)).contains("Subject: quarterly report").doesNotContain("Hello,");
        assertThat(n.envelope().body()).isEqualTo(org.postern.core.Envelope.BodyType.EIGHT_BIT_MIME);
    }

    @Test
    void postmasterNoticesFollowNotifyClasses() throws Exception {
        Optional<QueueId> sent = await(bouncer.notices().postmaster("resource", "Postern: queue file write error",
                "disk full"));
        assertThat(sent).isPresent();
        assertThat(notice(sent.get()).envelope().recipients()).extracting(Recipient::address)
                .containsExactly("postmaster@postern.test");
        assertThat(await(bouncer.notices().postmaster("policy", "s", "t"))).isEmpty();
        assertThat(queued).containsExactly(sent.get());
    }
}
