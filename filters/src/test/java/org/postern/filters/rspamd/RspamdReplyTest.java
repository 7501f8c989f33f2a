// RspamdReplyTest: RspamdReply on replies as Debian's rspamd 3.4 sends them (GTUBE pre-result, clean
// mail with the milter block) and on every form of the milter add/remove blocks; garbage is refused.
// Unit test (surefire); no network.
package org.postern.filters.rspamd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postern.filters.HeaderEdit;
import org.postern.filters.HeaderEdit.Op;
import org.postern.filters.SpamReport;

class RspamdReplyTest {
    private static RspamdReply parse(String json) {
        return RspamdReply.parse(Buffer.buffer(json));
    }

    @Test
    void gtubeReplyOfRspamd34() {
        RspamdReply r = parse("""
                {"is_skipped":true,"score":15.0,"required_score":15.0,"action":"reject",
                 "symbols":{"GTUBE":{"name":"GTUBE","score":0.0,"metric_score":0.0}},
                 "messages":{"smtp_message":"Gtube pattern"},"message-id":"1@example.org","time_real":0.061794}""");
        assertThat(r.report()).isEqualTo(new SpamReport(15.0, 15.0, "reject",
                List.of(new SpamReport.Symbol("GTUBE", 0.0, List.of())), null));
        assertThat(r.headerEdits()).isEmpty();
    }

    @Test
    void cleanReplyWithDescriptionsAndTheMilterBlock() {
        RspamdReply r = parse("""
                {"is_skipped":false,"score":3.1,"required_score":15.0,"action":"no action",
                 "symbols":{
                   "TO_DN_ALL":{"name":"TO_DN_ALL","score":0.0,"metric_score":0.0,"description":"All the recipients"},
                   "INVALID_POSTFIX_RECEIVED":{"name":"INVALID_POSTFIX_RECEIVED","score":3.0,"metric_score":3.0},
                   "RCVD_COUNT_ONE":{"name":"RCVD_COUNT_ONE","score":0.0,"options":["1"]},
                   "RCVD_NO_TLS_LAST":{"name":"RCVD_NO_TLS_LAST","score":0.1},
                   "BAYES_HAM":{"name":"BAYES_HAM","score":-3.0,"options":["99.99%"]}},
                 "messages":{},"message-id":"20261121100000.1@example.org","time_real":0.063612,
                 "milter":{"remove_headers":{"X-Spam":0}}}""");
        SpamReport s = r.report();
        assertThat(s.score()).isEqualTo(3.1);
        assertThat(s.required()).isEqualTo(15.0);
        assertThat(s.action()).isEqualTo("no action");
        assertThat(s.symbols()).extracting(SpamReport.Symbol::name).containsExactly(
                "INVALID_POSTFIX_RECEIVED", "RCVD_NO_TLS_LAST", "RCVD_COUNT_ONE", "TO_DN_ALL", "BAYES_HAM");
        assertThat(s.symbols().get(2).options()).containsExactly("1");
        assertThat(r.headerEdits()).containsExactly(new HeaderEdit(Op.REMOVE, "X-Spam", "", 0));
    }

    @Test
    void rewriteSubjectCarriesTheNewSubject() {
        RspamdReply r = parse("""
                {"score":8,"required_score":15,"action":"rewrite subject","subject":"***SPAM*** Hello"}""");
        assertThat(r.report().action()).isEqualTo("rewrite subject");
        assertThat(r.report().subject()).isEqualTo("***SPAM*** Hello");
        assertThat(r.report().score()).isEqualTo(8.0);
    }

    @Test
    void addHeadersInEveryFormRspamdUses() {
        RspamdReply r = parse("""
                {"score":1,"required_score":15,"action":"no action","milter":{
                  "add_headers":{
                    "X-Spamd-Result":{"value":"default: False [1.00 / 15.00]","order":0},
                    "X-Rspamd-Queue-Id":{"value":"3F2A61C0A1B","order":-1},
                    "X-Spam-Level":{"value":"*"},
                    "Authentication-Results":[{"value":"mx; spf=pass","order":1},{"value":"mx; dkim=none","order":2}],
                    "X-Plain":"bare string",
                    "X-Broken":{"order":1},
                    "X-Number":42},
                  "remove_headers":{"X-Spamd-Result":0,"X-Rspamd-Queue-Id":1,"DKIM-Signature":-1,"X-Bad":"x"},
                  "change_from":"other@example.org","add_rcpt":["x@example.org"],"no_action":true}}""");
        assertThat(r.headerEdits()).containsExactly(
                new HeaderEdit(Op.REMOVE, "X-Spamd-Result", "", 0),
                new HeaderEdit(Op.REMOVE, "X-Rspamd-Queue-Id", "", 1),
                new HeaderEdit(Op.ADD, "X-Spamd-Result", "default: False [1.00 / 15.00]", 0),
                new HeaderEdit(Op.ADD, "X-Rspamd-Queue-Id", "3F2A61C0A1B", RspamdReply.APPEND),
                new HeaderEdit(Op.ADD, "X-Spam-Level", "*", RspamdReply.APPEND),
                new HeaderEdit(Op.ADD, "Authentication-Results", "mx; spf=pass", 1),
                new HeaderEdit(Op.ADD, "Authentication-Results", "mx; dkim=none", 2),
                new HeaderEdit(Op.ADD, "X-Plain", "bare string", RspamdReply.APPEND));
    }

