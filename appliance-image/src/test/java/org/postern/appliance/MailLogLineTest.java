// MailLogLineTest: the mail log line must be byte-for-byte Postfix's syslog format (pflogsumm
// parses it): "Nov  1 23:26:00 host postern/smtpd[12345]: msg", with a fixed clock and zone.
package org.postern.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class MailLogLineTest {
    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    private final MailLogLine line = new MailLogLine(PARIS, "mx1.example.test", "postern", 12345);

    @Test
    void formatsLikePostfixSyslogLines() {
        Clock clock = Clock.fixed(Instant.parse("2026-11-21T22:26:00Z"), ZoneOffset.UTC);
        assertThat(line.format(clock.instant(), "smtpd", MailLogLine.Severity.INFO,
                "connect from localhost[127.0.0.1]"))
                .isEqualTo("Nov 21 23:26:00 mx1 postern/smtpd[12345]: connect from localhost[127.0.0.1]");
    }

    @Test
    void padsSingleDigitDaysWithASpaceAndUsesTheZone() {
        // 23:05 UTC on Oct 31 is already Nov 1 in Paris
        Instant when = Instant.parse("2026-10-31T23:05:09Z");
        assertThat(line.format(when, "qmgr", MailLogLine.Severity.INFO, "4Xb2 removed"))
                .isEqualTo("Nov  1 00:05:09 mx1 postern/qmgr[12345]: 4Xb2 removed");
        assertThat(new MailLogLine(ZoneOffset.UTC, "mx1", "postern", 1)
                .format(when, "qmgr", MailLogLine.Severity.INFO, "x"))
                .startsWith("Oct 31 23:05:09 ");
    }

    @Test
    void monthIsEnglishWhateverTheDefaultLocale() {
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            assertThat(line.format(Instant.parse("2026-05-03T10:00:00Z"), "smtpd", MailLogLine.Severity.INFO, "x"))
                    .startsWith("May  3 12:00:00 mx1 ");
            assertThat(line.format(Instant.parse("2026-03-13T10:00:00Z"), "smtpd", MailLogLine.Severity.INFO, "x"))
                    .startsWith("Mar 13 11:00:00 mx1 ");
        } finally {
            Locale.setDefault(saved);
        }
    }

    @Test
    void warningsAndErrorsArePrefixedAsPostfixDoes() {
        Instant when = Instant.parse("2026-11-21T22:26:00Z");
        assertThat(line.format(when, "smtpd", MailLogLine.Severity.WARNING, "hostname nowhere does not resolve"))
                .isEqualTo("Nov 21 23:26:00 mx1 postern/smtpd[12345]: warning: hostname nowhere does not resolve");
        assertThat(line.format(when, "postern", MailLogLine.Severity.ERROR, "boom"))
                .isEqualTo("Nov 21 23:26:00 mx1 postern/postern[12345]: error: boom");
    }

    @Test
    void syslogNameAndShortHostnameComeFromMainCf() {
        MailLogLine other = new MailLogLine(PARIS, "gw.dmz.example.test", "postern-out", 7);
        assertThat(other.format(Instant.parse("2026-11-21T22:26:00Z"), "smtp", MailLogLine.Severity.INFO, "x"))
                .isEqualTo("Nov 21 23:26:00 gw postern-out/smtp[7]: x");
        assertThat(MailLogLine.shortHostname("localhost")).isEqualTo("localhost");
        assertThatThrownBy(() -> new MailLogLine(PARIS, ".example", "postern", 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void controlCharactersCannotForgeASecondLine() {
        String forged = "helo=<x>\nNov 21 23:26:00 mx1 postern/smtpd[1]: fake\r";
        assertThat(line.body("smtpd", MailLogLine.Severity.INFO, forged))
                .isEqualTo("postern/smtpd[12345]: helo=<x>?Nov 21 23:26:00 mx1 postern/smtpd[1]: fake?")
                .doesNotContain("\n");
        assertThat(line.body("smtpd", MailLogLine.Severity.INFO, "tab\tand ünïcode")).endsWith("tab\tand ünïcode");
        assertThat(line.body("smtpd", MailLogLine.Severity.INFO, null)).isEqualTo("postern/smtpd[12345]: ");
    }

    @Test
    void bidiOverridesAndUnicodeSeparatorsCannotDisguiseALine() {
        // "invoice\u202Efdp.exe" displays as "invoiceexe.pdf" in a terminal or a log viewer
        assertThat(line.body("vscan", MailLogLine.Severity.INFO, "banned: invoice\u202Efdp.exe \u2066x\u2069 a\u2028b c\u0085d"))
                .endsWith("banned: invoice?fdp.exe ?x? a?b c?d");
        assertThat(line.body("vscan", MailLogLine.Severity.INFO, "emoji \ud83d\ude00 lone \ud83d end"))
                .endsWith("emoji \ud83d\ude00 lone ? end");
    }
}
