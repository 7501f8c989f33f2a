// DnsblSyntaxFuzzTest: fuzzes the DNSBL syntax postmasters write in main.cf and rbl_reply_maps --
// DnsblQuery.parse ("zone=127.0.0.[2..11]"), DnsblFilter.parse and RblReplyTemplate.parse -- with
// generated, mutated and deeply nested input, then uses what parsed. Oracle: a value, or a
// DnsblSyntaxException naming its token; expansion always yields a valid SMTP reply; no hang.
package org.postern.policies.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postern.core.SmtpReply;
import org.postern.policies.Fuzz;

class DnsblSyntaxFuzzTest {
    private static final Duration LIMIT = Duration.ofSeconds(2);
    private static final List<String> SITE_WORDS = List.of("=", ".", "..", "[", "]", ";", "127", "0", "255", "256",
            "[2..11]", "[0;1]", "[5..2]", "zen.example.org", "-", "_", "\u00e9", "999", "1.2.3.4", "[]", "[;]", "[..]");
    private static final List<String> TEMPLATE_WORDS = List.of("$", "$$", "${", "$(", "}", ")", "?", ":", "{", "$rbl_code",
            "${rbl_reason?; $rbl_reason}", "${rbl_reason?{a}:{b}}", "$client", "$bogus", "554", "450", "5.7.1", "4.7.1",
            "2.0.0", "\r", "\n", "\t", "\u00e9", "${rbl_code?", "${sender_domain:{none}}");
    private static final List<String> VARIABLES = List.of("rbl_code", "rbl_class", "rbl_what", "rbl_domain",
            "rbl_reason", "rbl_txt", "client", "client_address", "client_name", "reverse_client_name", "helo_name",
            "sender", "sender_name", "sender_domain", "recipient", "recipient_name", "recipient_domain", "bogus", "",
            "RBL_CODE", "rbl_code2");

    @Test
    void sites() {
        Fuzz.run("dnsbl-sites", 0xD5B1L, 3000, LIMIT, f -> {
            String site = f.chance(0.5) ? site(f) : f.mutate(site(f), SITE_WORDS);
            f.note("site", site);
            DnsblQuery q;
            try {
                q = DnsblQuery.parse(site);
            } catch (DnsblSyntaxException e) {
                named(f, e);
                f.count("refused");
                return;
            }
            f.count("parsed");
            assertThat(q.zone()).isNotEmpty();
            assertThat(DnsblQuery.parse(q.toString())).isEqualTo(q); // prints as it parses
            for (String a : List.of("127.0.0.2", "127.0.1.255", "0.0.0.0", "255.255.255.255", "::1")) {
                q.filter().matches(InetAddress.getByName(a));
            }
            q.addressQueryName(InetAddress.getByName(f.pick("192.0.2.1", "2001:db8::1", "::ffff:1.2.3.4")));
            for (int i = 0; i < 3; i++) q.domainQueryName(f.pick("example.com", "user@example.com", "", "@", "[1.2.3.4]",
                    ".", "a..b", "x".repeat(300), f.text(30)));
        });
    }

    @Test
    void templates() {
        Fuzz.run("rbl-templates", 0xD5B2L, 3000, LIMIT, f -> {
            String text = f.chance(0.5) ? template(f, 3) : f.mutate(template(f, 2), TEMPLATE_WORDS);
            f.note("template", text);
            RblReplyTemplate t;
            try {
                t = RblReplyTemplate.parse(text);
            } catch (DnsblSyntaxException e) {
                named(f, e);
                f.count("refused");
                return;
            }
            f.count("parsed");
            for (int i = 0; i < 3; i++) {
                RblReplyFacts facts = new RblReplyFacts(f.pick(554, 450, 421, 599, 400), f.pick(RblClass.values()),
                        f.text(20), f.pick("zen.example", "bl.example"), f.chance(0.5) ? null : f.text(40),
                        f.chance(0.3) ? null : f.pick("192.0.2.1", "::1"), f.chance(0.3) ? null : f.text(15),
                        f.chance(0.3) ? null : f.text(15), f.chance(0.3) ? null : f.text(15),
                        f.chance(0.3) ? null : f.pick("", "a@b", "x", "a@b@c", f.text(15)),
                        f.chance(0.3) ? null : f.pick("", "c@d", f.text(15)));
                SmtpReply reply = t.reply(facts);
                assertThat(reply.render()).endsWith("\r\n");
                assertThat(t.expand(facts)).isNotNull();
            }
        });
    }

    @Test
    void adversarial() {
        for (int n : new int[] {100, 10_000, 100_000}) {
            for (String text : List.of("$rbl_code " + "${rbl_reason?".repeat(n) + "x" + "}".repeat(n),
                    "$rbl_code " + "${rbl_reason?{".repeat(n) + "x" + "}}".repeat(n),
                    "$rbl_code " + "${rbl_reason?{a}:{".repeat(n), "$rbl_code " + "$".repeat(n),
                    "$rbl_code " + "$rbl_reason".repeat(n), "554" + "x".repeat(n), "$rbl_code " + "${".repeat(n),
                    "$rbl_code ${" + "a".repeat(n) + "}")) {
                Fuzz.check("template " + text, LIMIT, f -> {
                    try {
                        RblReplyTemplate.parse(text).reply(RblReplyFacts.of(554, RblClass.CLIENT, "192.0.2.1",
                                DnsblResult.listed("bl.example", "q", List.of(), "reason")));
                    } catch (DnsblSyntaxException e) {
                        named(f, e);
                    }
                });
            }
            for (String site : List.of("bl.example=" + "[".repeat(n), "bl.example=127.0.0.[" + "1;".repeat(n) + "2]",
                    "a.".repeat(n) + "example", "bl.example=" + "1".repeat(n), "bl.example=127.0.0." + "[0..255]".repeat(n))) {
                Fuzz.check("site " + site, LIMIT, f -> {
                    try {
                        DnsblQuery.parse(site);
                    } catch (DnsblSyntaxException e) {
                        named(f, e);
                    }
                });
            }
        }
    }

