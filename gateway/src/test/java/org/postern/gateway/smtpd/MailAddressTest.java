package org.postern.gateway.smtpd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MailAddressTest {
    private static MailAddress parse(String s) {
        return MailAddress.parse(s, true).orElse(null);
    }

    @Test
    void plain() {
        MailAddress a = parse("User@Example.COM");
        assertThat(a.localPart()).isEqualTo("User");
        assertThat(a.domain()).isEqualTo("example.com");
        assertThat(a.isRouted()).isFalse();
        assertThat(a.toString()).isEqualTo("User@example.com");
    }

    @Test
    void sourceRouteIsDropped() {
        MailAddress a = parse("@relay1.example,@relay2.example:user@example.com");
        assertThat(a.toString()).isEqualTo("user@example.com");
        assertThat(parse("@bad domain:user@example.com")).isNull();
    }

    @Test
    void routingOperatorsAreFlagged() {
        assertThat(parse("user%remote.example@ours.example").isRouted()).isTrue();
        assertThat(parse("remote.example!user@ours.example").isRouted()).isTrue();
        MailAddress quoted = parse("\"user@remote.example\"@ours.example");
        assertThat(quoted.localPart()).isEqualTo("user@remote.example");
        assertThat(quoted.domain()).isEqualTo("ours.example");
        assertThat(quoted.isRouted()).isTrue();
        assertThat(quoted.toString()).isEqualTo("\"user@remote.example\"@ours.example");
    }

    @Test
    void quotedLocalPartWithSpacesIsFine() {
        MailAddress a = parse("\"joe smith\"@example.com");
        assertThat(a.localPart()).isEqualTo("joe smith");
        assertThat(a.isRouted()).isFalse();
        assertThat(a.toString()).isEqualTo("\"joe smith\"@example.com");
    }

    @Test
    void literals() {
        assertThat(parse("user@[192.0.2.1]").isLiteral()).isTrue();
        assertThat(parse("user@[IPv6:2001:db8::1]").isLiteral()).isTrue();
        assertThat(parse("user@[300.1.1.1]")).isNull();
        assertThat(parse("user@[example.com]")).isNull();
    }

    @Test
    void syntaxErrors() {
        assertThat(parse("")).isNull();
        assertThat(parse("a b@example.com")).isNull();
        assertThat(parse("user@exa mple.com")).isNull();
        assertThat(parse("user@-bad.example")).isNull();
        assertThat(parse("\"unterminated@example.com")).isNull();
        assertThat(parse("user@")).isNull();
    }

    @Test
    void utf8OnlyWhenAllowed() {
        assertThat(MailAddress.parse("jörg@bücher.example", false)).isEmpty();
        MailAddress a = MailAddress.parse("jörg@bücher.example", true).orElseThrow();
        assertThat(a.isAscii()).isFalse();
    }

    @Test
    void bareLocalPart() {
        MailAddress a = parse("postmaster");
        assertThat(a.hasDomain()).isFalse();
    }
}
