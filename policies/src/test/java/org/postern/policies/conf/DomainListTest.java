// DomainListTest: domain list matching for mydestination/relay_domains -- case, trailing dots,
// parent_domain_matches_subdomains semantics, ".domain" patterns, negation, unsupported tables.
package org.postern.policies.conf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.postern.core.Origin;

class DomainListTest {

    @Test
    void exactMatchIsCaseInsensitiveAndIgnoresTrailingDots() {
        DomainList list = DomainList.of(List.of("Example.COM."), false);
        assertThat(list.matches("example.com")).isTrue();
        assertThat(list.matches("EXAMPLE.com.")).isTrue();
        assertThat(list.matches("example.org")).isFalse();
        assertThat(list.matches("")).isFalse();
    }

    @Test
    void withoutParentStyleOnlyDotPatternsMatchSubdomains() {
        DomainList list = DomainList.of(List.of("example.com", ".example.net"), false);
        assertThat(list.matches("sub.example.com")).isFalse();
        assertThat(list.matches("sub.example.net")).isTrue();
        assertThat(list.matches("a.b.example.net")).isTrue();
        assertThat(list.matches("example.net")).isFalse();
        assertThat(list.matches("badexample.net")).isFalse();
    }

    @Test
    void withParentStyleADomainMatchesItsSubdomains() {
        DomainList list = DomainList.of(List.of("example.com", ".example.net"), true);
        assertThat(list.subdomainsMatch()).isTrue();
        assertThat(list.matches("example.com")).isTrue();
        assertThat(list.matches("sub.example.com")).isTrue();
        assertThat(list.matches("a.b.example.com")).isTrue();
        assertThat(list.matches("badexample.com")).isFalse();
        assertThat(list.matches("sub.example.net")).isTrue();
        assertThat(list.matches("example.net")).isFalse();
    }

    @Test
    void negationAndFirstMatchWins() {
        DomainList list = DomainList.of(List.of("!private.example.com", "example.com", "", " "), true);
        assertThat(list.matches("private.example.com")).isFalse();
        assertThat(list.matches("public.example.com")).isTrue();
        assertThat(list).hasToString("[!private.example.com, example.com]");
    }

    @Test
    void tablesAndFilesAreNotSupportedYet() {
        assertThatThrownBy(() -> DomainList.of(List.of("hash:/etc/postern/relay_domains"), true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("\"hash:/etc/postern/relay_domains\": lookup tables are not supported yet");
        Origin at = new Origin("/etc/postern/main.cf", 4);
        assertThatThrownBy(() -> DomainList.parse("example.com, /etc/postern/domains", false, at))
                .isInstanceOf(ConfigException.class)
                .hasMessage("/etc/postern/main.cf:4: error: \"/etc/postern/domains\": /file/name patterns are not supported yet");
    }

    @Test
    void parseSplitsLikeMainCf() throws Exception {
        DomainList list = DomainList.parse("a.example, b.example\tc.example,,", false, Origin.builtin("test"));
        assertThat(list.matches("c.example")).isTrue();
        assertThat(list).hasToString("[a.example, b.example, c.example]");
    }
}
