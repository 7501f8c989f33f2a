// BounceIT: the notices the bounce stage queues, checked by an independent parser -- python3's email
// package reads each committed notice file and reports its MIME structure and the per-recipient
// delivery-status fields, so the RFC 3464/6522 format is validated by a third party. Needs python3.
package org.postern.gateway.bounce;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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
import org.postern.testkit.CommandResult;
import org.postern.testkit.PythonSmtp;

class BounceIT extends BounceTestBase {
    /** Prints, per file, a JSON summary of what Python's email package makes of it. */
    private static final String READER = """
            import email, email.parser, email.policy, json, sys
            def fields(m):
                return {k: ' '.join(str(v).split()) for k, v in m.items()}
            def defects(m):
                return [type(d).__name__ for p in m.walk() for d in p.defects]
            out = []
            for path in sys.argv[1:]:
                with open(path, 'rb') as f:
                    msg = email.message_from_binary_file(f)
                r = {'multipart': msg.is_multipart(), 'type': msg.get_content_type(),
                     'report_type': msg.get_param('report-type'), 'subject': str(msg['Subject']),
                     'from': str(msg['From']), 'to': str(msg['To']), 'auto': str(msg['Auto-Submitted']),
                     'defects': defects(msg)}
                parts = msg.get_payload()
                r['parts'] = [p.get_content_type() for p in parts]
                r['text'] = parts[0].get_payload(decode=True).decode(parts[0].get_content_charset())
                status = parts[1]
                if status.get_content_type() == 'message/delivery-status':
                    r['dsn'] = [fields(b) for b in status.get_payload()]
                else:  # message/global-delivery-status: Python parses it as one message; split it by hand
                    inner = status.get_payload()[0]
                    blocks = [fields(inner)]
                    rest = inner.get_payload(decode=True).decode('utf-8')
                    for chunk in rest.replace('\\r\\n', '\\n').split('\\n\\n'):
                        if chunk.strip():
                            blocks.append(fields(email.parser.HeaderParser().parsestr(chunk)))
                    r['dsn'] = blocks
                if len(parts) > 2:
                    third = parts[2]
                    if third.get_content_type() in ('message/rfc822', 'message/global'):
                        # RFC 6532 UTF-8 headers need the modern policy to be decoded
                        with open(path, 'rb') as f:
                            modern = email.message_from_binary_file(f, policy=email.policy.default)
                        original = modern.get_payload()[2].get_payload()[0]
                        r['original_subject'] = str(original['Subject'])
                        r['original_body'] = original.get_payload().replace('\\r\\n', '\\n')
                    else:
                        r['original_headers'] = third.get_payload()
                out.append(r)
            print(json.dumps(out))
            """;

    private JsonArray pythonReads(List<QueueId> ids) throws Exception {
        List<String> files = new ArrayList<>();
        for (QueueId id : ids) {
            QueueFile f = QueueFile.read(spool.file(QueueName.ACTIVE, id));
            Path eml = dir.resolve(id + ".eml");
            try (InputStream in = f.openContent()) {
                Files.copy(in, eml);
            }
            files.add(eml.toString());
        }
        CommandResult r = PythonSmtp.script(READER).args(files.toArray(String[]::new)).run().requireSuccess();
        return new JsonArray(r.stdout().strip());
    }

    private static JsonObject bySubject(JsonArray notices, String subject) {
        List<JsonObject> found = new ArrayList<>();
        for (int i = 0; i < notices.size(); i++) {
            if (subject.equals(notices.getJsonObject(i).getString("subject"))) found.add(notices.getJsonObject(i));
        }
        assertThat(found).as("notices with Subject: %s", subject).hasSize(1);
        return found.get(0);
    }

