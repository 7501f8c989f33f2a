// HeaderAddressesTest: the address-list parser behind header address rewriting -- which addr-specs it
// finds where (display names, comments, groups, routes, folding), which values it refuses, and a fuzz
// run over random and mutated headers: it never throws and what it reports is always consistent.
package org.postern.gateway.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HeaderAddressesTest {
    /** The addresses found, or null when the value is refused. */
    private static List<String> addresses(String value) {
        return HeaderAddresses.parse(value).map(l -> l.stream().map(HeaderAddresses.Found::address).toList())
                .orElse(null);
    }

    /** The octets each address was found at. */
    private static List<String> spans(String value) {
        return HeaderAddresses.parse(value).orElseThrow().stream().map(f -> value.substring(f.start(), f.end()))
                .toList();
    }

    @Test
    void plainAndNamedAddresses() {
        assertThat(addresses(" joe@old.test")).containsExactly("joe@old.test");
        assertThat(addresses(" Joe <joe@old.test>, \"A, B\" <x@olddom.test>,c@x.test"))
                .containsExactly("joe@old.test", "x@olddom.test", "c@x.test");
        assertThat(addresses(" =?UTF-8?Q?J=C3=B6rg?= <joe@old.test>")).containsExactly("joe@old.test");
        assertThat(addresses(" Johnny B. Goode <joe@old.test>")).containsExactly("joe@old.test");
        assertThat(addresses(" <joe@old.test>")).containsExactly("joe@old.test");
    }

    @Test
    void bareUserNamesAreAddressesToo() {
        assertThat(addresses(" joe")).containsExactly("joe");
        assertThat(addresses(" joe, Ann <ann>")).containsExactly("joe", "ann");
    }

    @Test
    void whiteSpaceAndFoldingInsideAnAddressAreDropped() {
        assertThat(addresses(" joe @ old.test")).containsExactly("joe@old.test");
        assertThat(spans(" joe @ old.test")).containsExactly("joe @ old.test");
        assertThat(addresses("\r\n joe@old.test,\r\n\tann@x.test")).containsExactly("joe@old.test", "ann@x.test");
        assertThat(addresses(" joe@OLD.test.")).containsExactly("joe@OLD.test.");
    }

    @Test
    void commentsStayOutsideTheSpan() {
        String v = " joe@old.test (Joe (the) Bloggs), (c) ann@x.test";
        assertThat(addresses(v)).containsExactly("joe@old.test", "ann@x.test");
        assertThat(spans(v)).containsExactly("joe@old.test", "ann@x.test");
    }

    @Test
    void anAddressWithACommentInsideIsLeftOut() {
        assertThat(addresses(" joe(x)@old.test, ann@x.test")).containsExactly("ann@x.test");
    }

    @Test
    void quotedLocalParts() {
        assertThat(addresses(" \"joe\"@old.test")).containsExactly("joe@old.test"); // needs no quotes
        assertThat(addresses(" \"joe smith\"@old.test")).containsExactly("\"joe smith\"@old.test");
        assertThat(addresses(" \"a@b\"@old.test")).containsExactly("\"a@b\"@old.test");
        assertThat(addresses(" \"j\\\"q\"@old.test")).containsExactly("\"j\\\"q\"@old.test");
    }

    @Test
    void groups() {
        assertThat(addresses(" undisclosed-recipients:;")).isEmpty();
        assertThat(addresses(" team: a@x.test, B <b@x.test>;, c@x.test"))
                .containsExactly("a@x.test", "b@x.test", "c@x.test");
        assertThat(addresses(" team: ;")).isEmpty();
    }

    @Test
    void domainLiteralsAndRoutes() {
        assertThat(addresses(" joe@[192.0.2.1]")).containsExactly("joe@[192.0.2.1]");
        String routed = " <@r1.test,@r2.test:joe@old.test>";
        List<HeaderAddresses.Found> f = HeaderAddresses.parse(routed).orElseThrow();
        assertThat(f).singleElement().satisfies(a -> {
            assertThat(a.address()).isEqualTo("joe@old.test");
            assertThat(a.routed()).isTrue();
            assertThat(routed.substring(a.start(), a.end())).isEqualTo("@r1.test,@r2.test:joe@old.test");
        });
    }

    @Test
    void emptyAngleAndEmptyElements() {
        assertThat(addresses(" <>")).isEmpty();
        assertThat(addresses("")).isEmpty();
        assertThat(addresses(" , a@x.test, , b@x.test,")).containsExactly("a@x.test", "b@x.test");
    }

    @Test
    void eightBitOctetsAreWordText() {
        String utf8 = new String("Jörg <jörg@bücher.test>".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(HeaderAddresses.parse(" " + utf8)).isPresent().get().asList().hasSize(1);
    }

    @Test
    void whatItCannotReadIsRefused() {
        for (String v : new String[] {" \"unterminated joe@old.test", " (comment joe@old.test", " joe@old.test <",
                " <joe@old.test", " joe@old.test>", " a@b@c.test", " @old.test", " joe@", " Joe <joe@old.test> x@y.test",
                " a: b: c@x.test;;", " team: a@x.test", " joe@old.test;", " joe\\@old.test", " joe@[1.2[3]",
                " x@y.test\u0001", " <a@b.test> <c@d.test>", " Joe joe@old.test", " a@x.test)"}) {
            assertThat(HeaderAddresses.parse(v)).as(v).isEmpty();
        }
    }

    /** Random and mutated values: no exception, and every reported span is sane. */
    @Test
    void fuzzNeverThrowsAndReportsConsistentSpans() {
        Random random = new Random(20261122L);
        String[] seeds = {" Joe <joe@old.test>, \"A B\" <x@olddom.test>, c@x.test",
                " team: a@x.test, B <b@x.test>;, undisclosed-recipients:;", " joe@old.test (Joe (the) Bloggs)",
                " <@r1,@r2:joe@old.test>", " \"j\\\"q\"@[192.0.2.1]", "\r\n joe@old.test,\r\n\tann"};
        String alphabet = "ab@.,;:<>()[]\"\\ \t\r\nxyz\u00e9\u0000\u007f=?-";
        int parsed = 0;
        for (int round = 0; round < 50_000; round++) {
            String v;
            if (round % 2 == 0) {
                StringBuilder sb = new StringBuilder();
                int len = random.nextInt(40);
                for (int i = 0; i < len; i++) sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
                v = sb.toString();
            } else {
                StringBuilder sb = new StringBuilder(seeds[random.nextInt(seeds.length)]);
                int edits = 1 + random.nextInt(4);
                for (int e = 0; e < edits && sb.length() > 0; e++) {
                    int at = random.nextInt(sb.length());
                    switch (random.nextInt(3)) {
                        case 0 -> sb.deleteCharAt(at);
                        case 1 -> sb.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                        default -> sb.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    }
                }
                v = sb.toString();
            }
            Optional<List<HeaderAddresses.Found>> r = HeaderAddresses.parse(v);
            if (r.isEmpty()) continue;
            parsed++;
            int last = 0;
            for (HeaderAddresses.Found f : r.get()) {
                assertThat(f.start()).as(v).isGreaterThanOrEqualTo(last);
                assertThat(f.end()).as(v).isGreaterThan(f.start()).isLessThanOrEqualTo(v.length());
                assertThat(f.address()).as(v).isNotEmpty();
                if (!f.address().contains("\"")) {
                    assertThat(f.address()).as(v).doesNotContain(" ", "\t", "\r", "\n", "(", ")");
                    String span = v.substring(f.start(), f.end()).replaceAll("[ \t\r\n]", "");
                    if (!f.routed() && !span.contains("\"")) assertThat(f.address()).as(v).isEqualTo(span);
                }
                last = f.end();
            }
        }
        assertThat(parsed).as("the mutated seeds must still parse often").isGreaterThan(5_000);
    }
}
