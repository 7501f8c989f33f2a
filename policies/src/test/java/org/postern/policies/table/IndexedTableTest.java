// IndexedTableTest: hash:/btree:/texthash: tables read from postmap(1) source text -- the access(5)
// example, case folding, continuation lines, quoted keys, duplicates and every refused line,
// each diagnostic naming file:line and the token.
package org.postern.policies.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postern.policies.table.TableFixtures.at;
import static org.postern.policies.table.TableFixtures.failure;
import static org.postern.policies.table.TableFixtures.table;
import static org.postern.policies.table.TableFixtures.value;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.postern.core.Origin;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.Diagnostic;

class IndexedTableTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "NONE", textBlock = """
            1.2.3                      | REJECT
            1.2.3.4                    | OK
            1.2.3.5                    | NONE
            2001:db8:                  | REJECT IPv6 network
            example.com                | REJECT Domain Blocked
            EXAMPLE.COM                | REJECT Domain Blocked
            .sub.example.net           | REJECT subdomains of sub.example.net
            sub.example.net            | NONE
            postmaster@                | OK
            User@Example.NET           | 550 5.7.1 user blocked
            user+spam@example.net      | DISCARD
            <>                         | REJECT null sender
            "quoted user"@example.com  | OK quoted key
            multi                      | OK first part        and second part
            dup                        | first value
            ''                         | NONE
            """)
    void accessFixture(String key, String expected) throws Exception {
        LookupTable t = TableFixtures.open(TableFixtures.fixture("access").getParent(), "hash:access");
        assertThat(value(t, key)).isEqualTo(expected);
        assertThat(t.isPattern()).isFalse();
        assertThat(t.spec()).isEqualTo("hash:access");
    }

    @Test
    void entriesCarryTheirFileAndLine() throws Exception {
        LookupTable t = table(dir, "hash", "# comment\n\nfoo  OK\nbar\n  REJECT continued\n");
        assertThat(t.find("foo").orElseThrow().origin()).isEqualTo(new Origin(dir.resolve("table").toString(), 3));
        TableEntry bar = t.find("bar").orElseThrow();
        assertThat(bar.value()).isEqualTo("REJECT continued");
        assertThat(bar.origin().toString()).isEqualTo(at(dir, 4));
    }

    @ParameterizedTest
    @ValueSource(strings = {"hash", "btree", "dbm", "lmdb", "cdb", "sdbm", "texthash"})
    void everyIndexedTypeReadsTheSourceText(String type) throws Exception {
        LookupTable t = table(dir, type, "Key  Value With Case\n");
        assertThat(value(t, "KEY")).isEqualTo("Value With Case");
        assertThat(t.spec()).isEqualTo(type + ":table");
    }

    @Test
    void duplicateKeyWarnsAndKeepsTheFirstAsPostmapDoes() throws Exception {
        write("dup one\nDUP two\n");
        Tables tables = new Tables(dir);
        LookupTable t = tables.open("hash:table", TableFixtures.MAIN_CF);
        assertThat(value(t, "dup")).isEqualTo("one");
        assertThat(tables.warnings()).extracting(Diagnostic::toString).containsExactly(at(dir, 2)
                + ": warning: duplicate entry: \"DUP\"; the entry at " + at(dir, 1) + " is used");
    }

    @Test
    void aliasStyleKeyIsAWarning() throws Exception {
        write("root: admin\n");
        Tables tables = new Tables(dir);
        assertThat(value(tables.open("hash:table", TableFixtures.MAIN_CF), "root:")).isEqualTo("admin");
        assertThat(tables.warnings()).extracting(Diagnostic::message)
                .containsExactly("record is in \"key: value\" format; is this an alias file?");
    }

    @Test
    void quotedKeysAndEscapesStayAsWritten() throws Exception {
        LookupTable t = table(dir, "hash", "\"a b\"@x  quoted\nfoo\\ bar  escaped\n");
        assertThat(value(t, "\"A B\"@X")).isEqualTo("quoted");
        assertThat(value(t, "foo\\ bar")).isEqualTo("escaped");
    }

    @Test
    void crlfLinesAndTrailingBlanks() throws Exception {
        LookupTable t = table(dir, "hash", "a  one  \r\nb\ttwo\r\n");
        assertThat(value(t, "a")).isEqualTo("one");
        assertThat(value(t, "b")).isEqualTo("two");
    }

    @Test
    void keyWithoutValueIsAnErrorAtItsLine() {
        ConfigException e = failure(dir, "hash", "ok  1\nnovalue\nalso  2\nmissing   \n");
        assertThat(e.errors()).extracting(Diagnostic::toString).containsExactly(
                at(dir, 2) + ": error: expected format: key whitespace value; \"novalue\" has no value",
                at(dir, 4) + ": error: expected format: key whitespace value; \"missing\" has no value");
    }

    @Test
    void unbalancedQuoteIsAnError() {
        ConfigException e = failure(dir, "hash", "\"open quote  x\n");
        assertThat(e.errors()).extracting(Diagnostic::toString)
                .containsExactly(at(dir, 1) + ": error: unbalanced '\"' in \"\"open quote  x\"");
    }

    @Test
    void continuationWithNothingToContinueIsAnError() {
        ConfigException e = failure(dir, "hash", "  orphan text\nkey value\n");
        assertThat(e.errors()).extracting(Diagnostic::toString)
                .containsExactly(at(dir, 1) + ": error: logical line must not start with whitespace: \"  orphan text\"");
    }

    @Test
    void nonUtf8InputIsAnError() throws Exception {
        Files.write(dir.resolve("table"), "ok 1\ncaf\u00e9 2\n".getBytes(StandardCharsets.ISO_8859_1));
        ConfigException e = failure(dir, "hash:table");
        assertThat(e.errors()).extracting(Diagnostic::toString)
                .containsExactly(at(dir, 2) + ": error: non-UTF-8 input: save the file as UTF-8");
    }

    @Test
    void utf8KeysFoldToo() throws Exception {
        LookupTable t = table(dir, "hash", "CAF\u00c9.example  OK\n");
        assertThat(value(t, "caf\u00e9.EXAMPLE")).isEqualTo("OK");
    }

    private void write(String content) {
        TableFixtures.write(dir, "table", content);
    }
}
