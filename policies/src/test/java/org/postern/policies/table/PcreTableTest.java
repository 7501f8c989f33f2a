// PcreTableTest: pcre: tables -- the fixture's PCRE-only syntax (named groups, \K, (?#), {,n},
// \g{-n}, flags s x U A), if/endif and $n, the ignored X flag, and refused rules at file:line.
package org.postern.policies.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postern.policies.table.TableFixtures.at;
import static org.postern.policies.table.TableFixtures.failure;
import static org.postern.policies.table.TableFixtures.value;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.Diagnostic;

class PcreTableTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = ';', nullValues = "NONE", textBlock = """
            joe@example.com          ; OK local=joe
            joe@mail.example.com     ; OK local=joe
            a.exe                    ; REJECT executable
            Subject: buy VIAGRA now  ; REJECT exact case
            Subject: buy viagra now  ; NONE
            john.smith@example.org   ; first=john last=smith
            ABC-                     ; hex and octal
            abc-                     ; hex and octal
            a{,3}b                   ; literal brace
            xy                       ; K is dropped
            commented                ; comment
            aaaz                     ; lazy=a rest=aa
            aaay                     ; ungreedy=aaa rest=
            555-1234                 ; phone
            qsq                      ; rel=q opt=
            qrsq                     ; rel=q opt=r
            dotXall                  ; dot
            no.dot                   ; no dotall
            spaced out               ; extended
            spacedout                ; NONE
            ABC9                     ; upper case or digits
            abc9                     ; NONE
            café                     ; non-ASCII or control
            plain                    ; NONE
            """)
    void fixture(String key, String expected) throws Exception {
        assertThat(value(fixtureTable(), key)).isEqualTo(expected);
    }

    @Test
    void newlinesInKeysFollowTheDotallFlag() throws Exception {
        assertThat(value(fixtureTable(), "dot\nall")).isEqualTo("dot");
        assertThat(value(fixtureTable(), "no\ndot")).isEqualTo("non-ASCII or control");
    }

    @Test
    void obsoleteFlagXIsIgnoredWithAWarning() throws Exception {
        TableFixtures.write(dir, "table", "/a/X hit\n");
        Tables tables = new Tables(dir);
        assertThat(value(tables.open("pcre:table", TableFixtures.MAIN_CF), "a")).isEqualTo("hit");
        assertThat(tables.warnings()).extracting(Diagnostic::toString)
                .containsExactly(at(dir, 1) + ": warning: pcre table: ignoring obsolete regexp option \"X\" in /a/X");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', quoteCharacter = '`', textBlock = """
            /a/Z x              ; unknown regexp option "Z" in /a/Z
            /a/!/b/ x           ; unknown regexp option "!" in /a/!/b/
            /(a)/ $2            ; out of range replacement index "$2": /(a)/ has 1 () group
            /(?|(a)|(b))/ x     ; branch reset group (?|...) is not supported by Java
            /a(?R)/ x           ; recursion or subroutine call (?R)
            """)
    void refusedRules(String rule, String message) {
        ConfigException e = failure(dir, "pcre", "/ok/ fine\n" + rule + "\n");
        assertThat(e.errors()).hasSize(1);
        assertThat(e.errors().get(0).origin().toString()).isEqualTo(at(dir, 2));
        assertThat(e.errors().get(0).message()).startsWith("pcre table: ").contains(message);
    }

    @Test
    void inlineRulesInMainCf() throws Exception {
        LookupTable t = TableFixtures.open(dir, "pcre:{ {/^(?<user>[^@]+)@/ user=$1} }");
        assertThat(value(t, "Joe@x")).isEqualTo("user=Joe");
    }

    private static LookupTable fixtureTable() throws ConfigException {
        return TableFixtures.open(TableFixtures.fixture("pcre").getParent(), "pcre:pcre");
    }
}
