// AddressListTest: the right-hand side of canonical(5)/virtual(5) entries split into addresses as
// Postfix's mail_addr_crunch() does: commas, white space, "Name <addr>", (comments), quoted strings.
package org.postern.gateway.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AddressListTest {
    @Test
    void commasAndWhiteSpaceSeparate() {
        assertThat(AddressList.parse("a@x.test, b@x.test,c@x.test")).containsExactly("a@x.test", "b@x.test", "c@x.test");
        assertThat(AddressList.parse("a@x.test b@x.test\tc")).containsExactly("a@x.test", "b@x.test", "c");
        assertThat(AddressList.parse("@other.test")).containsExactly("@other.test");
    }

    @Test
    void phrasesCommentsAndQuotes() {
        assertThat(AddressList.parse("Some Name <an1@x.test>, (comment, with comma) an2@x.test"))
                .containsExactly("an1@x.test", "an2@x.test");
        assertThat(AddressList.parse("\"john doe\"@x.test, \"a,b\"@x.test")).containsExactly("\"john doe\"@x.test",
                "\"a,b\"@x.test");
        assertThat(AddressList.parse("\"Doe, John\" <jd@x.test>")).containsExactly("jd@x.test");
    }

    @Test
    void nothingAddressLike() {
        assertThat(AddressList.parse("(nothing here)")).isEmpty();
        assertThat(AddressList.parse(" , ")).isEmpty();
        assertThat(AddressList.parse("<>")).isEmpty();
    }
}
