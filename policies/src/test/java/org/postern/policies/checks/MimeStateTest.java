// MimeStateTest: the streaming MIME classifier on fixture messages -- primary, MIME, nested headers
// and body lines of multipart/mixed with message/rfc822, nested multiparts and digests, folded and
// 8-bit headers, a message without body -- and its limits (header_size_limit, mime_nesting_limit).
package org.postern.policies.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MimeStateTest {

    /** Records the parse as "SECTION|text" lines; body lines as "BODY offset|text". */
    private static final class Transcript implements MimeState.Listener {
        final List<String> lines = new ArrayList<>();
        final List<MimeState.LineRole> roles = new ArrayList<>();

        @Override
        public void header(MimeState.Section section, String header) {
            lines.add(section + "|" + header);
        }

        @Override
        public void body(String line, long offset, boolean inserted) {
            lines.add((inserted ? "INSERTED " : "BODY ") + offset + "|" + line);
        }

        @Override
        public void endOfPrimaryHeaders() {
            lines.add("END OF PRIMARY HEADERS");
        }

        @Override
        public void error(MimeError error, String text) {
            lines.add("ERROR " + error + "|" + text);
        }
    }

    private static Transcript parse(List<String> input, MimeState.Options options) {
        Transcript t = new Transcript();
        MimeState mime = new MimeState(options, t);
        for (String line : input) t.roles.add(mime.line(line));
        mime.end();
        return t;
    }

    private static List<String> parse(String fixture) {
        return parse(ChecksFixtures.lines(fixture), MimeState.Options.defaults()).lines;
    }

    /** Only the section of each piece and the start of its text, for the long fixtures. */
    private static List<String> shape(List<String> transcript) {
        return transcript.stream().map(s -> s.replaceFirst("^BODY \\d+", "BODY")).toList();
    }

    @Test
    void multipartWithAttachedMessage() {
        assertThat(shape(parse("multipart-rfc822.eml"))).containsExactly(
                "PRIMARY|Received: from mx.sender.test (mx.sender.test [192.0.2.10])\n"
                        + "\tby gateway.example.test (Postern) with ESMTP id 3F2A61C0A1B\n"
                        + "\tfor <user@example.test>; Sat, 21 Nov 2026 12:00:00 +0000 (UTC)",
                "PRIMARY|From: Sender <sender@sender.test>",
                "PRIMARY|To: <user@example.test>",
                "PRIMARY|Subject: Invoice for you",
                "MIME|MIME-Version: 1.0",
                "MIME|Content-Type: multipart/mixed; boundary=\"outer-boundary\"",
                "PRIMARY|X-Mailer: fixture 1.0",
                "END OF PRIMARY HEADERS",
                "BODY|",
                "BODY|This is a multi-part message in MIME format.",
                "BODY|--outer-boundary",
                "MIME|Content-Type: text/plain; charset=us-ascii",
                "MIME|Content-Transfer-Encoding: 7bit",
                "MIME|X-Part-Note: first part",
                "BODY|",
                "BODY|Please find the forwarded message and the invoice attached.",
                "BODY|<iframe src=3Dcid:evil height=3D0 width=3D0>",
                "BODY|",
                "BODY|--outer-boundary",
                "MIME|Content-Type: message/rfc822",
                "MIME|Content-Disposition: attachment; filename=\"forwarded.eml\"",
                "BODY|",
                "NESTED|From: Inner Sender <inner@inner.test>",
                "NESTED|To: someone@inner.test",
                "NESTED|Subject: the inner message",
                "MIME|Content-Type: text/plain; charset=us-ascii",
                "BODY|",
                "BODY|Inner body line one.",
                // Text after --boundary is ignored (as Postfix, and many MUAs, do): a new part starts.
                "BODY|--outer-boundary-not-really is still a boundary prefix",
                "MIME|Content-Type: application/octet-stream; name=\"invoice.pdf.exe\"",
                "MIME|Content-Disposition: attachment; filename=\"invoice.pdf.exe\"",
                "MIME|Content-Transfer-Encoding: base64",
                "BODY|",
                "BODY|TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                "BODY|--outer-boundary--",
                "BODY|The epilogue.");
    }

    @Test
    void nestedMultipartsAndDigest() {
        Transcript t = new Transcript();
        MimeState mime = new MimeState(MimeState.Options.defaults(), t);
        List<Integer> depths = new ArrayList<>();
        for (String line : ChecksFixtures.lines("nested-multipart.eml")) {
            mime.line(line);
            depths.add(mime.depth());
        }
        mime.end();
        assertThat(shape(t.lines)).containsExactly(
                "PRIMARY|From: a@sender.test",
                "PRIMARY|To: b@example.test",
                "PRIMARY|Subject: nested multipart",
                "MIME|MIME-Version: 1.0",
                "MIME|Content-Type: multipart/mixed;\n\tboundary=\"=_level1\"",
                "END OF PRIMARY HEADERS",
                "BODY|", "BODY|--=_level1",
                "MIME|Content-Type: multipart/alternative; boundary=level2",
                "BODY|", "BODY|--level2",
                "MIME|Content-Type: text/plain",
                "BODY|", "BODY|plain text", "BODY|--level2",
                "MIME|Content-Type: text/html",
                "BODY|", "BODY|<p>html text</p>", "BODY|--level2--", "BODY|", "BODY|--=_level1",
                "MIME|Content-Type: multipart/digest; boundary=\"digest\"",
                "BODY|", "BODY|--digest",
                // A digest part defaults to message/rfc822: its (empty) MIME header block ends at
                // once and the attached message's headers follow.
                "BODY|",
                "NESTED|From: digest-one@example.test",
                "NESTED|Subject: first digest entry",
                "BODY|", "BODY|digest body one", "BODY|--digest",
                "MIME|Content-Type: text/plain",
                "BODY|",
                "BODY|From: not-a-nested-header@example.test",
                "BODY|", "BODY|--digest--", "BODY|--=_level1--");
        assertThat(depths).startsWith(0, 0, 0, 0, 0, 0, 1, 1, 1, 2).endsWith(2, 1, 0);
    }

    @Test
    void foldedHeadersAreOneLogicalHeaderWithTheirLineBreaks() {
        Transcript t = parse(ChecksFixtures.lines("folded.eml"), MimeState.Options.defaults());
        assertThat(t.lines).containsExactly(
                "PRIMARY|From: Sender <sender@sender.test>",
                "PRIMARY|Subject: this subject\n is folded over\n\tthree lines",
                "PRIMARY|To: a@example.test,\n    b@example.test",
                "PRIMARY|X-Obsolete: spaced name",
                "MIME|Content-Type: text/plain;\n charset=\"us-ascii\"",
                "END OF PRIMARY HEADERS",
                "BODY 0|",
                "BODY 1|Body after folded headers.",
                "BODY 28| A body line starting with a blank is not a continuation.");
        assertThat(t.roles).startsWith(MimeState.LineRole.HEADER, MimeState.LineRole.HEADER,
                MimeState.LineRole.CONTINUATION, MimeState.LineRole.CONTINUATION, MimeState.LineRole.HEADER,
                MimeState.LineRole.CONTINUATION, MimeState.LineRole.HEADER, MimeState.LineRole.HEADER,
                MimeState.LineRole.CONTINUATION, MimeState.LineRole.BODY);
    }

    @Test
    void messageWithoutBody() {
        assertThat(parse("no-body.eml")).containsExactly(
                "PRIMARY|From: sender@sender.test",
                "PRIMARY|To: user@example.test",
                "PRIMARY|Subject: only headers",
                "PRIMARY|X-Last: the last header",
                "END OF PRIMARY HEADERS");
    }

    @Test
    void eightBitUtf8HeadersAreHeadersAndReportedOnlyWhenAsked() {
        List<String> lines = ChecksFixtures.lines("utf8-headers.eml");
        assertThat(parse(lines, MimeState.Options.defaults()).lines).contains(
                "PRIMARY|From: Jörg Müller <joerg@sender.test>",
                "PRIMARY|Subject: Grüße aus Köln – 8-bit UTF-8",
                "BODY 1|Schöne Grüße").noneMatch(s -> s.startsWith("ERROR"));
        Set<MimeError> strict = EnumSet.of(MimeError.EIGHT_BIT_IN_HEADER, MimeError.EIGHT_BIT_IN_7BIT_BODY);
        MimeState.Options options = new MimeState.Options(102400, 100, 2048, false, strict);
        // Reported once, for the first 8-bit header; the body is declared 8bit, so it is fine.
        assertThat(parse(lines, options).lines).filteredOn(s -> s.startsWith("ERROR"))
                .containsExactly("ERROR EIGHT_BIT_IN_HEADER|From: Jörg Müller <joerg@sender.test>");
        List<String> sevenBit = List.of("Subject: ascii", "", "Grüße");
        assertThat(parse(sevenBit, options).lines).filteredOn(s -> s.startsWith("ERROR"))
                .containsExactly("ERROR EIGHT_BIT_IN_7BIT_BODY|Grüße");
    }

    @Test
    void nonHeaderLineEndsThePrimaryHeadersWithAnInsertedBlankLine() {
        assertThat(parse(List.of("Subject: x", "this is no header", "more"), MimeState.Options.defaults()).lines)
                .containsExactly("PRIMARY|Subject: x", "END OF PRIMARY HEADERS", "INSERTED 0|",
                        "BODY 0|this is no header", "BODY 18|more");
        // In a part, no line is inserted: the part's body starts with the non-header line.
        assertThat(parse(List.of("Content-Type: multipart/mixed; boundary=b", "", "--b", "garbage", "--b--"),
                MimeState.Options.defaults()).lines).containsSubsequence("BODY 1|--b", "BODY 0|garbage");
    }

    @Test
    void bodyOffsetsRestartInEachPart() {
        List<String> t = parse(List.of("Content-Type: multipart/mixed; boundary=b", "", "--b", "", "0123456789",
                "abc", "--b", "", "xyz", "--b--", "epilogue"), MimeState.Options.defaults()).lines;
        // The boundary line belongs to the part before it; the blank line after headers is offset 0.
        assertThat(t).containsSubsequence("BODY 0|", "BODY 1|--b", "BODY 0|", "BODY 1|0123456789", "BODY 12|abc",
                "BODY 16|--b", "BODY 0|", "BODY 1|xyz", "BODY 0|--b--", "BODY 6|epilogue");
    }

    @Test
    void disabledMimeMakesEverythingAfterThePrimaryHeadersBody() {
        MimeState.Options options = new MimeState.Options(102400, 100, 2048, true, Set.of());
        List<String> t = parse(ChecksFixtures.lines("multipart-rfc822.eml"), options).lines;
        assertThat(t).filteredOn(s -> !s.startsWith("BODY")).containsExactly(
                t.get(0), "PRIMARY|From: Sender <sender@sender.test>", "PRIMARY|To: <user@example.test>",
                "PRIMARY|Subject: Invoice for you", "MIME|MIME-Version: 1.0",
                "MIME|Content-Type: multipart/mixed; boundary=\"outer-boundary\"", "PRIMARY|X-Mailer: fixture 1.0",
                "END OF PRIMARY HEADERS");
        assertThat(t).contains("BODY 46|--outer-boundary", "BODY 63|Content-Type: text/plain; charset=us-ascii");
    }

    @Test
    void longHeadersAreTruncatedAtTheHeaderSizeLimit() {
        MimeState.Options options = new MimeState.Options(20, 100, 2048, false, EnumSet.of(MimeError.TRUNCATED_HEADER));
        Transcript t = parse(List.of("Subject: 0123456789", " abcdefghij", " dropped", " dropped too", "X: y"),
                options);
        assertThat(t.lines).containsExactly("ERROR TRUNCATED_HEADER|Subject: 0123456789\n abcdefghij",
                "PRIMARY|Subject: 0123456789\n abcdefghij", "PRIMARY|X: y", "END OF PRIMARY HEADERS");
        assertThat(t.roles).containsExactly(MimeState.LineRole.HEADER, MimeState.LineRole.CONTINUATION,
                MimeState.LineRole.DROPPED, MimeState.LineRole.DROPPED, MimeState.LineRole.HEADER);
    }

    @Test
    void nestingBeyondTheLimitIsReportedAndNotFollowed() {
        List<String> lines = new ArrayList<>();
        for (int level = 0; level < 5; level++) {
            lines.add("Content-Type: multipart/mixed; boundary=b" + level);
            lines.add("");
            lines.add("--b" + level);
        }
        lines.add("");
        lines.add("deep");
        MimeState.Options options = new MimeState.Options(102400, 2, 2048, false, EnumSet.of(MimeError.NESTING));
        Transcript t = new Transcript();
        MimeState mime = new MimeState(options, t);
        lines.forEach(mime::line);
        mime.end();
        // Levels 0..2 are followed (Postfix allows mime_nesting_limit + 1); b3 and b4 are not boundaries.
        assertThat(mime.depth()).isEqualTo(3);
        assertThat(t.lines).containsOnlyOnce("ERROR NESTING|Content-Type: multipart/mixed; boundary=b3")
                .contains("BODY 1|--b3", "BODY 6|Content-Type: multipart/mixed; boundary=b4")
                .anyMatch(s -> s.matches("BODY \\d+\\|--b4"));
    }

    @Test
    void boundariesAreCutAtTheLengthLimitAndQuotedOrCommentedParametersWork() {
        MimeState.Options options = new MimeState.Options(102400, 100, 4, false, Set.of());
        List<String> t = parse(List.of("Content-Type: Multipart/Mixed (comment; boundary=no); Boundary=\"abcdefgh\"",
                "", "--abcdXYZ", "X-In-Part: yes", "", "--abcd--"), options).lines;
        assertThat(t).contains("MIME|X-In-Part: yes");
    }

    @Test
    void encodingDomainOfCompositeTypes() {
        MimeState.Options options = new MimeState.Options(102400, 100, 2048, false,
                EnumSet.of(MimeError.ENCODING_DOMAIN));
        assertThat(parse(List.of("Content-Type: multipart/mixed; boundary=x", "Content-Transfer-Encoding: base64",
                "", "--x--"), options).lines).contains("ERROR ENCODING_DOMAIN|base64");
        assertThat(parse(List.of("Content-Type: multipart/mixed; boundary=x", "Content-Transfer-Encoding: 8bit",
                "", "--x--"), options).lines).noneMatch(s -> s.startsWith("ERROR"));
    }

    /** Pieces of a line over line_length_limit: a continued piece is never a boundary, and stays in its header. */
    @Test
    void aContinuedPieceIsNeitherABoundaryNorANewHeader() {
        Transcript t = new Transcript();
        MimeState mime = new MimeState(MimeState.Options.defaults(), t);
        for (String l : List.of("Content-Type: multipart/mixed; boundary=b1", "", "--b1", "X-Long: aaa")) mime.line(l);
        mime.line("bbb: ccc", 8, true); // not a header of its own: the rest of X-Long
        mime.line("", 0, false);
        mime.line("fff", 3, false); // a body line fed in pieces ...
        mime.line("--b1--", 6, true); // ... whose later piece looks like the closing boundary
        mime.line("--b1", 4, false); // the real next part
        mime.line("Content-Disposition: attachment; filename=x.exe", 48, false);
        mime.line("", 0, false);
        mime.end();
        assertThat(t.lines).contains("MIME|X-Long: aaabbb: ccc", "MIME|Content-Disposition: attachment; filename=x.exe")
                .doesNotContain("MIME|bbb: ccc");
        assertThat(mime.depth()).as("still inside the multipart").isPositive();
    }
}
