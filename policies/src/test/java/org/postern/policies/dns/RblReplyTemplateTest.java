// RblReplyTemplateTest: expansion of default_rbl_reply-style templates ($name, ${name}, ${name?x},
// ${name:x}, $$), the SMTP reply built from it (code, enhanced status), the expansion filter, and
// load-time diagnostics naming the bad token.
package org.postern.policies.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postern.core.SmtpReply;

class RblReplyTemplateTest {

    private static RblReplyFacts client(String reason) {
        return new RblReplyFacts(554, RblClass.CLIENT, "127.0.0.2", "zen.test", reason,
                "127.0.0.2", "foo.example", null, "helo.example", "sname@sdomain", "rname@rdomain");
    }

    @Test
    void defaultTemplateAsPostfix() {
        RblReplyTemplate t = RblReplyTemplate.defaultTemplate();
        assertThat(t.expand(client("Proxy List Test")))
                .isEqualTo("554 Service unavailable; Client host [127.0.0.2] blocked using zen.test; Proxy List Test");
        assertThat(t.expand(client("")))
                .isEqualTo("554 Service unavailable; Client host [127.0.0.2] blocked using zen.test");
        SmtpReply reply = t.reply(client(""));
        assertThat(reply.code()).isEqualTo(554);
        assertThat(reply.dsn()).isEqualTo("5.7.1");
        assertThat(reply.oneLine()).isEqualTo("554 5.7.1 Service unavailable; Client host [127.0.0.2] blocked using zen.test");
    }

    @Test
    void everyVariable() {
        RblReplyTemplate t = RblReplyTemplate.parse("$rbl_code ${rbl_class}|$(rbl_what)|$rbl_domain|$rbl_reason|$rbl_txt|"
                + "$client|$client_address|$client_name|$reverse_client_name|$helo_name|"
                + "$sender|$sender_name|$sender_domain|$recipient|$recipient_name|$recipient_domain");
        assertThat(t.expand(client("why")))
                .isEqualTo("554 Client host|127.0.0.2|zen.test|why|why|foo.example[127.0.0.2]|127.0.0.2|foo.example|unknown|"
                        + "helo.example|sname@sdomain|sname|sdomain|rname@rdomain|rname|rdomain");
    }

    @Test
    void nullAddressesUnknownNamesAndLaterStages() {
        RblReplyFacts facts = new RblReplyFacts(554, RblClass.SENDER, "", "dbl.test", "", "192.0.2.1", null, null, null,
                "", null);
        RblReplyTemplate t = RblReplyTemplate.parse("$rbl_code $client <$sender> <$sender_name> <$sender_domain> <$recipient> <$helo_name>");
        assertThat(t.expand(facts)).isEqualTo("554 unknown[192.0.2.1] <<>> <<>> <> <> <>");
    }

    @Test
    void conditionalsAndDollarEscape() {
        RblReplyTemplate t = RblReplyTemplate.parse("$rbl_code x${rbl_reason?[$rbl_reason]}${rbl_reason:no reason} costs $$5");
        assertThat(t.expand(client("listed"))).isEqualTo("554 x[listed] costs $5");
        assertThat(t.expand(client(""))).isEqualTo("554 xno reason costs $5");
        RblReplyTemplate braced = RblReplyTemplate.parse("$rbl_code ${rbl_reason?{why: $rbl_reason}:{no reason}}; ${helo_name:{no helo}}");
        assertThat(braced.expand(client("listed"))).isEqualTo("554 why: listed; ");
        assertThat(braced.expand(client("").withHelo(null))).isEqualTo("554 no reason; no helo");
        RblReplyTemplate nested = RblReplyTemplate.parse("$rbl_code ${helo_name?helo ${rbl_reason?and $rbl_reason}}.");
        assertThat(nested.expand(client("r"))).isEqualTo("554 helo and r.");
    }

    @Test
    void valuesAreFilteredAndNeverExpandedAgain() {
        String evil = "costs $rbl_code\r\n250 OK \u00e9\u0000";
        String out = RblReplyTemplate.defaultTemplate().expand(client(evil));
        assertThat(out).endsWith("; costs $rbl_code__250 OK __");
        SmtpReply reply = RblReplyTemplate.defaultTemplate().reply(client(evil));
        assertThat(reply.lines()).hasSize(1);
    }

