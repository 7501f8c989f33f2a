package org.postern.gateway.smtpd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.postern.core.Envelope.BodyType;
import org.postern.core.Envelope.Ret;
import org.postern.core.Recipient.Notify;

class EsmtpParamsTest {
    @Test
    void mailParameters() {
        EsmtpParams.Mail m = EsmtpParams.mail("SIZE=1000 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ+2B314", 10_000);
        assertThat(m.error()).isNull();
        assertThat(m.size()).isEqualTo(1000);
        assertThat(m.body()).isEqualTo(BodyType.EIGHT_BIT_MIME);
        assertThat(m.smtputf8()).isTrue();
        assertThat(m.ret()).isEqualTo(Ret.HDRS);
        assertThat(m.envid()).isEqualTo("QQ+314");
    }

    @Test
    void declaredSizeOverLimit() {
        assertThat(EsmtpParams.mail("SIZE=10001", 10_000).error().oneLine())
                .isEqualTo("552 5.3.4 Message size exceeds fixed limit");
        assertThat(EsmtpParams.mail("SIZE=99999999999999999999", 10_000).error().code()).isEqualTo(501);
    }

    @Test
    void unknownAndMalformed() {
        assertThat(EsmtpParams.mail("XFOO=1", 0).error().oneLine()).isEqualTo("555 5.5.4 Unsupported option: XFOO");
        assertThat(EsmtpParams.mail("BODY=BINARYMIME", 0).error().code()).isEqualTo(501);
        assertThat(EsmtpParams.mail("SIZE=1 SIZE=2", 0).error().code()).isEqualTo(501);
        assertThat(EsmtpParams.mail("SMTPUTF8 BODY=8BITMIME SMTPUTF8", 0).error()).isNull();
        assertThat(EsmtpParams.mail("ENVID=a+zz", 0).error().code()).isEqualTo(501);
    }

    @Test
    void rcptParameters() {
        EsmtpParams.Rcpt r = EsmtpParams.rcpt("NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a+2Bb@example.com");
        assertThat(r.error()).isNull();
        assertThat(r.notifyOn()).containsExactlyInAnyOrder(Notify.SUCCESS, Notify.FAILURE);
        assertThat(r.orcpt()).isEqualTo("rfc822;a+b@example.com");
        assertThat(EsmtpParams.rcpt("NOTIFY=NEVER,SUCCESS").error().code()).isEqualTo(501);
        assertThat(EsmtpParams.rcpt("NOTIFY=SOMETIMES").error().code()).isEqualTo(501);
        assertThat(EsmtpParams.rcpt("ORCPT=nosemicolon").error().code()).isEqualTo(501);
    }
}
