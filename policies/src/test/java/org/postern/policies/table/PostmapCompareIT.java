// PostmapCompareIT: runs Debian's real Postfix 3.7 `postmap -q` on the fixture tables (access map
// as hash:/texthash:/btree:, regexp with if/endif and $n, pcre, cidr with IPv6, inline forms) and
// on one-rule regexp/pcre tables, and requires MapQuery to print the same. Needs postfix(-pcre).
package org.postern.policies.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PostmapCompareIT {
    private static final Path POSTMAP = Path.of("/usr/sbin/postmap");
    private static final Path POSTCONF = Path.of("/usr/sbin/postconf");
    private static final FileTime LONG_AGO = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));

    @TempDir
    static Path work;
    private static Path conf;

    /** Skips without Postfix, except in CI (CI=true), where a missing postmap or pcre support fails. */
    @BeforeAll
    static void requirePostmap() throws Exception {
        require(Files.isExecutable(POSTMAP), "Postfix's postmap is not installed at " + POSTMAP
                + " (Debian package postfix)");
        conf = Files.createDirectories(work.resolve("conf"));
        Files.writeString(conf.resolve("main.cf"), "");
        for (String name : List.of("access", "regexp", "pcre", "cidr")) {
            Path copy = work.resolve(name);
            Files.copy(TableFixtures.fixture(name), copy);
            Files.setLastModifiedTime(copy, LONG_AGO); // texthash re-reads files changed in the last second
        }
        Files.copy(work.resolve("access"), work.resolve("baccess"));
        assertThat(run(List.of(POSTMAP.toString(), "-c", conf.toString(), "hash:access"), "").exit()).isZero();
        assertThat(run(List.of(POSTMAP.toString(), "-c", conf.toString(), "btree:baccess"), "").exit()).isZero();
    }

    static Stream<Arguments> tables() {
        List<String> access = List.of("1.2.3", "1.2.3.4", "1.2.3.5", "1.2", "2001:db8:", "2001:db8::1", "2001:DB8::1",
                "example.com", "EXAMPLE.COM", "Example.Com", ".sub.example.net", "sub.example.net", "example.org",
                "postmaster@", "POSTMASTER@", "User@Example.NET", "user@example.net", "user+spam@example.net", "<>",
                "\"quoted user\"@example.com", "\"QUOTED USER\"@EXAMPLE.COM", "quoted", "multi", "dup", "DUP",
                "nothing", "", "-", " example.com", "example.com ");
        List<String> regexp = List.of("user%host@example.net", "a!b@example.net", "postmaster@example.net",
                "Postmaster@example.net", "list-outgoing@example.net", "owner-list-outgoing@example.net",
                "LIST-OUTGOING@EXAMPLE.NET", "Subject: Make Money Fast", "subject: make money fast now",
                "To: friend@public.com", "To: friend@publicXcom", "joe+box2@example.com", "Joe+Box2@example.com",
                "9joe+box2@example.com", "123@example.com", "192.168.1.1", "1921.168.1.1", "1.2.3", "a CaseSensitive b",
                "a casesensitive b", "some spam here", "somespamhere", "spam", "x.y", "x.yz", "aab", "ce", "cxe", "cdde",
                "nodot", "", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3");
        List<String> pcre = List.of("joe@example.com", "joe@mail.example.com", "joe@mailXexample.com", "a.exe", "a.EXE",
                "Subject: buy VIAGRA now", "Subject: buy viagra now", "john.smith@example.org", "ABC-", "abc-",
                "a{,3}b", "b", "xy", "commented", "aaaz", "aaay", "555-1234", "5555-1234", "qsq", "qrsq", "qrsr",
                "dotXall", "no.dot", "spaced out", "spacedout", "ABC9", "abc9", "caf\u00e9", "plain", "");
        return Stream.of(
                Arguments.of("hash:access", access),
                Arguments.of("texthash:access", access),
                Arguments.of("btree:baccess", access),
                Arguments.of("regexp:regexp", regexp),
                Arguments.of("pcre:pcre", pcre),
                Arguments.of("cidr:cidr", cidrKeys()),
                Arguments.of("inline:{ a=1, { B = two words , x }, c=3 d=4 }", List.of("a", "A", "b", "c", "d", "e")),
                Arguments.of("static:{ REJECT go away }", List.of("x", "")),
                Arguments.of("regexp:{ {/^(a+)$/ got $1}, { /^b/ REJECT b }, {if /c/}, {/d/ cd}, {endif} }",
                        List.of("aa", "bx", "Bx", "cd", "d", "c")),
                Arguments.of("pcre:{ {/^(?<u>[^@]+)@/ user=$1} }", List.of("Joe@x", "@x")),
                Arguments.of("cidr:{ {1.2.3.0/24 ok here}, {if 1.2.0.0/16}, {1.2.3.4 inner}, {endif} }",
                        List.of("1.2.3.4", "1.2.4.4", "1.2.3.9")));
    }

    /** postmap -q - TABLE < keys, and MapQuery.queryKeys, print the same lines with the same exit status. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("tables")
    void sameAnswersAsPostmap(String spec, List<String> keys) throws Exception {
        if (spec.startsWith("pcre:")) requirePcre();
        String input = String.join("\n", keys) + "\n";
        Result postmap = run(List.of(POSTMAP.toString(), "-c", conf.toString(), "-q", "-", spec), input);
        MapQuery.Outcome postern = MapQuery.queryKeys(input, List.of(spec), work);
        assertThat(postern.stderr()).as("Postern diagnostics").doesNotContain(": error: ");
        assertThat(postern.stdout()).as(spec + " answers").isEqualTo(postmap.stdout());
        assertThat(postern.exitStatus()).as(spec + " exit status").isEqualTo(postmap.exit());
        assertThat(postern.stdout()).as("the comparison finds something").isNotEmpty();
    }

    /** Single -q KEY queries, including keys with newlines (header_checks see those). */
    @Test
    void singleQueriesAndMultiLineKeys() throws Exception {
        requirePcre();
        SoftAssertions softly = new SoftAssertions();
        for (String[] q : new String[][] {{"pcre:pcre", "dot\nall"}, {"pcre:pcre", "no\ndot"}, {"pcre:pcre", "a\n"},
                {"regexp:regexp", "x.y\nz"}, {"regexp:regexp", "line\nnodot"}, {"hash:access", "1.2.3.4"},
                {"hash:access", "nothing"}, {"cidr:cidr", "fe80::1"}}) {
            compare(softly, q[0], q[1]);
        }
        softly.assertAll();
    }

    /** One-rule tables: the regexp (glibc) and pcre (PCRE2) translations against the real engines. */
    @Test
    void patternTranslationsAgreeWithTheRealEngines() throws Exception {
        requirePcre();
        String[][] cases = {
                {"regexp", "/[\\.]/ hit", "a\\b"}, {"regexp", "/[\\w]/ hit", "w"}, {"regexp", "/[\\w]/ hit", "a"},
                {"regexp", "/\\<foo\\>/ hit", "a foo b"}, {"regexp", "/\\<foo\\>/ hit", "afoob"},
                {"regexp", "/a\\+/ hit", "a+"}, {"regexp", "/a\\+/ hit", "aa"}, {"regexp", "/a|/ hit", "x"},
                {"regexp", "/[a-]/ hit", "x-"}, {"regexp", "/[]a]/ hit", "]"}, {"regexp", "/[^]a]/ hit", "]"},
                {"regexp", "/a{,3}b/ hit", "b"}, {"regexp", "/a{2}{3}/ hit", "aaaaa"}, {"regexp", "/a{2}{3}/ hit", "aaaaaa"},
                {"regexp", "/^(a)\\1$/ [$1]", "aa"}, {"regexp", "/a\\`/ hit", "a"}, {"regexp", "/a\\'/ hit", "a"},
                {"regexp", "/a**/ hit", "a"}, {"regexp", "/^b+?c$/ hit", "c"}, {"regexp", "/^(a+)+?b/ [$1]", "aab"},
                {"regexp", "/[[:upper:]]/ hit", "a"}, {"regexp", "/[[:upper:]]/i hit", "a"},
                {"regexp", "/[[:digit:][:punct:]]/ hit", "x!"}, {"regexp", "/a$/ hit", "a\n"},
                {"regexp", "/a$/m hit", "a\nb"}, {"regexp", "/^b/m hit", "a\nb"}, {"regexp", "/[^x]/m hit", "\n"},
                {"regexp", "/a.c/ hit", "a\nc"}, {"regexp", "/a.c/m hit", "a\nc"}, {"regexp", "/a\\|b/ hit", "a|b"},
                {"regexp", "/a\\{/ hit", "a{"}, {"regexp", "/[[.a.]][[=b=]]/ hit", "ab"}, {"regexp", "/\\B/ hit", "ab"},
                {"regexp", "/a+/x hit", "a+"}, {"regexp", "/a+/x hit", "aa"}, {"regexp", "/^a\\{2\\}$/x hit", "aa"},
                {"regexp", "/\\(a\\)\\1/x [$1]", "aa"}, {"regexp", "/*a/x hit", "*a"}, {"regexp", "/x*a/x hit", "a"},
                {"regexp", "/a^b$c/x hit", "a^b$c"}, {"regexp", "/a\\|b/x hit", "b"}, {"regexp", "/ab\\?c/x hit", "ac"},
                {"regexp", "/^\\(ab\\)*$/x hit", "abab"}, {"regexp", "/(a|ab)(c|bcd)(d*)/ [$1][$2][$3]", "abcd"},
                {"regexp", "/^(a*)(a|b)*$/ [$1][$2]", "aab"}, {"regexp", "/(a)|(b)/ [$1][$2]", "b"},
                {"regexp", "/^([^@]+)@(.+)$/ ${2}:$1$$", "Joe@Example.com"},
                {"pcre", "/[[:^digit:]]/ hit", "5"}, {"pcre", "/(?P<n>a)(?P=n)/ hit", "aa"}, {"pcre", "/x\\Ky/ hit", "xy"},
                {"pcre", "/a{/ hit", "a{"}, {"pcre", "/a{,3}b/ hit", "a{,3}b"}, {"pcre", "/a{,3}b/ hit", "b"},
                {"pcre", "/\\Qa.b\\E/ hit", "axb"}, {"pcre", "/bc/A hit", "abc"}, {"pcre", "/(?i)ABC/i hit", "abc"},
                {"pcre", "/(?i:A)b/i hit", "aB"}, {"pcre", "/[]a]/ hit", "]"}, {"pcre", "/\\N/ hit", "\n"},
                {"pcre", "/^(a+)/U [$1]", "aaa"}, {"pcre", "/^(a+?)(a*)$/U [$1][$2]", "aaa"},
                {"pcre", "/a$/E hit", "a\n"}, {"pcre", "/a$/ hit", "a\n"}, {"pcre", "/(?C)a(?C1)/ hit", "a"},
                {"pcre", "/(*FAIL)|a/ hit", "a"}, {"pcre", "/[ #]/x hit", "a b"}, {"pcre", "/a b # c/x hit", "ab"},
                {"pcre", "/\\e/ hit", "x"}, {"pcre", "/(a)\\g{-1}/ hit", "aa"}, {"pcre", "/(?'n'a)\\k'n'/ hit", "aa"},
                {"pcre", "/^\\x41\\o{102}\\103$/ hit", "ABC"}, {"pcre", "/(a)|b/ [$1]", "b"}, {"pcre", "/^[\\w.-]+$/ hit", "--"},
                {"pcre", "/^(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\\10\\11$/ hit", "abcdefghijj\t"},
                {"pcre", "/^(\\w+)\\s(\\w+)$/ $2 $1", "hello world"}, {"pcre", "/\\bword\\b/ hit", "a word."},
                {"regexp", "/^caf.$/ hit", "caf\u00e9"}, {"regexp", "/^caf..$/ hit", "caf\u00e9"},
                {"regexp", "/^CAF\u00c9$/ hit", "caf\u00e9"}, {"regexp", "/^[\u00e9]$/ hit", "\u00e9"},
                {"pcre", "/^caf.$/ hit", "caf\u00e9"}, {"pcre", "/^\\w+$/ hit", "caf\u00e9"},
                {"pcre", "/^(.*)@(.*)$/ $2 $1", "j\u00f6s\u00e9@ex\u00e4mple.com"},
                {"regexp", "/^(.)(.)/ [$2$1]", "\u00e9"}, {"pcre", "/\\x{e9}/ hit", "\u00e9"},
        };
        SoftAssertions softly = new SoftAssertions();
        for (int i = 0; i < cases.length; i++) {
            Path table = work.resolve("one" + i);
            Files.writeString(table, cases[i][1] + "\n");
            compare(softly, cases[i][0] + ":one" + i, cases[i][2]);
        }
        softly.assertAll();
    }

    private static void compare(SoftAssertions softly, String spec, String key) throws Exception {
        Result postmap = run(List.of(POSTMAP.toString(), "-c", conf.toString(), "-q", key, spec), "");
        MapQuery.Outcome postern = MapQuery.query(key, List.of(spec), work);
        String what = spec + " key \"" + key.replace("\n", "\\n") + "\"";
        softly.assertThat(postern.stderr()).as(what + " Postern diagnostics").doesNotContain(": error: ");
        softly.assertThat(postern.stdout()).as(what).isEqualTo(postmap.stdout());
        softly.assertThat(postern.exitStatus()).as(what + " exit status").isEqualTo(postmap.exit());
    }

    private static List<String> cidrKeys() {
        List<String> keys = new ArrayList<>(List.of("192.168.1.1", "192.168.2.3", "2001:db8::1", "2001:DB8:0:0::2",
                "2001:0db8::1", "10.1.2.3", "10.2.2.2", "10.3.0.1", "2001:db9::5", "::ffff:172.16.1.1", "fe80::1",
                "fe80::2", "172.16.5.5", "8.8.8.8", "::1", "not-an-ip", "192.168.001.1", "[192.168.1.1]",
                "192.168.1.1/32", "", "1.2.3", "::", "0.0.0.0", "255.255.255.255"));
        for (int b : new int[] {0, 1, 2, 9, 10, 11, 127}) keys.add("10." + b + ".7.7");
        for (int b = 10; b <= 35; b += 3) keys.add("172." + b + ".0.1");
        for (int b = 0; b <= 255; b += 51) keys.add("192.168." + b + ".1");
        for (int w = 0; w <= 0xffff; w += 0x3fff) {
            String h = Integer.toHexString(w);
            keys.add("2001:db8::" + h);
            keys.add("2001:db9:" + h + "::1");
            keys.add("fe80::" + h);
            keys.add("fe" + Integer.toHexString(0x80 + (w >> 10)) + "::1");
            keys.add("::ffff:172." + (16 + w % 20) + ".1.1");
        }
        return keys;
    }

    private static void requirePcre() throws Exception {
        boolean pcre = Files.isExecutable(POSTCONF)
                && run(List.of(POSTCONF.toString(), "-m"), "").stdout().lines().anyMatch("pcre"::equals);
        require(pcre, "Postfix has no pcre: table support (Debian package postfix-pcre)");
    }

    private static void require(boolean present, String why) {
        if (!present && "true".equals(System.getenv("CI"))) fail(why + " -- required when CI=true");
        assumeTrue(present, why);
    }

    private record Result(int exit, String stdout, String stderr) {}

    private static Result run(List<String> command, String stdin) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(work.toFile()).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(command + " finished").isTrue();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }
}
