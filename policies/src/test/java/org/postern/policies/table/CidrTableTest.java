// CidrTableTest: cidr: tables -- the cidr_table(5) manual's example, IPv6, [] forms, ! negation,
// nested if/endif (another address family skips a block), keys that are not addresses, and every
// refused rule with Postfix's wording at file:line.
package org.postern.policies.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postern.policies.table.TableFixtures.at;
import static org.postern.policies.table.TableFixtures.failure;
import static org.postern.policies.table.TableFixtures.table;
import static org.postern.policies.table.TableFixtures.value;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.postern.policies.conf.ConfigException;

class CidrTableTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = ';', nullValues = "NONE", textBlock = """
            192.168.1.1        ; OK
            192.168.2.3        ; REJECT
            2001:db8::1        ; OK
            2001:DB8:0:0::2    ; REJECT
            2001:0db8::1       ; OK
            10.1.2.3           ; inner
            10.2.2.2           ; any IPv4
            10.3.0.1           ; not in 10.2
            2001:db9::5        ; bracketed
            ::ffff:172.16.1.1  ; IPv4-mapped
            fe80::1            ; link-local host
            fe80::2            ; link-local
            172.16.5.5         ; private
            8.8.8.8            ; any IPv4
            ::1                ; NONE
            not-an-ip          ; NONE
            192.168.001.1      ; NONE
            [192.168.1.1]      ; NONE
            192.168.1.1/32     ; NONE
            """)
    void manualExampleAndMore(String key, String expected) throws Exception {
        LookupTable t = TableFixtures.open(TableFixtures.fixture("cidr").getParent(), "cidr:cidr");
        assertThat(value(t, key)).isEqualTo(expected);
        assertThat(t.isPattern()).isTrue();
    }

    @Test
    void matchCarriesTheRuleLineAndValueKeepsInnerSpaces() throws Exception {
        LookupTable t = table(dir, "cidr", "# c\n1.2.3.0/24\tREJECT  too   many\n");
        TableEntry e = t.find("1.2.3.4").orElseThrow();
        assertThat(e.value()).isEqualTo("REJECT  too   many");
        assertThat(e.origin().toString()).isEqualTo(at(dir, 2));
    }

    @Test
    void negationAndIfSyntaxVariants() throws Exception {
        LookupTable t = table(dir, "cidr", """
                !!2.0.0.0/8   two
                if!10.0.0.0/8
                ! 1.0.0.0/8   not-one
                endif
                if  !  11.0.0.0/8
                endif
                """);
        assertThat(value(t, "2.2.2.2")).isEqualTo("two");
        assertThat(value(t, "3.3.3.3")).isEqualTo("not-one");
        assertThat(value(t, "1.2.3.4")).isNull();
        assertThat(value(t, "10.0.0.1")).isNull();
    }

    @Test
    void zeroPrefixMatchesTheWholeFamily() throws Exception {
        LookupTable t = table(dir, "cidr", "::/0 v6\n0.0.0.0/0 v4\n");
        assertThat(value(t, "::1")).isEqualTo("v6");
        assertThat(value(t, "255.255.255.255")).isEqualTo("v4");
    }

    @Test
    void inlineRulesInMainCf() throws Exception {
        LookupTable t = TableFixtures.open(dir, "cidr:{ {1.2.3.0/24 ok here}, {if 1.2.0.0/16}, {1.2.3.4 inner}, {endif} }");
        assertThat(value(t, "1.2.3.4")).isEqualTo("ok here");
        assertThat(t.find("1.2.3.4").orElseThrow().origin()).isEqualTo(TableFixtures.MAIN_CF);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', quoteCharacter = '`', textBlock = """
            10.0.0.1/8 hostbits      ; non-null host address bits in "10.0.0.1/8", perhaps you should use "10.0.0.0/8" instead
            2001:db8::1/32 x         ; non-null host address bits in "2001:db8::1/32", perhaps you should use "2001:db8::/32" instead
            10.0.0.0/33 badlen       ; bad mask length in "10.0.0.0/33"
            10.0.0.0/x badmask       ; bad mask value in "10.0.0.0/x"
            1.2.3.4/ empty           ; bad mask value in "1.2.3.4/"
            010.0.0.1 zeros          ; bad address pattern: "010.0.0.1"
            foo bar                  ; bad address pattern: "foo"
            10.1.2.3                 ; no lookup result after "10.1.2.3"
            [1.2.3.4 x               ; missing ']' character after "[1.2.3.4"
            [1.2.3.4]x y             ; garbage after "[1.2.3.4]"
            if 1.2.3.0/24 extra      ; bad mask value in "1.2.3.0/24 extra"
            if                       ; no address pattern after if
            endif                    ; endif without matching if
            IF10.0.0.0/8 z           ; bad network value in "IF10.0.0.0/8"
            ::\u0663 arabic3         ; bad address pattern: "::\u0663"
            """)
    void refusedRulesSayWhatPostfixSays(String rule, String message) {
        ConfigException e = failure(dir, "cidr", "1.1.1.1 fine\n" + rule + "\n");
        assertThat(e.errors()).hasSize(1);
        assertThat(e.errors().get(0).origin().toString()).isEqualTo(at(dir, 2));
        assertThat(e.errors().get(0).message()).isEqualTo("cidr table: " + message);
    }

    @Test
    void ifBlocksMustBeClosedAndEndifMustStandAlone() {
        ConfigException e = failure(dir, "cidr", "if 10.0.0.0/8\n10.0.0.1 a\nendif extra\n");
        assertThat(e.errors()).extracting(d -> d.origin().line() + ": " + d.message()).containsExactly(
                "1: cidr table: if has no matching endif",
                "3: cidr table: garbage after endif: \"extra\" (a line that starts with whitespace continues the line"
                        + " before it)");
    }
}
