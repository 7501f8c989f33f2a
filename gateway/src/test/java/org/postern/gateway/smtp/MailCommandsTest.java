// MailCommandsTest: MAIL FROM / RCPT TO command lines -- SIZE, BODY, SMTPUTF8, DSN parameters only to a
// DSN peer, xtext and utf-8-addr-xtext encoding, and the addresses that must never reach the wire.
package org.postern.gateway.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.postern.core.ClientInfo;
import org.postern.core.Envelope;
import org.postern.core.QueueId;
import org.postern.core.Recipient;
import org.postern.core.Recipient.Notify;
import org.postern.core.SmtpReply;

class MailCommandsTest {
    static final EhloCapabilities PLAIN = EhloCapabilities.NONE;
    static final EhloCapabilities ALL = EhloCapabilities.parse(SmtpReply.of(250, null,
            "mx\nPIPELINING\nSIZE 10240000\n8BITMIME\nDSN\nSMTPUTF8"));

    static Envelope env(String sender, Envelope.Ret ret, String envid) {
        return new Envelope(new QueueId("3F2A61C0A1B"), Instant.EPOCH, new ClientInfo("c", "192.0.2.1", 1, null, null,
                null, null, null, null), sender, List.of(Recipient.of("a@example.test")), -1,
                Envelope.BodyType.EIGHT_BIT_MIME, false, ret, envid);
    }

    @Test
    void xtextEncodesPlusEqualsControlsSpaceAndNonAsciiBytes() {
        assertThat(MailCommands.xtext("a+b=c d")).isEqualTo("a+2Bb+3Dc+20d");
        assertThat(MailCommands.xtext("rfc822;x@y")).isEqualTo("rfc822;x@y");
        assertThat(MailCommands.xtext("\r\n\u0000~!")).isEqualTo("+0D+0A+00~!");
        assertThat(MailCommands.xtext("é")).isEqualTo("+C3+A9");
    }

    @Test
    void mailFromCarriesDsnParametersOnlyToADsnPeer() {
        Envelope e = env("s@example.test", Envelope.Ret.HDRS, "id+1 2");
        assertThat(MailCommands.mailFrom(e, 1234, ALL, "8BITMIME", false))
                .isEqualTo("MAIL FROM:<s@example.test> SIZE=1234 BODY=8BITMIME RET=HDRS ENVID=id+2B1+202");
        assertThat(MailCommands.mailFrom(e, 1234, PLAIN, null, false)).isEqualTo("MAIL FROM:<s@example.test>");
        assertThat(MailCommands.mailFrom(env("", null, null), 5, ALL, null, true)).isEqualTo("MAIL FROM:<> SIZE=5 SMTPUTF8");
    }

    @Test
    void rcptToWithNotifyAndOrcpt() {
        Recipient r = new Recipient("u@example.test", Set.of(Notify.FAILURE, Notify.SUCCESS), "rfc822;Orig+X@example.test");
        assertThat(MailCommands.rcptTo(r, ALL))
                .isEqualTo("RCPT TO:<u@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Orig+2BX@example.test");
        assertThat(MailCommands.rcptTo(r, PLAIN)).isEqualTo("RCPT TO:<u@example.test>");
        assertThat(MailCommands.rcptTo(new Recipient("n@example.test", Set.of(Notify.NEVER), null), ALL))
                .isEqualTo("RCPT TO:<n@example.test> NOTIFY=NEVER ORCPT=rfc822;n@example.test");
    }

    @Test
    void nonAsciiOrcptUsesUtf8AddrXtext() {
        Recipient r = new Recipient("δ@example.test", Set.of(), "utf-8;δ+x=@example.test");
        assertThat(MailCommands.orcpt(r)).isEqualTo("utf-8;\\x{3B4}\\x{2B}x\\x{3D}@example.test");
        assertThat(MailCommands.orcpt(Recipient.of("ü@example.test"))).isEqualTo("utf-8;\\x{FC}@example.test");
        assertThat(MailCommands.orcpt(new Recipient("a@b", Set.of(), "garbage"))).isNull();
    }

    @Test
    void hostileValuesCannotBreakTheCommandLine() {
        Recipient r = new Recipient("a@b", Set.of(), "rfc822;a@b\r\nRCPT TO:<evil@x>");
        assertThat(MailCommands.rcptTo(r, ALL)).doesNotContain("\r", "\n").contains("+0D+0ARCPT+20TO:<evil@x>");
        assertThat(MailCommands.sendable("\"john\r\ndoe\"@example.net")).isFalse();
        assertThat(MailCommands.sendable("a>b@example.net")).isFalse();
        assertThat(MailCommands.sendable("\"john doe\"@example.net")).isTrue();
        assertThat(MailCommands.sendable("δοκιμή@παράδειγμα.δοκιμή")).isTrue();
        assertThat(MailCommands.isAscii("δ@x")).isFalse();
    }
}