    @Test
    void replyCodeAndEnhancedStatus() {
        RblReplyFacts facts = client("");
        assertThat(RblReplyTemplate.parse("450 4.7.1 Try later, $client_address").reply(facts).oneLine())
                .isEqualTo("450 4.7.1 Try later, 127.0.0.2");
        assertThat(RblReplyTemplate.parse("$rbl_code 5.7.25 Listed").reply(facts).oneLine())
                .isEqualTo("554 5.7.25 Listed");
        assertThat(RblReplyTemplate.parse("450 5.7.1 Mismatched class").reply(facts).dsn()).isEqualTo("4.7.1");
        assertThat(RblReplyTemplate.parse("$rbl_code").reply(facts).oneLine()).isEqualTo("554 5.7.1 Service unavailable");
        RblReplyFacts soft = new RblReplyFacts(450, RblClass.HELO, "helo.example", "rhsbl.test", "", null, null, null,
                "helo.example", null, null);
        assertThat(RblReplyTemplate.defaultTemplate().reply(soft).oneLine())
                .isEqualTo("450 4.7.1 Service unavailable; Helo command [helo.example] blocked using rhsbl.test");
    }

    @Test
    void factsFromAListedResult() throws Exception {
        DnsblResult listed = DnsblResult.listed("zen.test", "2.0.0.127.zen.test", List.of(InetAddress.getByName("127.0.0.2")), "see url");
        RblReplyFacts facts = RblReplyFacts.of(554, RblClass.CLIENT, "127.0.0.2", listed).withClient("unknown", "127.0.0.2");
        assertThat(RblReplyTemplate.defaultTemplate().reply(facts).oneLine())
                .isEqualTo("554 5.7.1 Service unavailable; Client host [127.0.0.2] blocked using zen.test; see url");
        RblReplyFacts sender = RblReplyFacts.of(554, RblClass.SENDER, "a@spam.example", listed).withSender("a@spam.example")
                .withRecipient("b@example.org").withHelo("h").withReverseClientName("r.example");
        assertThat(RblReplyTemplate.parse("$rbl_code $rbl_class <$sender> to <$recipient> via $helo_name/$reverse_client_name")
                .expand(sender)).isEqualTo("554 Sender address <a@spam.example> to <b@example.org> via h/r.example");
    }

    @Test
    void badTemplatesNameTheToken() {
        assertError("$rbl_code blocked by $rbl_zone", "$rbl_zone", "unknown variable \"$rbl_zone\"");
        assertError("$rbl_code ${rbl_reason?oops", "${rbl_reason?oops", "missing \"}\"");
        assertError("$rbl_code costs $ 5", "$ ", "\"$\" without a variable name");
        assertError("$rbl_code ${rbl_reason!x}", "${rbl_reason!", "expected \"}\"");
        assertError("$rbl_code ${rbl_reason?{x}y}", "${rbl_reason?{x}y}", "missing \"}\"");
        assertError("Service unavailable", "Service", "must begin with the reply code");
        assertError("250 fine", "250", "must begin with the reply code");
        assertError("$client_address blocked", "$client_address", "must begin with the reply code");
    }

    // Found by DnsblSyntaxFuzzTest: each nested ${name?...} was one recursive call; deep nesting overflowed the stack.
    @Test
    void deepNestingIsAnErrorNamingWhereItHappens() {
        String template = "$rbl_code " + "${rbl_reason?".repeat(10_000) + "x" + "}".repeat(10_000);
        assertThatThrownBy(() -> RblReplyTemplate.parse(template))
                .isInstanceOf(DnsblSyntaxException.class)
                .hasMessage("bad RBL reply template \"" + template.substring(0, 200) + "...\": unreasonable macro call"
                        + " nesting (more than 100 levels) at offset " + (10 + 13 * 101))
                .satisfies(e -> assertThat(((DnsblSyntaxException) e).token()).isEqualTo("${rbl_reason?${rbl_r"));
        String deepest = "$rbl_code " + "${rbl_reason?".repeat(100) + "x" + "}".repeat(100);
        assertThat(RblReplyTemplate.parse(deepest).expand(client("y"))).isEqualTo("554 x");
    }

    // Found by DnsblSyntaxFuzzTest: a control character of the template's own text (main.cf allows a CR
    // inside a line) made SmtpReply throw when a client was rejected.
    @Test
    void controlCharactersOfTheTemplateBecomeSpacesInTheReply() {
        RblReplyTemplate t = RblReplyTemplate.parse("$rbl_code 5.7.1 blocked\rhere\u0000by $rbl_domain\ttab");
        assertThat(t.reply(client(""))).isEqualTo(SmtpReply.of(554, "5.7.1", "blocked here by zen.test\ttab"));
    }

    private static void assertError(String template, String token, String message) {
        assertThatThrownBy(() -> RblReplyTemplate.parse(template))
                .isInstanceOf(DnsblSyntaxException.class)
                .hasMessageContaining(message)
                .hasMessageContaining(template)
                .satisfies(e -> assertThat(((DnsblSyntaxException) e).token()).isEqualTo(token));
    }

    @Test
    void codeMustBe4xxOr5xx() {
        assertThatThrownBy(() -> new RblReplyFacts(250, RblClass.CLIENT, "", "z", "", null, null, null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