    @Test
    void pythonReadsFailureDelayAndSuccessNotices() throws Exception {
        use(settings(Set.of("bounce", "delay"), 50_000));
        QueueFile orig = original("a@s.test", List.of(
                new Recipient("r1@r.test", Set.of(), "rfc822;list@s.test"),
                new Recipient("r2@r.test", Set.of(Notify.SUCCESS, Notify.FAILURE, Notify.DELAY), null)),
                Envelope.Ret.FULL, "ENV-7", false, PLAIN.getBytes(StandardCharsets.US_ASCII));
        String said = "host mx.r.test[192.0.2.9] said: 550 5.1.1 <r1@r.test>: Recipient address rejected: User "
                + "unknown in virtual mailbox table, and this reply is long enough to be folded (in reply to RCPT TO command)";
        await(bouncer.bounced(orig, List.of(new Bounced(0, "r1@r.test", "5.1.1", said))));
        List<QueueId> failures = List.copyOf(queued);
        queued.clear();
        await(bouncer.delayed(orig, List.of(new Delayed(1, "r2@r.test", "4.4.1", "connect to mx.r.test[192.0.2.9]:25: "
                + "Connection timed out"))));
        List<QueueId> delays = List.copyOf(queued);
        queued.clear();
        await(bouncer.succeeded(orig, List.of(new Succeeded(1, "r2@r.test", "relayed", "2.0.0", "250 2.0.0 Ok"))));
        List<QueueId> successes = List.copyOf(queued);
        assertThat(failures).hasSize(2);
        assertThat(delays).hasSize(2);
        assertThat(successes).hasSize(1);

        List<QueueId> all = new ArrayList<>(failures);
        all.addAll(delays);
        all.addAll(successes);
        JsonArray got = pythonReads(all);
        for (int i = 0; i < got.size(); i++) {
            JsonObject m = got.getJsonObject(i);
            assertThat(m.getBoolean("multipart")).isTrue();
            assertThat(m.getString("type")).isEqualTo("multipart/report");
            assertThat(m.getString("report_type")).isEqualTo("delivery-status");
            assertThat(m.getJsonArray("defects")).isEmpty();
            assertThat(m.getString("from")).isEqualTo("MAILER-DAEMON@mx.postern.test (Mail Delivery System)");
            JsonObject perMessage = m.getJsonArray("dsn").getJsonObject(0);
            assertThat(perMessage.getString("Reporting-MTA")).isEqualTo("dns; mx.postern.test");
            assertThat(perMessage.getString("Original-Envelope-Id")).isEqualTo("ENV-7");
            assertThat(perMessage.getString("X-Postern-Queue-ID")).isEqualTo(orig.envelope().queueId().value());
            assertThat(perMessage.getString("X-Postern-Sender")).isEqualTo("rfc822; a@s.test");
        }

        // notices queued by one call commit concurrently: find them by subject, not position
        JsonObject failure = bySubject(got, "Undelivered Mail Returned to Sender");
        assertThat(failure.getString("subject")).isEqualTo("Undelivered Mail Returned to Sender");
        assertThat(failure.getString("to")).isEqualTo("a@s.test");
        assertThat(failure.getString("auto")).isEqualTo("auto-replied");
        assertThat(failure.getJsonArray("parts").getList())
                .containsExactly("text/plain", "message/delivery-status", "message/rfc822");
        assertThat(failure.getString("text")).contains("<r1@r.test> (expanded from <list@s.test>): host mx.r.test");
        JsonObject r1 = failure.getJsonArray("dsn").getJsonObject(1);
        assertThat(r1.getString("Final-Recipient")).isEqualTo("rfc822; r1@r.test");
        assertThat(r1.getString("Original-Recipient")).isEqualTo("rfc822;list@s.test");
        assertThat(r1.getString("Action")).isEqualTo("failed");
        assertThat(r1.getString("Status")).isEqualTo("5.1.1");
        assertThat(r1.getString("Remote-MTA")).isEqualTo("dns; mx.r.test");
        assertThat(r1.getString("Diagnostic-Code")).isEqualTo("smtp; 550 5.1.1 <r1@r.test>: Recipient address rejected: "
                + "User unknown in virtual mailbox table, and this reply is long enough to be folded");
        assertThat(failure.getString("original_subject")).isEqualTo("quarterly report");
        assertThat(failure.getString("original_body")).isEqualTo("Hello,\nthe numbers are attached.\n");

        JsonObject copy = bySubject(got, "Postmaster Copy: Undelivered Mail");
        assertThat(copy.getString("subject")).isEqualTo("Postmaster Copy: Undelivered Mail");
        assertThat(copy.getString("to")).isEqualTo("postmaster@postern.test");
        assertThat(copy.getJsonArray("parts").getList())
                .containsExactly("text/plain", "message/delivery-status", "text/rfc822-headers");
        assertThat(copy.getString("original_headers")).contains("Subject: quarterly report").doesNotContain("Hello,");

        JsonObject delay = bySubject(got, "Delayed Mail (still being retried)");
        assertThat(delay.getString("subject")).isEqualTo("Delayed Mail (still being retried)");
        JsonObject r2 = delay.getJsonArray("dsn").getJsonObject(1);
        assertThat(r2.getString("Final-Recipient")).isEqualTo("rfc822; r2@r.test");
        assertThat(r2.getString("Action")).isEqualTo("delayed");
        assertThat(r2.getString("Status")).isEqualTo("4.4.1");
        assertThat(r2.getString("Will-Retry-Until")).isEqualTo("Thu, 26 Nov 2026 12:00:00 +0000");
        assertThat(bySubject(got, "Postmaster Warning: Delayed Mail").getString("to")).isEqualTo("postmaster@postern.test");

        JsonObject success = bySubject(got, "Successful Mail Delivery Report");
        assertThat(success.getString("subject")).isEqualTo("Successful Mail Delivery Report");
        assertThat(success.getJsonArray("dsn").getJsonObject(1).getString("Action")).isEqualTo("relayed");
        assertThat(success.getJsonArray("dsn").getJsonObject(1).getString("Status")).isEqualTo("2.0.0");
    }

