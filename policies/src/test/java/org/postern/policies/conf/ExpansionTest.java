// ExpansionTest: $name expansion of main.cf values (Expander via Config.load) -- every Postfix
// form, recursion, loop errors and undefined-name warnings, each with its main.cf:LINE.
package org.postern.policies.conf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.postern.policies.conf.ConfFiles.failure;
import static org.postern.policies.conf.ConfFiles.load;
import static org.postern.policies.conf.ConfFiles.mainCf;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExpansionTest {
    @TempDir
    Path dir;

    private String banner(String mainCf) throws ConfigException {
        return load(dir, mainCf).get("smtpd_banner");
    }

    @Test
    void plainBracedAndParenthesizedNames() throws Exception {
        String cf = "myhostname = mx.example.org\nsite = example\n"
                + "smtpd_banner = $myhostname|${myhostname}|$(myhostname)|${ site }|$site.net|x$site-y\n";
        assertThat(banner(cf)).isEqualTo("mx.example.org|mx.example.org|mx.example.org|example|example.net|xexample-y");
    }

    @Test
    void doubleDollarIsALiteralDollar() throws Exception {
        assertThat(banner("smtpd_banner = costs $$5 and $$$$\n")).isEqualTo("costs $5 and $$");
    }

    @Test
    void conditionalForms() throws Exception {
        String cf = "set = v\nempty =\nindirect = $empty\n"
                + "smtpd_banner = [${set?yes}][${empty?yes}][${set:no}][${empty:no}]"
                + "[${set?{A $set}:{B}}][${empty?{A}:{B $set}}][${set ? {x} : {y}}][${set?a:b}]"
                + "[${indirect?raw value tested}][$indirect]\n";
        assertThat(banner(cf)).isEqualTo("[yes][][][no][A v][B v][x][a:b][raw value tested][]");
    }

    @Test
    void relationalOperators() throws Exception {
        String cf = "lvl = 3.6\nsmtpd_banner = ${{a} == {a} ? {eq} : {ne}} ${{a} != {a} ? {ne} : {eq}}"
                + " ${{10} < {9} ? {lt} : {ge}} ${{b} > {a}?{gt}:{le}} ${{2} <= {2}?{le}} ${{1} >= {2}:{lt}}"
                + " ${{$lvl} <level {3.10} ? {older} : {newer}} [${{x} == {y}}] [${{x} == {x}}]\n";
        assertThat(banner(cf)).isEqualTo("eq eq ge gt le lt older [] [true]");
    }

    @Test
    void expansionIsRecursiveAndDefaultsExpandToo() throws Exception {
        Config c = load(dir, "myhostname = gw.example.com\na = $b-x\nb = ${c}\nc = $myhostname\n"
                + "smtpd_banner = $a\n");
        assertThat(c.get("smtpd_banner")).isEqualTo("gw.example.com-x");
        assertThat(c.get("mydomain")).isEqualTo("example.com");
        assertThat(c.get("mydestination")).isEqualTo("gw.example.com, localhost.example.com, localhost");
        assertThat(c.get("myorigin")).isEqualTo("gw.example.com");
        assertThat(c.raw("myorigin")).isEqualTo("$myhostname");
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void singleLabelHostnameGivesLocaldomain() throws Exception {
        assertThat(load(dir, "myhostname = vm\n").get("mydomain")).isEqualTo("localdomain");
    }

    @Test
    void loopIsAnErrorNamingTheParameterAndTheCycle() {
        ConfigException e = failure(dir, "a = $b\nb = ${a}\nsmtpd_banner = $a\n", ConfFiles.SMTP_ONLY);
        assertThat(e.errors()).extracting(Diagnostic::toString).containsExactly(
                mainCf(dir, 1) + ": error: recursive expansion of parameter \"a\": a -> b -> a");
    }

    @Test
    void selfReferenceIsALoop() {
        ConfigException e = failure(dir, "myorigin = x.$myorigin\n", ConfFiles.SMTP_ONLY);
        assertThat(e.getMessage()).isEqualTo(
                mainCf(dir, 1) + ": error: recursive expansion of parameter \"myorigin\": myorigin -> myorigin");
    }

    @Test
    void loopThroughComputedDefaultIsDetected() {
        ConfigException e = failure(dir, "myhostname = mx.$mydomain\n", ConfFiles.SMTP_ONLY);
        assertThat(e.errors()).extracting(Diagnostic::message)
                .containsExactly("recursive expansion of parameter \"myhostname\": myhostname -> mydomain -> myhostname");
    }

    @Test
    void loopAmongNamesPosternNeverExpandsIsNotAnError() throws Exception {
        Config c = load(dir, "x = $y\ny = ${x}\nz = $z\n");
        assertThat(c.warnings()).extracting(Diagnostic::message).containsExactly("unknown parameter \"z\"");
    }

    @Test
    void namesReferencedFromValuesPosternIgnoresAreUsed() throws Exception {
        ConfFiles.write(dir, "my_aliases = hash:/etc/aliases\nalias_maps = $my_aliases\nrelay_name = relay\n"
                        + "alias_database = $alias_maps\nsmtpd_banner = $compatibility_level\ncompatibility_level = 3.6\n",
                "smtp inet n - n - - smtpd\nrelay unix - - n - - smtp -o syslog_name=postfix/${relay_name}\n");
        assertThat(Config.load(dir).warnings()).extracting(Diagnostic::message).containsExactly(
                "parameter \"alias_maps\" is a Postfix parameter that Postern does not use; ignored",
                "parameter \"alias_database\" is a Postfix parameter that Postern does not use; ignored");
        assertThat(Expander.scanNames("$a ${ b?{$c}:{x$$d}} $(e) ${{$f} == {1}} $$g")).containsExactly("a", "b", "c", "e", "f");
    }

    @Test
    void undefinedNameExpandsToEmptyWithAWarning() throws Exception {
        Config c = load(dir, "smtpd_banner = a${nosuch}b\nsyslog_name = p${compatibility_level}q\n");
        assertThat(c.get("smtpd_banner")).isEqualTo("ab");
        assertThat(c.get("syslog_name")).isEqualTo("pq");
        assertThat(c.warnings()).extracting(Diagnostic::toString).containsExactly(
                mainCf(dir, 1) + ": warning: the value of smtpd_banner refers to undefined parameter \"nosuch\";"
                        + " it expands to empty",
                mainCf(dir, 2) + ": warning: the value of syslog_name refers to \"compatibility_level\", a Postfix"
                        + " parameter that Postern does not use and that is not set here; it expands to empty");
    }

    @Test
    void userDefinedNamesThatAreReferencedAreNotReported() throws Exception {
        Config c = load(dir, "site = example.org\nsmtpd_banner = ${site}\n");
        assertThat(c.get("smtpd_banner")).isEqualTo("example.org");
        assertThat(c.warnings()).isEmpty();
        assertThat(c.isExplicit("site")).isTrue();
    }

    @Test
    void syntaxErrorsAreErrorsAtTheLine() {
        ConfigException e = failure(dir, "# comment\nsmtpd_banner = x ${foo\nmyorigin = $\n"
                + "syslog_name = ${a b}\nmail_name = ${{a} = {b} ? {x}}\nmaillog_file = ${set?{a}x}\nset = 1\n",
                ConfFiles.SMTP_ONLY);
        assertThat(e.errors()).extracting(Diagnostic::toString).containsExactly(
                mainCf(dir, 2) + ": error: bad $name expansion in the value of smtpd_banner: truncated macro reference: \"x ${foo\"",
                mainCf(dir, 3) + ": error: bad $name expansion in the value of myorigin: empty macro name: \"$\"",
                mainCf(dir, 4) + ": error: bad $name expansion in the value of syslog_name: attribute name syntax error at: \"...a>>> b\"",
                mainCf(dir, 5) + ": error: bad $name expansion in the value of mail_name: \"==\" or \"!=\" or \"<\" or \"<=\" or \">=\" or \">\" expected at: \"...{a}>>>= {b} ? {x}\"",
                mainCf(dir, 6) + ": error: bad $name expansion in the value of maillog_file: \":\" expected at: \"...a}>>>x\"");
    }

    @Test
    void badValueAfterExpansionNamesBothForms() {
        ConfigException e = failure(dir, "limit = 10x\nmessage_size_limit = $limit\n", ConfFiles.SMTP_ONLY);
        assertThat(e.errors()).extracting(Diagnostic::toString).containsExactly(mainCf(dir, 2)
                + ": error: bad numerical value for message_size_limit: \"10x\" (use a decimal number) (expanded from \"$limit\")");
    }

    @Test
    void overridesTakePartInExpansion() throws Exception {
        Config main = load(dir, "myhostname = mx.example.org\n");
        Config derived = main.withOverrides(Map.of("myhostname", "relay.example.net"));
        assertThat(derived.get("smtpd_banner")).isEqualTo("relay.example.net ESMTP Postern");
        assertThat(derived.get("mydomain")).isEqualTo("example.net");
        assertThat(main.get("smtpd_banner")).isEqualTo("mx.example.org ESMTP Postern");
    }

    // Found by ConfigFuzzTest: deep nesting and long reference chains overflowed the stack.
    @Test
    void deepNestingIsAnErrorAtItsLineNotAStackOverflow() {
        String nested = "${site?".repeat(5000) + "x" + "}".repeat(5000);
        ConfigException e = failure(dir, "site = 1\nsmtpd_banner = " + nested + "\n", ConfFiles.SMTP_ONLY);
        assertThat(e.errors()).extracting(Diagnostic::toString).containsExactly(mainCf(dir, 2)
                + ": error: bad $name expansion in the value of smtpd_banner: unreasonable macro call nesting"
                + " (more than 100 levels): \"" + "${site?".repeat(15).substring(0, 100) + "...\"");
    }

    @Test
    void longReferenceChainIsAnErrorNotAStackOverflow() throws Exception {
        StringBuilder cf = new StringBuilder("myorigin = $m0\n");
        for (int i = 0; i < 5000; i++) cf.append("m").append(i).append(" = $m").append(i + 1).append('\n');
        ConfigException e = failure(dir, cf.toString(), ConfFiles.SMTP_ONLY);
        assertThat(e.errors()).singleElement().extracting(Diagnostic::message).asString()
                .contains("unreasonable macro call nesting (more than 100 levels)");
        // within Postfix's limit a chain is fine
        StringBuilder shorter = new StringBuilder("myorigin = $m0\n");
        for (int i = 0; i < 50; i++) shorter.append("m").append(i).append(" = $m").append(i + 1).append('\n');
        assertThat(load(dir, shorter + "m50 = example.org\n").get("myorigin")).isEqualTo("example.org");
    }

    // Found by ConfigFuzzTest: each macro doubling the next grew a value to 2^64 characters.
    @Test
    void valueThatGrowsBeyondOneMillionCharactersIsOneError() {
        StringBuilder cf = new StringBuilder("smtpd_banner = $m0\n");
        for (int i = 0; i < 64; i++) cf.append("m").append(i).append(" = $m").append(i + 1).append("$m").append(i + 1).append('\n');
        cf.append("m64 = xx\n");
        ConfigException e = failure(dir, cf.toString(), ConfFiles.SMTP_ONLY);
        assertThat(e.errors()).singleElement().extracting(Diagnostic::message).asString()
                .contains("the expanded value is longer than 1000000 characters");
    }

    @Test
    void compareFollowsPostfix() {
        assertThat(MacroExpression.compare("10", "<", "", "9")).isFalse();
        assertThat(MacroExpression.compare("10", "<", "", "9x")).isTrue();
        assertThat(MacroExpression.compare("3.10", ">", "level", "3.9")).isTrue();
        assertThat(MacroExpression.compare("3", "==", "level", "3.0.0")).isTrue();
        assertThat(MacroExpression.compare("x", "==", "level", "3")).isNull();
    }
}
