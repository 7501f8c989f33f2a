// InlineStaticFailTest: tables written in main.cf -- inline:{k=v, {k = v w}}, static:value and
// static:{ value }, fail:name (a lookup error, never "not found") -- with Postfix's syntax rules
// and errors at the main.cf line that names the table.
package org.postern.policies.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.postern.policies.table.TableFixtures.MAIN_CF;
import static org.postern.policies.table.TableFixtures.value;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.Diagnostic;

class InlineStaticFailTest {
    @TempDir
    Path dir;

    @Test
    void inlinePairsAndBracedPairs() throws Exception {
        LookupTable t = TableFixtures.open(dir, "inline:{ a=1, { B = two words , x }, c=3 d=4 }");
        assertThat(value(t, "A")).isEqualTo("1");
        assertThat(value(t, "b")).isEqualTo("two words , x");
        assertThat(value(t, "c")).isEqualTo("3");
        assertThat(value(t, "d")).isEqualTo("4");
        assertThat(value(t, "e")).isNull();
        assertThat(t.find("a").orElseThrow().origin()).isEqualTo(MAIN_CF);
        assertThat(t.isPattern()).isFalse();
    }

    @Test
    void inlineDuplicateKeepsTheLastAsPostfixWithAWarning() throws Exception {
        Tables tables = new Tables(dir);
        assertThat(value(tables.open("inline:{a=1, a=2}", MAIN_CF), "a")).isEqualTo("2");
        assertThat(tables.warnings()).extracting(Diagnostic::toString).containsExactly(
                MAIN_CF + ": warning: inline:{...}: duplicate key \"a\": the last value is used");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            inline:{}          | empty table: "inline:{}"
            inline:{a}         | missing '=' after attribute name in "a"
            inline:{=1}        | missing attribute name in "=1"
            inline:{a b=1}     | missing '=' after attribute name in "a"
            inline:{a=}        | empty value in "a="
            inline:{a=1        | bad syntax: "inline:{a=1"; need "inline:{name=value...}"
            inline:a=1         | bad syntax: "inline:a=1"; need "inline:{name=value...}"
            inline:{{a=1}x}    | syntax error after '}' in "{a=1}x"
            static:{ x         | missing '}' in "{ x"
            static:{  }        | empty value in "static:{  }"
            """)
    void badSyntaxIsAnErrorAtTheMainCfLine(String spec, String message) {
        ConfigException e = TableFixtures.failure(dir, spec);
        assertThat(e.errors()).extracting(Diagnostic::toString).containsExactly(MAIN_CF + ": error: " + spec + ": " + message);
    }

    @Test
    void staticAnswersEveryKey() throws Exception {
        assertThat(value(TableFixtures.open(dir, "static:OK"), "anything")).isEqualTo("OK");
        LookupTable braced = TableFixtures.open(dir, "static:{ REJECT go away }");
        assertThat(value(braced, "x")).isEqualTo("REJECT go away");
        assertThat(braced.find("y").orElseThrow().origin()).isEqualTo(MAIN_CF);
        assertThat(braced.isPattern()).isFalse();
    }

    @Test
    void failTableFailsEveryLookup() throws Exception {
        LookupTable t = TableFixtures.open(dir, "fail:broken");
        assertThatThrownBy(() -> t.find("x")).isInstanceOf(TableLookupException.class)
                .hasMessage("table fail:broken: lookup error: fail: table")
                .satisfies(e -> assertThat(((TableLookupException) e).spec()).isEqualTo("fail:broken"));
    }
}
