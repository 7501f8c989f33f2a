// SaslResponsesTest: decoding of AUTH PLAIN (RFC 4616) and AUTH LOGIN client responses as smtpd
// receives them (RFC 4954): cancel, empty response, malformed base64, NUL fields, proxy authorization.
package org.postern.gateway.sasl;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.postern.gateway.sasl.SaslResult.Failure;

class SaslResponsesTest {

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(UTF_8));
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    private static Credentials ok(SaslResult<Credentials> r) {
        assertThat(r).isInstanceOf(SaslResult.Ok.class);
        return ((SaslResult.Ok<Credentials>) r).value();
    }

    private static void failed(SaslResult<?> r, Failure failure, String detail) {
        assertThat(r).isInstanceOfSatisfying(SaslResult.Failed.class, f -> {
            assertThat(f.failure()).isEqualTo(failure);
            assertThat(f.detail()).contains(detail);
        });
    }

    @Test
    void plainWithEmptyAuthzid() {
        Credentials c = ok(SaslResponses.plain(b64("\0alice@example.org\0correct horse")));
        assertThat(c.authcid()).isEqualTo("alice@example.org");
        assertThat(c.password()).isEqualTo("correct horse".getBytes(UTF_8));
        assertThat(c.toString()).doesNotContain("correct").contains("13 bytes");
    }

    @Test
    void plainRfc4616Example() {
        // RFC 4616 section 4: "\0tim\0tanstaaftanstaaf"
        Credentials c = ok(SaslResponses.plain("AHRpbQB0YW5zdGFhZnRhbnN0YWFm"));
        assertThat(c.authcid()).isEqualTo("tim");
        assertThat(new String(c.password(), UTF_8)).isEqualTo("tanstaaftanstaaf");
    }

    @Test
    void plainAuthzidEqualToAuthcidIsAcceptedOtherwiseRejected() {
        assertThat(ok(SaslResponses.plain(b64("bob\0bob\0pw"))).authcid()).isEqualTo("bob");
        SaslResult<Credentials> r = SaslResponses.plain(b64("admin\0bob\0pw"));
        failed(r, Failure.AUTHZID_REJECTED, "\"admin\"");
        assertThat(((SaslResult.Failed<Credentials>) r).reply().oneLine()).startsWith("535 5.7.8");
    }

    @Test
    void plainKeepsUtf8NamesAndRawPasswordBytes() {
        byte[] msg = {0, 'j', (byte) 0xc3, (byte) 0xb6, 'e', 0, (byte) 0xff, (byte) 0xfe, 'x'};
        Credentials c = ok(SaslResponses.plain(b64(msg)));
        assertThat(c.authcid()).isEqualTo("jöe");
        assertThat(c.password()).containsExactly((byte) 0xff, (byte) 0xfe, 'x');
    }

    @Test
    void cancelAndEmptyResponses() {
        SaslResult<Credentials> cancelled = SaslResponses.plain("*");
        failed(cancelled, Failure.CANCELLED, "cancel");
        assertThat(((SaslResult.Failed<Credentials>) cancelled).reply().oneLine()).startsWith("501 5.7.0");
        failed(SaslResponses.plain("="), Failure.MALFORMED, "NUL");
        failed(SaslResponses.plain(""), Failure.MALFORMED, "NUL");
    }

    @Test
    void malformedBase64() {
        failed(SaslResponses.plain("AHRpbQB0YW5zdGFhZnRhbnN0YWF"), Failure.MALFORMED, "multiple of 4");
        failed(SaslResponses.plain("AHRp bQB0"), Failure.MALFORMED, "base64");
        failed(SaslResponses.plain("AHR$bQB0"), Failure.MALFORMED, "base64");
        failed(SaslResponses.plain("AH==bQB0"), Failure.MALFORMED, "base64");
        failed(SaslResponses.plain("AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r"), Failure.MALFORMED, "");
    }

    @Test
    void plainFieldErrors() {
        failed(SaslResponses.plain(b64("alice\0secret")), Failure.MALFORMED, "two NUL");
        failed(SaslResponses.plain(b64("alicesecret")), Failure.MALFORMED, "two NUL");
        failed(SaslResponses.plain(b64("\0alice\0sec\0ret")), Failure.MALFORMED, "more than two");
        failed(SaslResponses.plain(b64("\0\0secret")), Failure.MALFORMED, "empty user");
        failed(SaslResponses.plain(b64("\0alice\0")), Failure.MALFORMED, "empty password");
        failed(SaslResponses.plain(b64(new byte[] {0, (byte) 0xff, 'a', 0, 'p'})), Failure.MALFORMED, "UTF-8");
        failed(SaslResponses.plain(b64("\0" + "u".repeat(256) + "\0p")), Failure.MALFORMED, "255");
        failed(SaslResponses.plain(b64("\0u\0" + "p".repeat(1025))), Failure.MALFORMED, "longer");
        assertThat(ok(SaslResponses.plain(b64("\0" + "u".repeat(255) + "\0" + "p".repeat(1024)))).password())
                .hasSize(1024);
    }

    @Test
    void loginSteps() {
        SaslResult<byte[]> user = SaslResponses.base64Step("dXNlckBleGFtcGxlLm9yZw==");
        SaslResult<byte[]> pass = SaslResponses.base64Step(b64("pässword"));
        Credentials c = ok(SaslResponses.login(((SaslResult.Ok<byte[]>) user).value(), ((SaslResult.Ok<byte[]>) pass).value()));
        assertThat(c.authcid()).isEqualTo("user@example.org");
        assertThat(c.password()).isEqualTo("pässword".getBytes(UTF_8));

        assertThat(((SaslResult.Ok<byte[]>) SaslResponses.base64Step("=")).value()).isEmpty();
        failed(SaslResponses.base64Step("*"), Failure.CANCELLED, "");
        failed(SaslResponses.base64Step("dXNlcg="), Failure.MALFORMED, "");
        failed(SaslResponses.base64Step("dXN!cg=="), Failure.MALFORMED, "");
    }

    @Test
    void loginFieldErrors() {
        failed(SaslResponses.login(new byte[0], "pw".getBytes(UTF_8)), Failure.MALFORMED, "empty user");
        failed(SaslResponses.login("u".getBytes(UTF_8), new byte[0]), Failure.MALFORMED, "empty password");
        failed(SaslResponses.login(new byte[] {(byte) 0xc3}, "pw".getBytes(UTF_8)), Failure.MALFORMED, "UTF-8");
        failed(SaslResponses.login(new byte[] {'a', 0, 'b'}, "pw".getBytes(UTF_8)), Failure.MALFORMED, "NUL");
        failed(SaslResponses.login("u".getBytes(UTF_8), new byte[] {'a', 0}), Failure.MALFORMED, "NUL");
    }

    @Test
    void wipeZeroesThePassword() {
        Credentials c = ok(SaslResponses.plain(b64("\0alice\0secret")));
        c.wipe();
        assertThat(c.password()).containsOnly((byte) 0);
    }
}