    @Test
    void pythonReadsDoubleBouncesHeadersOnlyAndGlobalNotices() throws Exception {
        use(settings(Set.of("2bounce"), 300));
        QueueFile bounce = original("", List.of(Recipient.of("a@s.test")), null, null, false,
                PLAIN.getBytes(StandardCharsets.US_ASCII));
        await(bouncer.bounced(bounce, List.of(new Bounced(0, "a@s.test", "5.1.1", "host s[192.0.2.3] said: 550 5.1.1 "
                + "no such user (in reply to RCPT TO command)"))));
        String big = PLAIN + "x".repeat(500) + "\r\n";
        QueueFile large = original("a@s.test", List.of(Recipient.of("r1@r.test")), null, null, false,
                big.getBytes(StandardCharsets.US_ASCII));
        await(bouncer.bounced(large, List.of(new Bounced(0, "r1@r.test", "5.2.2", "mailbox full"))));
        String utf8 = "From: a@s.test\r\nSubject: Grüße\r\n\r\nδοκιμή\r\n";
        QueueFile global = original("a@s.test", List.of(Recipient.of("δοκιμή@παράδειγμα.test")), null, null, true,
                utf8.getBytes(StandardCharsets.UTF_8));
        await(bouncer.bounced(global, List.of(new Bounced(0, "δοκιμή@παράδειγμα.test", "5.1.1", "unknown user"))));
        assertThat(queued).hasSize(3);

        JsonArray got = pythonReads(queued);
        JsonObject dbl = got.getJsonObject(0);
        assertThat(dbl.getString("subject")).isEqualTo("Postmaster Copy: Undelivered Mail");
        assertThat(dbl.getString("to")).isEqualTo("postmaster@postern.test");
        assertThat(dbl.getJsonArray("dsn").getJsonObject(1).getString("Remote-MTA")).isEqualTo("dns; s");
        assertThat(dbl.getJsonArray("defects")).isEmpty();

        JsonObject headersOnly = got.getJsonObject(1);
        assertThat(headersOnly.getJsonArray("parts").getList())
                .containsExactly("text/plain", "message/delivery-status", "text/rfc822-headers");
        assertThat(headersOnly.getString("original_headers")).contains("Subject: quarterly report");
        assertThat(headersOnly.getString("text")).contains("bounce_size_limit");
        assertThat(headersOnly.getJsonArray("dsn").getJsonObject(1).getString("Diagnostic-Code"))
                .isEqualTo("X-Postern; mailbox full");

        JsonObject g = got.getJsonObject(2);
        assertThat(g.getString("type")).isEqualTo("multipart/report");
        assertThat(g.getString("report_type")).isEqualTo("global-delivery-status");
        assertThat(g.getJsonArray("parts").getList())
                .containsExactly("text/plain", "message/global-delivery-status", "message/global");
        assertThat(g.getString("text")).contains("<δοκιμή@παράδειγμα.test>: unknown user");
        JsonObject gr = g.getJsonArray("dsn").getJsonObject(1);
        assertThat(gr.getString("Final-Recipient")).isEqualTo("utf-8; δοκιμή@παράδειγμα.test");
        assertThat(gr.getString("Action")).isEqualTo("failed");
        assertThat(g.getString("original_subject")).isEqualTo("Grüße");
    }
}
