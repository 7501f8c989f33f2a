// ParametersTest: the parameter registry and the Postfix name list -- declared once, Postfix's
// names except the Postern-only ones, typo suggestions, and the machine-name default.
package org.postern.policies.conf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ParametersTest {

    @Test
    void requiredParametersAreDeclaredWithDocs() {
        assertThat(Parameters.all()).extracting(Parameter::name).contains("myhostname", "mydomain", "myorigin",
                "mynetworks", "mydestination", "relay_domains", "parent_domain_matches_subdomains",
                "queue_directory", "data_directory", "config_directory", "mail_name", "message_size_limit",
                "line_length_limit", "header_size_limit", "smtpd_recipient_limit", "smtpd_timeout",
                "smtpd_hard_error_limit", "smtpd_soft_error_limit", "smtpd_error_sleep_time",
                "smtpd_junk_command_limit", "smtpd_banner", "smtpd_tls_cert_file", "smtpd_tls_key_file",
                "smtpd_tls_security_level", "smtpd_tls_auth_only", "smtpd_tls_wrappermode",
                "smtpd_sasl_auth_enable", "smtpd_client_connection_count_limit", "smtpd_discard_ehlo_keywords",
                "smtputf8_enable", "allow_percent_hack", "swap_bangpath", "resolve_dequoted_address",
                "maillog_file", "syslog_name", "syslog_facility", "enable_long_queue_ids",
                "smtpd_forbid_bare_newline", "smtpd_client_restrictions", "smtpd_helo_restrictions",
                "smtpd_sender_restrictions", "smtpd_relay_restrictions", "smtpd_recipient_restrictions",
                "smtpd_data_restrictions", "smtpd_sasl_password_file", "smtpd_pregreet_wait",
                "smtpd_shutdown_timeout", "default_process_limit");
        assertThat(Parameters.all()).allSatisfy(p -> assertThat(p.doc()).isNotBlank());
        assertThat(Parameters.all()).extracting(Parameter::name).doesNotHaveDuplicates();
    }

    @Test
    void onlyTheDocumentedParametersArePosternOnly() {
        Set<String> posternOnly = Parameters.all().stream().map(Parameter::name)
                .filter(n -> !ParameterNames.postfixNames().contains(n))
                .filter(n -> !n.startsWith("vscan_") && !n.startsWith("quarantine_")) // the content-filter stage
                .collect(Collectors.toSet());
        assertThat(posternOnly).containsExactlyInAnyOrder(
                "smtpd_sasl_password_file", "smtpd_pregreet_wait", "smtpd_shutdown_timeout",
                "dns_servers", "dns_timeout", "rbl_tempfail_action");
    }

    @Test
    void postfixNameListIsTheGeneratedOne() {
        assertThat(ParameterNames.postfixNames()).hasSize(1043)
                .contains("biff", "alias_maps", "compatibility_level", "relay_destination_concurrency_limit")
                .noneMatch(n -> n.startsWith("#") || n.isBlank());
    }

    @Test
    void suggestionsOnlyWhenClose() {
        assertThat(ParameterNames.suggest("mesage_size_limit")).contains("message_size_limit");
        assertThat(ParameterNames.suggest("smtpd_tiemout")).contains("smtpd_timeout");
        assertThat(ParameterNames.suggest("Myhostname")).contains("myhostname");
        assertThat(ParameterNames.suggest("smtpd_pregreet_wiat")).contains("smtpd_pregreet_wait");
        assertThat(ParameterNames.suggest("xyzzy")).isEmpty();
        assertThat(ParameterNames.suggest("my_own_macro_name")).isEmpty();
        assertThat(ParameterNames.distance("ab", "ba")).isEqualTo(1);
    }

    @Test
    void perTransportNamesNeedTheService() {
        assertThat(ParameterNames.isPostfixName("foo_time_limit", List.of("foo"))).isTrue();
        assertThat(ParameterNames.isPostfixName("foo_time_limit", List.of("bar"))).isFalse();
        assertThat(ParameterNames.isPostfixName("foo_bogus", List.of("foo"))).isFalse();
    }

    @Test
    void machineNameIsQualifiedAsPostfixDoes() {
        assertThat(LocalHost.choose("mx.example.org", "localhost")).isEqualTo("mx.example.org");
        assertThat(LocalHost.choose("vm", "localhost")).isEqualTo("vm.localdomain");
        assertThat(LocalHost.choose("mx", "mx.example.org")).isEqualTo("mx.example.org");
        assertThat(LocalHost.choose("mx", "127.0.0.1")).isEqualTo("mx.localdomain");
        assertThat(LocalHost.fqdn()).contains(".");
        assertThat(Parameters.parentDomain("mx.example.org")).isEqualTo("example.org");
        assertThat(Parameters.parentDomain("vm")).isEqualTo("localdomain");
    }

    @Test
    void timeParametersHaveADefaultUnitAndOnlyThey() {
        assertThat(Parameters.all()).allSatisfy(p ->
                assertThat(p.defaultUnit() != null).isEqualTo(p.type() == Parameter.Type.TIME));
    }
}
