// RegexpTableTest: regexp: tables -- the regexp_table(5) manual's examples, $1/${1} substitution,
// nested if/endif, flags, the /a/!/b/ form, negation, inline regexp:{...}, and every refused rule
// with its file:line and token.
package org.postern.policies.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import org.postern.policies.conf.Diagnostic;

class RegexpTableTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "NONE", textBlock = """
            user%host@example.net             | 550 Sender-specified routing rejected
            a!b@example.net                   | 550 Sender-specified routing rejected
            postmaster@example.net            | OK
            Postmaster@example.net            | OK
            list-outgoing@example.net         | 550 Use list@example.net instead
            owner-list-outgoing@example.net   | NONE
            Subject: Make Money Fast          | REJECT
            To: friend@public.com             | REJECT
            To: friend@publicXcom             | NONE
            joe+box2@example.com              | FILTER ext:box2 for joe
            123@example.com                   | REJECT numeric user 123 costs $5
            192.168.1.1                       | REJECT bare IPv4 $
            1921.168.1.1                      | NONE
            a CaseSensitive b                 | exact case only
            a casesensitive b                 | no dot or at
            some spam here                    | REJECT word spam
            somespamhere                      | no dot or at
            x.y                               | x.y without z
            x.yz                              | NONE
            aab                               | alternation
            ce                                | alternation
            cxe                               | alternation
            cdde                              | no dot or at
            nodot                             | no dot or at
            """)
    void manualExamplesAndMore(String key, String expected) throws Exception {
        LookupTable t = TableFixtures.open(TableFixtures.fixture("regexp").getParent(), "regexp:regexp");
        assertThat(value(t, key)).isEqualTo(expected);
        assertThat(t.isPattern()).isTrue();
    }

    @Test
    void base64BodyLineFromTheManual() throws Exception {
        LookupTable t = TableFixtures.open(TableFixtures.fixture("regexp").getParent(), "regexp:regexp");
        assertThat(value(t, "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3"))
                .isEqualTo("OK");
    }

    @Test
    void matchCarriesTheRuleLine() throws Exception {
        LookupTable t = table(dir, "regexp", "# c\n/^a/ first\n\n/^b/\n  continued result\n");
        assertThat(t.find("b").orElseThrow().origin().toString()).isEqualTo(at(dir, 4));
        assertThat(value(t, "b")).isEqualTo("continued result");
    }

    @Test
    void substitutionForms() throws Exception {
        LookupTable t = table(dir, "regexp", """
                /^(a)(b)?(c)$/  [$1][$2][${3}][$(1)]$$
                /^(x)(((((((((y)))))))))$/  $10
                """);
        assertThat(value(t, "ac")).isEqualTo("[a][][c][a]$");
        assertThat(value(t, "XY")).isEqualTo("Y");
    }

    @Test
    void flagsToggle() throws Exception {
        LookupTable t = table(dir, "regexp", """
                /^abc$/i        case-sensitive
                /^a.c$/m        no newline
                /^a+b$/x        basic
                /^A\\(b\\)\\{2\\}$/x  basic $1
                /^a$/ii         twice toggled
                """);
        assertThat(value(t, "ABC")).isEqualTo("no newline");
        assertThat(value(t, "abc")).isEqualTo("case-sensitive");
        assertThat(value(t, "a\nc")).isNull();
        assertThat(value(t, "a+b")).isEqualTo("basic");
        assertThat(value(t, "abb")).isEqualTo("basic b");
        assertThat(value(t, "A")).isEqualTo("twice toggled");
    }

    @Test
    void nonAsciiIsMatchedByteByByteAsPostfixDoes() throws Exception {
        LookupTable t = table(dir, "regexp", """
                /^caf.$/            one byte
                /^caf..$/           two bytes
                /^(.*)@(.*)$/       $2 $1
                """);
        assertThat(value(t, "caf\u00e9")).isEqualTo("two bytes");
        assertThat(value(t, "caf\u00c9x")).isNull();
        assertThat(value(t, "j\u00f6s\u00e9@ex\u00e4mple.com")).isEqualTo("ex\u00e4mple.com j\u00f6s\u00e9");
        ConfigException e = failure(dir, "regexp", "/\u00e9\\d/ x\n");
        assertThat(e.errors().get(0).message()).contains("\"\u00e9\\d\"");
    }

    @Test
    void runawayBacktrackingIsALookupErrorNamingTheRule() throws Exception {
        LookupTable t = table(dir, "regexp", "/^x/ x\n/^(.*,){11}P/ catastrophic\n");
        assertThat(value(t, "1,2,3,4,5,6,7,8,9,10,11,P")).isEqualTo("catastrophic");
        String key = String.join(",", java.util.stream.IntStream.rangeClosed(1, 40).mapToObj(Integer::toString).toList());
        assertThatThrownBy(() -> t.find(key))
                .isInstanceOf(TableLookupException.class)
                .hasMessageStartingWith("table regexp:table: lookup error: rule at " + at(dir, 2) + " needs more than");
    }

    // Found by TablesFuzzTest: java.util.regex recursed once per repetition and overflowed the stack.
    @Test
    void repeatedGroupOnALongKeyIsALookupErrorNotAStackOverflow() throws Exception {
        LookupTable t = table(dir, "regexp", "/^x/ x\n/^(a|b)*$/ ab only\n");
        assertThat(value(t, "abab")).isEqualTo("ab only");
        assertThatThrownBy(() -> t.find("ab".repeat(50_000)))
                .isInstanceOf(TableLookupException.class)
                .hasMessageStartingWith("table regexp:table: lookup error: rule at " + at(dir, 2)
                        + " recurses too deeply on a 100000-character key");
    }

    @Test
    void anyDelimiterAndEscapedDelimiter() throws Exception {
        LookupTable t = table(dir, "regexp", "|^a\\|b$| pipe\n/^c\\/d$/ slash\n");
        assertThat(value(t, "a|b")).isEqualTo("pipe");
        assertThat(value(t, "c/d")).isEqualTo("slash");
    }

    @Test
    void ifWithoutMatchSkipsToItsEndif() throws Exception {
        LookupTable t = table(dir, "regexp", """
                IF /^a/
                if !/b/
                /./  a-without-b
                EndIf
                /c/  a-with-b-and-c
                endif
                /./  other
                """);
        assertThat(value(t, "ax")).isEqualTo("a-without-b");
        assertThat(value(t, "abc")).isEqualTo("a-with-b-and-c");
        assertThat(value(t, "ab")).isEqualTo("other");
        assertThat(value(t, "zz")).isEqualTo("other");
    }

    @Test
    void inlineRulesInMainCf() throws Exception {
        LookupTable t = TableFixtures.open(dir, "regexp:{ {/^(a+)$/ got $1}, { /^b/ REJECT b } }");
        assertThat(value(t, "aa")).isEqualTo("got aa");
        assertThat(value(t, "bx")).isEqualTo("REJECT b");
        assertThat(t.find("bx").orElseThrow().origin()).isEqualTo(TableFixtures.MAIN_CF);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            /a/q x                 | unknown regexp option "q" in /a/q
            /a x                   | no closing delimiter "/" in "/a x"
            /a/                    | no result after /a/
            /(a)/ $1x              | non-numeric replacement index "1x" in "$1x"
            /(a)/ $0               | out of range replacement index "0"
            /(a)/ ${1              | truncated macro reference "${1"
            /(a)/ cost $           | empty macro name in "$"
            /(a)/ $2               | out of range replacement index "$2": /(a)/ has 1 () group
            !/(a)/ $1              | $number found in the result of negated pattern !/(a)/
            endif                  | endif without matching if
            foo bar                | unrecognized rule "foo bar"
            /\\d+/ digits          | \\d is not a POSIX regular expression operator
            /[[:foo:]]/ x          | invalid character class name "[:foo:]"
            /(a/ x                 | unmatched (
            /a{2/ x                | invalid interval "{2"
            /*a/ x                 | '*' has nothing to repeat
            """)
    void refusedRulesNameLineAndToken(String rule, String message) {
        ConfigException e = failure(dir, "regexp", "/ok/ fine\n" + rule + "\n");
        assertThat(e.errors()).hasSize(1);
        assertThat(e.errors().get(0).origin().toString()).isEqualTo(at(dir, 2));
        assertThat(e.errors().get(0).message()).startsWith("regexp table: ").contains(message);
    }

    @Test
    void indentedRuleInsideIfIsAnError() {
        ConfigException e = failure(dir, "regexp", "if /a/\n    /b/ REJECT\nendif\n");
        assertThat(e.errors()).extracting(Diagnostic::toString).containsExactly(at(dir, 1)
                + ": error: regexp table: text after if: \"/b/ REJECT\" (a line that starts with whitespace"
                + " continues the line before it: do not indent the rules between if and endif)");
    }

    @Test
    void unclosedIfIsAnErrorAtTheIf() {
        ConfigException e = failure(dir, "regexp", "/x/ y\nif /a/\n/b/ c\n");
        assertThat(e.errors()).extracting(Diagnostic::toString)
                .containsExactly(at(dir, 2) + ": error: regexp table: if has no matching endif");
    }

    @Test
    void everyBadRuleIsReportedAtOnce() {
        ConfigException e = failure(dir, "regexp", "/a/q x\n/ok/ y\n/b\n");
        assertThat(e.errors()).extracting(d -> d.origin().line()).containsExactly(1, 3);
    }
}
