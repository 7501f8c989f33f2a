package org.postern.policies.conf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MainCfEditorTest {
    @Test
    void replacesTheLastAssignmentWithItsContinuationLinesAndKeepsEverythingElse() {
        String in = "# my gateway\nmyhostname = a.example\n\nmynetworks = 127.0.0.0/8\n    10.0.0.0/8\n"
                + "# relay\nrelay_domains = x.test\nmyhostname = b.example\n";
        Map<String, String> e = new LinkedHashMap<>();
        e.put("mynetworks", "127.0.0.0/8 [::1]/128");
        e.put("myhostname", "c.example");
        e.put("message_size_limit", "20480000");
        assertThat(MainCfEditor.edit(in, e)).isEqualTo("# my gateway\nmyhostname = a.example\n\n"
                + "mynetworks = 127.0.0.0/8 [::1]/128\n# relay\nrelay_domains = x.test\nmyhostname = c.example\n"
                + "message_size_limit = 20480000\n");
    }

    @Test
    void commentsInsideAContinuedValueStay() {
        String in = "smtpd_recipient_restrictions =\n  permit_mynetworks\n# note\n  reject_unauth_destination\nx = 1\n";
        assertThat(MainCfEditor.edit(in, Map.of("smtpd_recipient_restrictions", "reject")))
                .isEqualTo("smtpd_recipient_restrictions = reject\n# note\nx = 1\n");
    }

    @Test
    void emptyFile() {
        assertThat(MainCfEditor.edit("", Map.of("a", "b"))).isEqualTo("a = b\n");
    }
}
