// ReplyParserTest: the client's reply reader -- single and multi-line replies, enhanced status codes,
// replies split across reads or several in one read (pipelining), bare LF, malformed lines, limits.
package org.postern.gateway.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postern.core.SmtpReply;

class ReplyParserTest {
    private final ReplyParser parser = new ReplyParser(8192);

    private List<ReplyParser.Parsed> feed(String s) {
        return parser.feed(Buffer.buffer(s));
    }

    private SmtpReply one(String s) {
        List<ReplyParser.Parsed> out = feed(s);
        assertThat(out).hasSize(1);
        return ((ReplyParser.Reply) out.get(0)).reply();
    }

    @Test
    void singleLineWithEnhancedStatus() {
        SmtpReply r = one("250 2.1.0 Ok\r\n");
        assertThat(r.code()).isEqualTo(250);
        assertThat(r.dsn()).isEqualTo("2.1.0");
        assertThat(r.text()).isEqualTo("Ok");
        assertThat(r.oneLine()).isEqualTo("250 2.1.0 Ok");
    }

    @Test
    void multiLineReplyKeepsEveryLineAndStripsTheRepeatedStatus() {
        SmtpReply r = one("550-5.7.1 Message rejected\r\n550-5.7.1 see https://example.test\r\n550 5.7.1 bye\r\n");
        assertThat(r.dsn()).isEqualTo("5.7.1");
        assertThat(r.lines()).containsExactly("Message rejected", "see https://example.test", "bye");
    }

    @Test
    void ehloReplyWithoutStatusCodes() {
        SmtpReply r = one("250-mx.example.test\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 8BITMIME\r\n");
        assertThat(r.dsn()).isNull();
        assertThat(r.lines()).containsExactly("mx.example.test", "PIPELINING", "SIZE 1000", "8BITMIME");
    }

    @Test
    void statusCodeOfTheWrongClassIsText() {
        SmtpReply r = one("250 5.0.0 odd\r\n");
        assertThat(r.dsn()).isNull();
        assertThat(r.text()).isEqualTo("5.0.0 odd");
        assertThat(one("354 End data with <CR><LF>.<CR><LF>\r\n").code()).isEqualTo(354);
        assertThat(one("221\r\n").text()).isEmpty();
    }

    @Test
    void replySplitAcrossReadsAndSeveralInOneRead() {
        assertThat(feed("250-first\r")).isEmpty();
        assertThat(feed("\n250 sec")).isEmpty();
        assertThat(parser.idle()).isFalse();
        List<ReplyParser.Parsed> out = feed("ond\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go\r\n");
        assertThat(out).hasSize(4);
        assertThat(((ReplyParser.Reply) out.get(0)).reply().lines()).containsExactly("first", "second");
        assertThat(((ReplyParser.Reply) out.get(3)).reply().code()).isEqualTo(354);
        assertThat(parser.idle()).isTrue();
    }

    @Test
    void bareLineFeedEndsALineOnTheClientSide() {
        SmtpReply r = one("250-a\n250 b\n");
        assertThat(r.lines()).containsExactly("a", "b");
    }

    @Test
    void malformedLinesAreReportedAndStopTheParser() {
        List<ReplyParser.Parsed> out = feed("250 ok\r\nHTTP/1.1 400 Bad Request\r\n250 never\r\n");
        assertThat(out).hasSize(2);
        assertThat(out.get(1)).isInstanceOf(ReplyParser.Malformed.class);
        assertThat(((ReplyParser.Malformed) out.get(1)).line()).startsWith("HTTP/1.1");
        assertThat(feed("250 more\r\n")).isEmpty();
        assertThat(new ReplyParser(8192).feed(Buffer.buffer("199 too low\r\n")).get(0)).isInstanceOf(ReplyParser.Malformed.class);
        assertThat(new ReplyParser(8192).feed(Buffer.buffer("250x\r\n")).get(0)).isInstanceOf(ReplyParser.Malformed.class);
        assertThat(new ReplyParser(8192).feed(Buffer.buffer("25\r\n")).get(0)).isInstanceOf(ReplyParser.Malformed.class);
    }

    @Test
    void controlCharactersAndCarriageReturnsInsideTextAreMadePrintable() {
        SmtpReply r = one("550 bad\rthing\u0000here\r\n");
        assertThat(r.text()).isEqualTo("bad?thing?here");
    }

    @Test
    void longLinesAndLongRepliesAreTruncatedNotBuffered() {
        ReplyParser p = new ReplyParser(1024);
        String longLine = "250-" + "x".repeat(100_000) + "\r\n";
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 5000; i++) many.append("250-line ").append(i).append("\r\n");
        List<ReplyParser.Parsed> out = new ArrayList<>(p.feed(Buffer.buffer(longLine)));
        out.addAll(p.feed(Buffer.buffer(many.toString())));
        out.addAll(p.feed(Buffer.buffer("250 end\r\n")));
        assertThat(out).hasSize(1);
        SmtpReply r = ((ReplyParser.Reply) out.get(0)).reply();
        assertThat(r.lines().get(0)).hasSize(ReplyParser.LINE_LIMIT - 4);
        assertThat(r.text().length()).isLessThan(1024 + ReplyParser.LINE_LIMIT);
        assertThat(r.lines()).doesNotContain("end"); // dropped past the limit; the reply still ends at the last line
    }

    @Test
    void utf8ReplyText() {
        assertThat(one("550 5.1.1 <δοκιμή@example.test>: unbekannt\r\n").text()).isEqualTo("<δοκιμή@example.test>: unbekannt");
    }
}
