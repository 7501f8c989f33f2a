// AttachmentFilterTest: the "attachments" filter of the vscan stage on real MIME built in the test --
// names (extensions, RFC 2231, RFC 2047), declared and sniffed types, nested messages, malformed MIME,
// vscan_banned_file_maps, and the filter's Vert.x face (worker thread, fromConfig).
package org.postern.filters.mime;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.postern.filters.mime.MimeFixtures.attachment;
import static org.postern.filters.mime.MimeFixtures.base64;
import static org.postern.filters.mime.MimeFixtures.entries;
import static org.postern.filters.mime.MimeFixtures.exe;
import static org.postern.filters.mime.MimeFixtures.mail;
import static org.postern.filters.mime.MimeFixtures.mixed;
import static org.postern.filters.mime.MimeFixtures.mixedWith;
import static org.postern.filters.mime.MimeFixtures.multipart;
import static org.postern.filters.mime.MimeFixtures.part;
import static org.postern.filters.mime.MimeFixtures.pdf;
import static org.postern.filters.mime.MimeFixtures.zip;

import static org.postern.filters.mime.ScanFixture.assertBanned;
import static org.postern.filters.mime.ScanFixture.filter;
import static org.postern.filters.mime.ScanFixture.scan;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.postern.core.ClientInfo;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.postern.filters.FilterResult;
import org.postern.filters.FilterResult.Kind;
import org.postern.filters.ScanMessage;
import org.postern.policies.conf.Config;
import org.postern.policies.table.Tables;

class AttachmentFilterTest {
    private static final Path dir = ScanFixture.DIR;
    private static final Vertx vertx = ScanFixture.VERTX;

    /** In memory, the walk runs on the caller's worker (one hand-off less); streamed from the file, it does not. */
    @Test
    void inspectOnWorkerWalksAMessageHeldInMemoryOnly() throws Exception {
        AttachmentFilter f = filter(Map.of());
        byte[] message = mixed(attachment("application/octet-stream", "invoice.pdf.exe", exe()));
        ClientInfo client = new ClientInfo("c.test", "192.0.2.7", 5000, "c.test", "ESMTP", null, null, null, null);
        Envelope env = new Envelope(new QueueId("ABCDEF12345"), Instant.EPOCH, client, "s@example.test",
                List.of(Recipient.of("r@example.test")), -1, Envelope.BodyType.SEVEN_BIT, false, null, null);
        Path file = Files.write(ScanFixture.DIR.resolve("on-worker.eml"), message);

        FilterResult here = f.inspectOnWorker(new ScanMessage(env, file, 0, message.length, Buffer.buffer(message)));
        assertBanned(here, "invoice.pdf.exe: banned extension .exe");
        assertThat(f.inspectOnWorker(new ScanMessage(env, file, 0, message.length))).isNull();
    }

    @Test
    void cleanMessageWithPdfIsClean() throws Exception {
        FilterResult r = scan(mixed(attachment("application/pdf", "report.pdf", pdf())));
        assertThat(r.kind()).isEqualTo(Kind.CLEAN);
        assertThat(r.detail()).isEmpty();
    }

    @Test
    void lastExtensionCounts() throws Exception {
        assertBanned(scan(mixed(attachment("application/pdf", "invoice.pdf.exe", pdf()))),
                "invoice.pdf.exe: banned extension .exe");
        assertThat(scan(mixed(attachment("application/pdf", "setup.exe.pdf", pdf()))).kind()).isEqualTo(Kind.CLEAN);
    }

    @Test
    void extensionIsCaseInsensitiveAndTrailingDotsAndSpacesAreIgnored() throws Exception {
        assertBanned(scan(mixed(attachment("application/octet-stream", "RUN.JS", pdf()))), "RUN.JS: banned extension .js");
        assertBanned(scan(mixed(attachment("application/octet-stream", "a.exe.", pdf()))), "a.exe.: banned extension .exe");
        assertBanned(scan(mixed(attachment("application/octet-stream", "a.exe ", pdf()))), "a.exe : banned extension .exe");
        assertBanned(scan(mixed(attachment("application/octet-stream", "a.scr . .", pdf()))),
                "a.scr . .: banned extension .scr");
    }

    @Test
    void contentTypeNameAloneIsChecked() throws Exception {
        String p = part("Content-Type: application/octet-stream; name=\"tool.bat\"\r\n", pdf());
        assertBanned(scan(mixed(p)), "tool.bat: banned extension .bat");
    }

