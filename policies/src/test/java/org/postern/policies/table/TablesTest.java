// TablesTest: opening tables by their main.cf name -- type:name syntax, unknown and unsupported
// types, missing files (reported at the main.cf line), relative names, one shared instance per
// table in a load, the list of files read, and change detection for reload without sleeping.
package org.postern.policies.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postern.policies.table.TableFixtures.MAIN_CF;
import static org.postern.policies.table.TableFixtures.failure;
import static org.postern.policies.table.TableFixtures.value;
import static org.postern.policies.table.TableFixtures.write;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postern.policies.conf.ConfigException;
import org.postern.policies.conf.Diagnostic;

class TablesTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"", "hash", "hash:", ":access", "  "})
    void specMustBeTypeColonName(String spec) {
        assertThat(failure(dir, spec).errors()).extracting(Diagnostic::toString).containsExactly(MAIN_CF
                + ": error: bad lookup table \"" + spec + "\": expected type:name, e.g. hash:/etc/postern/access");
    }

    @Test
    void unknownTypeIsNamed() {
        assertThat(failure(dir, "hsh:/etc/postern/access").errors()).extracting(Diagnostic::toString).containsExactly(
                MAIN_CF + ": error: hsh:/etc/postern/access: unknown lookup table type \"hsh\"; supported: "
                        + Tables.SUPPORTED);
    }

    @Test
    void postfixTypesPosternLacksAreNamed() {
        assertThat(failure(dir, "ldap:/etc/postfix/ldap.cf").errors()).extracting(Diagnostic::message).containsExactly(
                "ldap:/etc/postfix/ldap.cf: lookup table type \"ldap\" is not supported by Postern; supported: "
                        + Tables.SUPPORTED);
    }

    @Test
    void missingFileIsAnErrorAtTheReferringLine() {
        Path file = dir.resolve("access");
        assertThat(failure(dir, "hash:access").errors()).extracting(Diagnostic::toString)
                .containsExactly(MAIN_CF + ": error: hash:access: cannot open " + file + ": no such file");
    }

    @Test
    void onlyACompiledDbIsExplained() {
        write(dir, "access.db", "binary");
        assertThat(failure(dir, "hash:access").errors()).extracting(Diagnostic::message).containsExactly(
                "hash:access: cannot open " + dir.resolve("access") + ": no such file (Postern reads the text file that"
                        + " postmap(1) compiles, not the compiled access.db)");
    }

    @Test
    void directoryIsNotATable() throws Exception {
        Files.createDirectory(dir.resolve("sub"));
        // found by TablesFuzzTest: the reason used to be "java.io.IOException: Is a directory"
        assertThat(failure(dir, "cidr:sub").errors()).extracting(Diagnostic::message)
                .containsExactly("cidr:sub: cannot read " + dir.resolve("sub") + ": Is a directory");
    }

    // Found by TablesFuzzTest: each "proxy:" was one recursive call; thousands overflowed the stack.
    @Test
    void proxyPrefixesAreReadDirectlyHoweverMany() throws Exception {
        assertThat(value(TableFixtures.open(dir, "proxy:inline:{a=b}"), "a")).isEqualTo("b");
        assertThat(value(TableFixtures.open(dir, "proxy:".repeat(100_000) + "inline:{a=b}"), "a")).isEqualTo("b");
        assertThat(failure(dir, "proxy:".repeat(100_000)).errors()).singleElement()
                .satisfies(d -> assertThat(d.message()).startsWith("bad lookup table \"proxy:proxy:").endsWith(
                        "...\": expected type:name, e.g. hash:/etc/postern/access"));
    }

    @Test
    void textTableTypesAreFilesNotInline() {
        assertThat(failure(dir, "hash:{a=b}").errors()).extracting(Diagnostic::message)
                .containsExactly("hash:{a=b}: a hash: table is a file; use inline:{...}");
    }

    @Test
    void relativeNamesResolveAgainstTheConfigDirectory() throws Exception {
        write(dir, "access", "a OK\n");
        LookupTable relative = TableFixtures.open(dir, "hash:access");
        LookupTable absolute = TableFixtures.open(Path.of("/"), "hash:" + dir.resolve("access"));
        assertThat(value(relative, "a")).isEqualTo("OK");
        assertThat(value(absolute, "a")).isEqualTo("OK");
    }

    @Test
    void oneInstancePerTableInALoad() throws Exception {
        write(dir, "access", "a OK\n");
        Tables tables = new Tables(dir);
        LookupTable first = tables.open("hash:access", MAIN_CF);
        assertThat(tables.open(" hash:access ", MAIN_CF)).isSameAs(first);
        assertThat(tables.open("hash:" + dir.resolve("sub/../access"), MAIN_CF)).isSameAs(first);
        assertThat(tables.open("proxy:hash:access", MAIN_CF)).isSameAs(first);
        assertThat(tables.open("btree:access", MAIN_CF)).isNotSameAs(first);
        assertThat(tables.open("inline:{a=1}", MAIN_CF)).isSameAs(tables.open("inline:{a=1}", MAIN_CF));
        assertThat(tables.sources()).extracting(SourceFile::path).containsExactly(dir.resolve("access"));
    }

    @Test
    void aBrokenTableFailsOnceWithTheSameErrors() {
        write(dir, "bad", "novalue\n");
        Tables tables = new Tables(dir);
        ConfigException first = catchFailure(tables, "hash:bad");
        assertThat(catchFailure(tables, "hash:" + dir.resolve("bad"))).isSameAs(first);
        assertThat(first.errors()).hasSize(1);
    }

    private static ConfigException catchFailure(Tables tables, String spec) {
        try {
            tables.open(spec, MAIN_CF);
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("expected a failure for " + spec);
    }

    @Test
    void sourcesRecordSizeAndTimeAndNoticeChanges() throws Exception {
        Path access = write(dir, "access", "a OK\n");
        Path cidr = write(dir, "client.cidr", "1.2.3.4 OK\n");
        FileTime then = FileTime.from(Instant.parse("2026-01-02T03:04:05Z"));
        Files.setLastModifiedTime(access, then);
        Tables tables = new Tables(dir);
        tables.open("hash:access", MAIN_CF);
        tables.open("cidr:client.cidr", MAIN_CF);
        tables.open("static:OK", MAIN_CF);
        assertThat(tables.sources()).extracting(SourceFile::path).containsExactly(access, cidr);
        SourceFile seen = tables.sources().get(0);
        assertThat(seen.size()).isEqualTo(5);
        assertThat(seen.lastModified()).isEqualTo(then);
        assertThat(seen.changedOnDisk()).isFalse();

        Files.setLastModifiedTime(access, FileTime.from(Instant.parse("2026-01-02T03:04:06Z")));
        assertThat(seen.changedOnDisk()).isTrue();
        Files.setLastModifiedTime(access, then);
        Files.writeString(access, "a OKAY\n");
        Files.setLastModifiedTime(access, then);
        assertThat(seen.changedOnDisk()).as("same mtime, other size").isTrue();
        Files.delete(access);
        assertThat(seen.changedOnDisk()).isTrue();
    }

    @Test
    void everyErrorOfAFileIsReportedInLineOrderWithItsWarnings() {
        ConfigException e = failure(dir, "regexp", "if /a/\n/b/q x\n/ok/ y\n/ok/ y\n/(c/ z\n");
        assertThat(e.diagnostics()).extracting(d -> d.origin().line()).containsExactly(1, 2, 5);
        assertThat(e.errors()).hasSize(3);
    }

    @Test
    void warningsOfEveryTableOpened() throws Exception {
        write(dir, "one", "k 1\nk 2\n");
        write(dir, "two", "x: y\n");
        Tables tables = new Tables(dir);
        tables.open("hash:one", MAIN_CF);
        tables.open("texthash:two", MAIN_CF);
        assertThat(tables.warnings()).extracting(d -> d.origin().toString())
                .containsExactly(dir.resolve("one") + ":2", dir.resolve("two") + ":1");
    }
}
