// LogEventTest: a restriction's log event as the mail log gets it -- the rule's origin appended, and a
// configuration warning without its own "warning: " (the log layout writes it for WARN records).
package org.postern.policies.restrict;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.postern.core.Origin;

class LogEventTest {
    private static final Origin AT = new Origin("/etc/postern/access", 3);

    @Test
    void aWarningIsLoggedWithoutSayingWarningTwice() {
        LogEvent e = LogEvent.warning("access table /etc/postern/access: unknown restriction \"FROBNICATE\"", AT);
        assertThat(e.line()).startsWith("warning: access table");
        assertThat(e.messageWithOrigin())
                .isEqualTo("access table /etc/postern/access: unknown restriction \"FROBNICATE\" (/etc/postern/access:3)");
    }

    @Test
    void aSessionRecordKeepsItsLine() {
        LogEvent e = new LogEvent(false, "warning: this text is the client's", AT);
        assertThat(e.messageWithOrigin()).isEqualTo("warning: this text is the client's (/etc/postern/access:3)");
    }
}