    @Test
    void everyNameAPartGivesIsChecked() throws Exception {
        String p = part("Content-Type: application/pdf; name=\"report.pdf\"\r\n"
                + "Content-Disposition: attachment; filename=\"report.pdf\"; filename=\"report.vbs\"\r\n", pdf());
        assertBanned(scan(mixed(p)), "report.vbs: banned extension .vbs");
    }

    @Test
    void nameParametersAreReadFromBothHeaders() throws Exception {
        String p = part("Content-Type: application/octet-stream; filename=\"a.cpl\"\r\n"
                + "Content-Disposition: attachment\r\n", pdf());
        assertBanned(scan(mixed(p)), "a.cpl: banned extension .cpl");
    }

    @Test
    void aPartWithTooManyNamesIsUnscannable() throws Exception {
        StringBuilder h = new StringBuilder("Content-Type: application/octet-stream\r\nContent-Disposition: attachment");
        for (int i = 0; i < 150; i++) h.append(";\r\n filename=\"f").append(i).append(".txt\"");
        FilterResult r = scan(mixed(part(h + "\r\n", pdf())));
        assertThat(r.kind()).isEqualTo(Kind.UNSCANNABLE);
        assertThat(r.detail()).isEqualTo("part 2: more than 100 file names");
    }

    @Test
    void rfc2231ExtendedName() throws Exception {
        String p = part("Content-Type: application/octet-stream\r\n"
                + "Content-Disposition: attachment;\r\n filename*=UTF-8''r%C3%A9sum%C3%A9.exe\r\n", pdf());
        assertBanned(scan(mixed(p)), "résumé.exe: banned extension .exe");
    }

    @Test
    void rfc2231ContinuationsAreJoined() throws Exception {
        String p = part("Content-Type: application/octet-stream\r\n"
                + "Content-Disposition: attachment;\r\n filename*0*=utf-8''Rechnung%20;\r\n"
                + " filename*1=\"2026.pdf\";\r\n filename*2=\".scr\"\r\n", pdf());
        assertBanned(scan(mixed(p)), "Rechnung 2026.pdf.scr: banned extension .scr");
    }

    @Test
    void rfc2047EncodedNameIsDecoded() throws Exception {
        String word = "=?UTF-8?B?" + Base64.getEncoder().encodeToString("Größe.js".getBytes(UTF_8)) + "?=";
        String p = part("Content-Type: application/octet-stream; name=\"" + word + "\"\r\n", pdf());
        assertBanned(scan(mixed(p)), "Größe.js: banned extension .js");
        String q = part("Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="
                + "\"=?iso-8859-1?Q?r=E9sum=E9=2Ehta?=\"\r\n", pdf());
        assertBanned(scan(mixed(q)), "résumé.hta: banned extension .hta");
    }

    @Test
    void rawUtf8NameIsRead() throws Exception {
        assertBanned(scan(mixed(attachment("application/octet-stream", "Überweisung.cmd", pdf()))),
                "Überweisung.cmd: banned extension .cmd");
    }

    @Test
    void executableNamedPdfIsBannedBySniffedType() throws Exception {
        assertBanned(scan(mixed(attachment("application/pdf", "report.pdf", exe()))),
                "report.pdf: sniffed application/x-dosexec");
    }

    @Test
    void executableAsInlineTextIsBanned() throws Exception {
        String p = part("Content-Type: text/plain; charset=us-ascii\r\n", exe());
        assertBanned(scan(mixed(p)), "part 2: sniffed application/x-dosexec");
    }

    @Test
    void declaredBannedTypeIsBanned() throws Exception {
        assertBanned(scan(mixed(attachment("application/x-msdownload", "update.bin", pdf()))),
                "update.bin: banned type application/x-msdownload");
    }

    @Test
    void quotedPrintableBodyIsDecodedBeforeSniffing() throws Exception {
        String p = "Content-Type: application/pdf; name=\"q.pdf\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                + "MZ=90=00=03=00=00=00=04=00=00=00=FF=FF=00=00\r\n";
        assertBanned(scan(mixed(p)), "q.pdf: sniffed application/x-dosexec");
    }

