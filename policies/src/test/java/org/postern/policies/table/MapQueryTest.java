// MapQueryTest: `postern map -q` as postmap -q -- value and exit 0 when found, exit 1 when not,
// key folding, the first of several tables that has the key (later ones not even opened),
// -q - with key<TAB>value lines, and errors on stderr with file:line.
package org.postern.policies.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MapQueryTest {
    @TempDir
    Path dir;

    @BeforeEach
    void tables() {
        TableFixtures.write(dir, "access", "Example.COM  REJECT Go Away\nfoo  one\n");
        TableFixtures.write(dir, "more", "foo  two\nbar  three\n");
        TableFixtures.write(dir, "re", "/^(.*)@example\\.com$/  user $1\n");
    }

    @Test
    void foundPrintsTheValue() {
        assertThat(MapQuery.query("EXAMPLE.com", List.of("hash:access"), dir))
                .isEqualTo(new MapQuery.Outcome(0, "REJECT Go Away\n", ""));
        assertThat(MapQuery.query("Joe@example.com", List.of("regexp:re"), dir))
                .isEqualTo(new MapQuery.Outcome(0, "user Joe\n", ""));
    }

    @Test
    void notFoundIsExitStatusOne() {
        assertThat(MapQuery.query("nothing", List.of("hash:access"), dir)).isEqualTo(new MapQuery.Outcome(1, "", ""));
    }

    @Test
    void firstTableWithTheKeyAnswersAndLaterOnesAreNotOpened() {
        assertThat(MapQuery.query("foo", List.of("hash:access", "hash:missing"), dir).stdout()).isEqualTo("one\n");
        assertThat(MapQuery.query("bar", List.of("hash:access", "hash:more"), dir).stdout()).isEqualTo("three\n");
    }

    @Test
    void nameWithoutTypeUsesTheDefaultDatabaseType() {
        assertThat(MapQuery.query("foo", List.of("access"), dir).stdout()).isEqualTo("one\n");
        assertThat(MapQuery.query("foo", List.of("access"), dir, "texthash").stdout()).isEqualTo("one\n");
    }

    @Test
    void tableThatCannotBeOpenedFails() {
        MapQuery.Outcome o = MapQuery.query("foo", List.of("hash:missing"), dir);
        assertThat(o.exitStatus()).isEqualTo(1);
        assertThat(o.stderr()).isEqualTo("command line: error: hash:missing: cannot open " + dir.resolve("missing")
                + ": no such file\n");
    }

    @Test
    void lookupErrorIsFatal() {
        MapQuery.Outcome o = MapQuery.query("x", List.of("fail:down"), dir);
        assertThat(o).isEqualTo(new MapQuery.Outcome(1, "", "fatal: table fail:down: lookup error: fail: table\n"));
    }

    @Test
    void warningsGoToStderr() {
        TableFixtures.write(dir, "dups", "k 1\nk 2\n");
        MapQuery.Outcome o = MapQuery.query("k", List.of("hash:dups"), dir);
        assertThat(o.stdout()).isEqualTo("1\n");
        assertThat(o.stderr()).isEqualTo(dir.resolve("dups") + ":2: warning: duplicate entry: \"k\"; the entry at "
                + dir.resolve("dups") + ":1 is used\n");
    }

    @Test
    void keysFromInputPrintKeyTabValue() {
        MapQuery.Outcome o = MapQuery.queryKeys("FOO\nnothing\nbar\nexample.com", List.of("hash:access", "hash:more"), dir);
        assertThat(o).isEqualTo(new MapQuery.Outcome(0, "FOO\tone\nbar\tthree\nexample.com\tREJECT Go Away\n", ""));
        assertThat(MapQuery.queryKeys("x\ny\n", List.of("hash:access"), dir)).isEqualTo(new MapQuery.Outcome(1, "", ""));
        assertThat(MapQuery.queryKeys("", List.of("hash:access"), dir).exitStatus()).isEqualTo(1);
    }

    @Test
    void lookupErrorStopsTheInputButKeepsTheOutput() {
        MapQuery.Outcome o = MapQuery.queryKeys("foo\nx\n", List.of("hash:access", "fail:down"), dir);
        assertThat(o).isEqualTo(new MapQuery.Outcome(1, "foo\tone\n", "fatal: table fail:down: lookup error: fail: table\n"));
    }
}