    /** The exception names a token that its message shows, and nothing internal leaks. */
    private static void named(Fuzz f, DnsblSyntaxException e) {
        assertThat(e.token()).as("token of: %s", e.getMessage()).isNotNull();
        if (!e.getMessage().contains(e.token())) fail("message does not show its token \"" + e.token() + "\": " + e.getMessage());
        String bad = f.badMessage(e.getMessage());
        if (bad != null) fail(bad);
    }

    // ---- generation ----

    static String site(Fuzz f) {
        boolean sloppy = f.chance(0.4);
        String zone = sloppy ? f.pick("zen.example.org", "bl.example", "dnsbl.example.", "a-b.example", "x_y.example", "",
                ".", "EXAMPLE.ORG", "bl..example", "-x.example", "a".repeat(64) + ".example", "\u00e9.example",
                "x.".repeat(130), "bl example", f.text(12))
                : f.pick("zen.example.org", "bl.example", "dnsbl.example.", "a-b.example", "x_y.example", "EXAMPLE.ORG");
        if (f.chance(0.4)) return zone;
        StringBuilder filter = new StringBuilder();
        int octets = !sloppy || f.chance(0.9) ? 4 : f.between(0, 6);
        for (int i = 0; i < octets; i++) {
            if (i > 0) filter.append(!sloppy || f.chance(0.97) ? "." : f.pick(",", "..", ""));
            if (f.chance(0.6)) {
                filter.append(sloppy ? f.pick("127", "0", "2", "255", "256", "", "01", "1000", "x", "-1", "\u0663")
                        : f.pick("127", "0", "2", "255", "10"));
            } else {
                filter.append('[');
                int items = sloppy ? f.between(0, 4) : f.between(1, 4);
                for (int k = 0; k < items; k++) {
                    if (k > 0) filter.append(!sloppy || f.chance(0.95) ? ";" : ",");
                    filter.append(f.chance(0.5) ? f.pick("2", "11", "0", "255", sloppy ? "300" : "3")
                            : sloppy ? f.pick("2", "0", "10", "") + ".." + f.pick("11", "255", "1", "", "300")
                            : f.pick("2", "0") + ".." + f.pick("11", "255"));
                }
                if (!sloppy || f.chance(0.95)) filter.append(']');
            }
        }
        return zone + (sloppy ? f.pick("=", "=", "==", "= ") : "=") + filter;
    }

    static String template(Fuzz f, int depth) {
        return template(f, depth, f.chance(0.3), true);
    }

    private static String template(Fuzz f, int depth, boolean sloppy, boolean head) {
        StringBuilder sb = new StringBuilder(!head ? "" : sloppy ? f.pick("$rbl_code", "${rbl_code}", "$(rbl_code)",
                "554", "450", "554 5.7.1", "$rbl_code 4.7.1", "$rbl_code 2.0.0", "", "blocked", "$rbl_what", "5544",
                "$rbl_codex") : f.pick("$rbl_code", "${rbl_code}", "$(rbl_code)", "554", "450", "554 5.7.1",
                "$rbl_code 4.7.1", "$rbl_code 2.0.0"));
        int n = f.between(0, 6);
        for (int i = 0; i < n; i++) {
            sb.append(sloppy ? f.pick(" ", "", "; ", "[", "]") : f.pick(" ", "; ", " [", "] "));
            int r = f.nextInt(10);
            String v = sloppy ? f.pick(VARIABLES) : f.pick(VARIABLES.subList(0, 17));
            if (r < 4) {
                sb.append(f.pick("$" + v, "${" + v + "}", "$(" + v + ")"));
            } else if (r < 7 && depth > 0) {
                String open = f.pick("{", "(");
                String close = open.equals("{") ? "}" : ")";
                sb.append('$').append(open).append(v).append(f.pick("?", ":"));
                if (f.chance(0.5)) {
                    sb.append('{').append(template(f, depth - 1, sloppy, false)).append('}')
                            .append(f.chance(0.3) ? ":{" + template(f, depth - 1, sloppy, false) + "}" : "");
                } else {
                    sb.append(f.pick("; $rbl_reason", " text", "", "$$", "[$client_address]", sloppy ? "${" : " x"));
                }
                if (!sloppy || f.chance(0.95)) sb.append(close);
            } else if (r < 9 || !sloppy) {
                sb.append(f.pick("Service unavailable", "blocked using", "$$", "see http://x/?ip=$client_address",
                        "\u00e9", "\t", "%s", "\\"));
            } else {
                sb.append(f.text(15));
            }
        }
        return sb.toString();
    }
}