    @Test
    void nestedMessageIsWalked() throws Exception {
        String inner = new String(mixedWith("inner", attachment("application/octet-stream", "evil.vbs", pdf())), UTF_8);
        String unnamed = "Content-Type: message/rfc822\r\n\r\n" + inner;
        assertBanned(scan(mixed(unnamed)), "evil.vbs: banned extension .vbs");
        String named = "Content-Type: message/rfc822; name=\"fwd.eml\"\r\n"
                + "Content-Disposition: attachment; filename=\"fwd.eml\"\r\n\r\n" + inner;
        assertBanned(scan(mixed(named)), "fwd.eml/evil.vbs: banned extension .vbs");
        String encoded = part("Content-Type: message/rfc822\r\n", inner.getBytes(UTF_8));
        assertBanned(scan(mixed(encoded)), "evil.vbs: banned extension .vbs");
    }

    @Test
    void nestedMessageReusingTheOuterBoundaryIsStillChecked() throws Exception {
        // The outer boundary ends the inner message early, as in mail clients: its parts become outer parts.
        String inner = new String(mixed(attachment("application/octet-stream", "evil.vbs", pdf())), UTF_8);
        String named = "Content-Type: message/rfc822; name=\"fwd.eml\"\r\n\r\n" + inner;
        assertBanned(scan(mixed(named)), "evil.vbs: banned extension .vbs");
    }

    @Test
    void emlAttachmentSentAsOctetStreamIsWalked() throws Exception {
        byte[] inner = mixedWith("inner", attachment("application/pdf", "report.pdf", exe()));
        assertBanned(scan(mixed(attachment("application/octet-stream", "mail.eml", inner))),
                "mail.eml/report.pdf: sniffed application/x-dosexec");
    }

    @Test
    void nestedMultipartsAreWalked() throws Exception {
        String alt = "Content-Type: multipart/related; boundary=\"b1\"\r\n\r\n"
                + multipart("b1", attachment("image/png", "logo.png", new byte[] {(byte) 0x89, 'P', 'N', 'G'}),
                attachment("application/octet-stream", "x.pif", pdf()));
        assertBanned(scan(mixed(alt)), "x.pif: banned extension .pif");
    }

    @Test
    void singlePartMessageWithAttachmentAsBody() throws Exception {
        byte[] m = mail("Content-Type: application/octet-stream; name=\"payload.ps1\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n", base64(pdf()));
        assertBanned(scan(m), "payload.ps1: banned extension .ps1");
    }

    @Test
    void uuencodedAttachmentNameIsChecked() throws Exception {
        byte[] m = mail("Content-Type: text/plain\r\n",
                "see attached\r\n\r\nbegin 644 invoice.exe\r\nM35H`\r\n`\r\nend\r\n");
        assertBanned(scan(m), "invoice.exe: banned extension .exe (uuencoded in part 1)");
    }

    @Test
    void missingFinalBoundaryIsReadLikeAMailClient() throws Exception {
        String clean = new String(mixed(attachment("application/pdf", "report.pdf", pdf())), UTF_8);
        byte[] truncated = clean.substring(0, clean.lastIndexOf("--b0--")).getBytes(UTF_8);
        assertThat(scan(truncated).kind()).isEqualTo(Kind.CLEAN);
        String banned = new String(mixed(attachment("application/pdf", "report.exe", pdf())), UTF_8);
        byte[] cut = banned.substring(0, banned.lastIndexOf("--b0--")).getBytes(UTF_8);
        assertBanned(scan(cut), "report.exe: banned extension .exe");
    }

    @Test
    void badBase64IsClean() throws Exception {
        String p = "Content-Type: application/pdf; name=\"x.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + "JVBERi0x!!!*** not base64 at all ~~~\r\n====\r\nQUJD=X\r\n";
        assertThat(scan(mixed(p)).kind()).isEqualTo(Kind.CLEAN);
    }

    @Test
    void garbageHeadersAndNoBodyAreClean() throws Exception {
        byte[] m = ("no colon here\r\nContent-Type: multipart/mixed; boundary=\r\n\r\n--\r\n--\r\n")
                .getBytes(UTF_8);
        assertThat(scan(m).kind()).isEqualTo(Kind.CLEAN);
        assertThat(scan(new byte[0]).kind()).isEqualTo(Kind.CLEAN);
    }