    @Test
    void foldedHeaderValuesAreKeptAsSent() {
        RspamdReply r = parse("""
                {"score":1,"action":"no action","milter":{"add_headers":{
                  "X-Spamd-Result":{"value":"default: False [1.00 / 15.00];\\r\\n\\tR_A(1.00)[]","order":0}}}}""");
        assertThat(r.headerEdits().get(0).value()).isEqualTo("default: False [1.00 / 15.00];\r\n\tR_A(1.00)[]");
    }

    @Test
    void missingRequiredScoreIsNaNAndSymbolsAndMilterAreOptional() {
        RspamdReply r = parse("{\"score\":-0.5,\"action\":\"no action\",\"unknown\":{\"deep\":[1,2,3]}}");
        assertThat(r.report().required()).isNaN();
        assertThat(r.report().score()).isEqualTo(-0.5);
        assertThat(r.report().symbols()).isEmpty();
        assertThat(r.headerEdits()).isEmpty();
    }

    @Test
    void optionsThatAreNotStringsAreKeptAsText() {
        RspamdReply r = parse("""
                {"score":1,"action":"no action","symbols":{"S":{"score":1,"options":[1,2.5,true,"t"]},"N":{}}}""");
        assertThat(r.report().symbols()).containsExactly(
                new SpamReport.Symbol("S", 1.0, List.of("1", "2.5", "true", "t")),
                new SpamReport.Symbol("N", 0.0, List.of()));
    }

    @Test
    void equalScoresAreOrderedByName() {
        RspamdReply r = parse("""
                {"score":0,"action":"no action","symbols":{"B":{"score":0},"A":{"score":0},"C":{"score":0.1}}}""");
        assertThat(r.report().symbols()).extracting(SpamReport.Symbol::name).containsExactly("C", "A", "B");
    }

    @Test
    void garbageIsRefusedWithTheReason() {
        assertThatThrownBy(() -> parse("")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> parse("<html>502 Bad Gateway</html>")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> parse("[]")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> parse("{\"score\":1")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> parse("{}")).hasMessageContaining("no score");
        assertThatThrownBy(() -> parse("{\"score\":null,\"action\":\"reject\"}")).hasMessageContaining("no score");
        assertThatThrownBy(() -> parse("{\"score\":1}")).hasMessageContaining("no action");
        assertThatThrownBy(() -> parse("{\"score\":1,\"action\":5}")).hasMessageContaining("no action");
        assertThatThrownBy(() -> parse("{\"score\":true,\"action\":\"reject\"}")).hasMessageContaining("score");
        assertThatThrownBy(() -> parse("{\"score\":1,\"action\":\"reject\",\"required_score\":\"15\"}"))
                .hasMessageContaining("required_score");
        assertThatThrownBy(() -> parse("{\"score\":1,\"action\":\"reject\",\"subject\":[]}"))
                .hasMessageContaining("subject");
        assertThatThrownBy(() -> parse("{\"score\":1,\"action\":\"reject\",\"symbols\":{\"A\":1}}"))
                .hasMessageContaining("symbols.A");
        assertThatThrownBy(() -> parse("{\"score\":1,\"action\":\"reject\",\"symbols\":{\"A\":{\"options\":\"x\"}}}"))
                .hasMessageContaining("symbols.A.options");
    }

    @Test
    void snippetsAreShortAndPrintable() {
        assertThat(RspamdReply.snippet("a\r\nb\u0000c")).isEqualTo("a??b?c");
        assertThat(RspamdReply.snippet("x".repeat(500))).hasSize(203).endsWith("...");
    }
}
