// HeaderChecksCompareIT: runs Postfix 3.7's own `postmap -m -h -q - TABLE` and `postmap -m -b -q -
// TABLE` (header_checks / body_checks simulation) on the fixture messages and requires ContentChecks
// to match the same logical headers and body lines, in the same order, with the same results.
package org.postern.policies.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postern.testkit.Assumptions;
import org.postern.testkit.CommandResult;
import org.postern.testkit.ExternalCommand;

/**
 * postmap prints {@code key<TAB>value} for every key that matched, where a key is a logical header
 * (with its embedded newlines) or a body line; the same text is built from the CheckResults. Two
 * documented differences are allowed for: postmap also looks up empty body lines (the cleanup never
 * does), and postmap has no body_checks_size_limit (set to 0 here). Skipped without postmap unless
 * CI=true.
 */
class HeaderChecksCompareIT {

    /** Rules valid in both dialects, with non-final actions only so that inspection never stops. */
    private static final String RULES = """
            /^Subject: .*(invoice|buy)/ INFO subject $1
            /^Received: from ([^ ]+) .*[[:space:]]+by ([^ ]+)/ WARN received from $1 by $2
            /^To: .*,[[:space:]]+b@/ INFO folded to
            /^X-Obsolete: spaced/ INFO obsolete spacing normalized
            /^Content-Type:.*name="?([^";]+)/ INFO attachment $1
            /^Content-(Type|Disposition):/ DUNNO
            /^From: .*inner/ PREPEND X-Inner-From: yes
            /^From: not-a-nested/ BCC digest@example.test
            /^From: (.*)/ INFO from $1
            /^Subject: Grüße/ INFO umlaut subject
            /^MIME-Version:/ IGNORE
            /^X-Last: (.*)$/ HOLD last $1
            /^--/ INFO boundary line
            /^(TVqQ|<iframe)/ WARN suspicious body
            /digest body/ INFO digest body
            /^ A body line starting/ INFO leading blank body
            /^Schöne/ INFO umlaut body
            /html/ INFO html
            /epilogue|garbage/ INFO epilogue or garbage
            """;

    private static final String NO_BLANK_LINE = """
            Subject: buy this
            garbage starts the body without a blank line
            --not a boundary
            """;

    @TempDir
    static Path dir;

    @BeforeAll
    static void postfixConfig() {
        Assumptions.requireCommand("postmap");
        // compatibility_level 3.6 gives Postfix 3.7's defaults (smtputf8_enable = yes) without warnings.
        ChecksFixtures.write(dir, "main.cf", "compatibility_level = 3.6\n");
        ChecksFixtures.write(dir, "master.cf", "");
        ChecksFixtures.write(dir, "rules", RULES);
        ChecksFixtures.write(dir, "no-blank-line.eml", NO_BLANK_LINE);
    }

    static Stream<Arguments> cases() {
        return Stream.of("multipart-rfc822.eml", "nested-multipart.eml", "folded.eml", "no-body.eml",
                "utf8-headers.eml", "no-blank-line.eml").flatMap(m -> Stream.of(Arguments.of("regexp", m),
                Arguments.of("pcre", m)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void sameMatchesAsPostmap(String type, String fixture) throws Exception {
        byte[] message = fixture.equals("no-blank-line.eml")
                ? NO_BLANK_LINE.getBytes(java.nio.charset.StandardCharsets.UTF_8) : ChecksFixtures.message(fixture);
        String table = type + ":" + dir.resolve("rules");
        ContentChecks checks = ChecksFixtures.checks(dir, Map.of("header_checks", table, "body_checks", table,
                "body_checks_size_limit", "0"));
        ChecksFixtures.Run run = ChecksFixtures.run(checks,
                ChecksFixtures.split(new String(message, java.nio.charset.StandardCharsets.UTF_8)));

        String headers = postmap("-h", table, message);
        String body = postmap("-b", table, message).lines().filter(l -> !l.startsWith("\t"))
                .map(l -> l + "\n").collect(Collectors.joining());
        assertThat(expected(run, CheckResult.Where.HEADER)).as("header matches").isEqualTo(headers);
        assertThat(expected(run, CheckResult.Where.BODY)).as("body matches").isEqualTo(body);
        assertThat(run.matches()).as("every rule result is usable").allMatch(r -> r.problem() == null);
    }

    /** What postmap would print for our matches: key TAB value, one per match. */
    private static String expected(ChecksFixtures.Run run, CheckResult.Where where) {
        return run.matches().stream().filter(r -> r.where() == where)
                .map(r -> r.input() + "\t" + r.action() + (r.text().isEmpty() ? "" : " " + r.text()) + "\n")
                .collect(Collectors.joining());
    }

    private static String postmap(String mode, String table, byte[] message) {
        CommandResult r = ExternalCommand.of("postmap", "-c", dir.toString(), "-m", mode, "-q", "-", table)
                .stdin(message).timeout(Duration.ofSeconds(30)).run();
        assertThat(r.exitCode()).as(r.describe()).isIn(0, 1); // 1: nothing matched
        assertThat(r.stderr()).as(r.describe()).isEmpty();
        return r.stdout();
    }
}