    @Test
    void tooManyHeadersInAPartIsUnscannable() throws Exception {
        byte[] m = mail("X-A: b\r\n".repeat(10_001), "body\r\n");
        FilterResult r = scan(m);
        assertThat(r.kind()).isEqualTo(Kind.UNSCANNABLE);
        assertThat(r.detail()).startsWith("cannot parse MIME: ");
    }

    @Test
    void mimeNestedTooDeeplyIsUnscannableNotAStackOverflow() throws Exception {
        StringBuilder body = new StringBuilder();
        int levels = 5000;
        for (int i = 0; i < levels; i++) {
            body.append("--n").append(i).append("\r\nContent-Type: multipart/mixed; boundary=\"n").append(i + 1)
                    .append("\"\r\n\r\n");
        }
        byte[] m = mail("Content-Type: multipart/mixed; boundary=\"n0\"\r\n", body.toString());
        FilterResult r = scan(m);
        assertThat(r.kind()).isEqualTo(Kind.UNSCANNABLE);
        assertThat(r.detail()).isEqualTo("MIME parts nested deeper than 64");
    }

    @Test
    void bannedFileMapsRejectBansAndOkAllows() throws Exception {
        Path table = dir.resolve("banned_files");
        Files.writeString(table, "# attachment names\n"
                + "/\\.docm$/ REJECT macros are not accepted here\n"
                + "/^setup\\.exe$/ OK\n"
                + "/^ignored\\.exe$/ DUNNO\n");
        AttachmentFilter f = filter(Map.of("vscan_banned_file_maps", "regexp:" + table));
        assertBanned(scan(f, mixed(attachment("application/octet-stream", "Budget.DOCM", pdf()))),
                "Budget.DOCM: banned by " + table + ":2: macros are not accepted here");
        assertThat(scan(f, mixed(attachment("application/octet-stream", "setup.exe", exe()))).kind())
                .as("OK overrides the extension ban and the sniffed type")
                .isEqualTo(Kind.CLEAN);
        assertBanned(scan(f, mixed(attachment("application/octet-stream", "ignored.exe", pdf()))),
                "ignored.exe: banned extension .exe");
        assertBanned(scan(f, mixed(attachment("application/octet-stream", "other.exe", pdf()))),
                "other.exe: banned extension .exe");
        assertBanned(scan(f, mixed(attachment("application/zip", "pack.zip", zip(entries("m.docm", "x"))))),
                "pack.zip/m.docm: banned by " + table + ":2: macros are not accepted here (in archive)");
    }

    @Test
    void aTableThatCannotAnswerIsATempfail() throws Exception {
        AttachmentFilter f = filter(Map.of("vscan_banned_file_maps", "fail:broken"));
        FilterResult r = scan(f, mixed(attachment("application/pdf", "report.pdf", pdf())));
        assertThat(r.kind()).isEqualTo(Kind.TEMPFAIL);
        assertThat(r.detail()).contains("fail:broken");
    }

    @Test
    void bannedExtensionsAndTypesComeFromMainCf() throws Exception {
        AttachmentFilter f = filter(Map.of("vscan_banned_extensions", ".PDF, iso", "vscan_banned_types", "image/png"));
        assertBanned(scan(f, mixed(attachment("application/pdf", "report.pdf", pdf()))),
                "report.pdf: banned extension .pdf");
        assertThat(scan(f, mixed(attachment("application/octet-stream", "a.exe", pdf()))).kind()).isEqualTo(Kind.CLEAN);
        assertBanned(scan(f, mixed(attachment("application/octet-stream", "logo.dat",
                new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}))), "logo.dat: sniffed image/png");
    }

    @Test
    void fromConfigHonoursVscanAttachmentChecks() throws Exception {
        Config off = Config.defaults(dir).withOverrides(Map.of("vscan_attachment_checks", "no"));
        assertThat(AttachmentFilter.fromConfig(vertx, off, new Tables(dir))).isEmpty();
        AttachmentFilter on = AttachmentFilter.fromConfig(vertx, Config.defaults(dir), new Tables(dir)).orElseThrow();
        assertThat(on.name()).isEqualTo("attachments");
        assertThat(on.policy().bannedExtensions()).contains("exe", "js", "vbs");
        assertThat(on.policy().archiveNestingLimit()).isEqualTo(3);
        assertThat(on.policy().archiveSizeLimit()).isEqualTo(52_428_800L);
        on.close().toCompletionStage().toCompletableFuture().get();
    }
}
