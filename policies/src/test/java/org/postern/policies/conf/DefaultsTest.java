package org.postern.policies.conf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The shipped default set (policies/defaults, copied to /etc/postern) loads without errors. */
class DefaultsTest {
    static final Path DEFAULTS = Path.of("defaults").toAbsolutePath();

    @Test
    void defaultsLoadWithoutErrors() throws Exception {
        Config c = Config.load(DEFAULTS);
        assertThat(c.services()).extracting(Service::name)
                .containsExactly("smtp", "submission", "smtps", "127.0.0.1:10025");
        assertThat(c.services().get(1).config(c).get("smtpd_relay_restrictions"))
                .isEqualTo("permit_sasl_authenticated,reject");
        assertThat(c.relayDomains().matches("example.com")).isTrue();
        assertThat(c.warnings()).allSatisfy(w -> assertThat(w.message()).doesNotContain("unknown parameter"));
    }
}
