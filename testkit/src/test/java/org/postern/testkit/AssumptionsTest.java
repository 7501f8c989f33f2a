// AssumptionsTest: a missing program skips a test outside CI and fails it under CI=true.
// Unit test of testkit's Assumptions.
package org.postern.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class AssumptionsTest {
    private static final String MISSING = "no-such-program-postern-testkit";

    @Test
    void findsProgramsOnPathAndInSbin() {
        assertThat(Assumptions.findCommand("sh")).isPresent();
        assertThat(Assumptions.requireCommand("sh", true)).isExecutable();
        assertThat(Assumptions.findCommand(MISSING)).isEmpty();
    }

    @Test
    void missingProgramSkipsOutsideCi() {
        assertThatThrownBy(() -> Assumptions.requireCommand(MISSING, false))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining(MISSING).hasMessageContaining("not installed");
    }

    @Test
    void missingProgramFailsUnderCi() {
        assertThatThrownBy(() -> Assumptions.requireCommand(MISSING, true))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("CI=true").hasMessageContaining(MISSING);
    }

    @Test
    void namesTheDebianPackage() {
        assertThat(Assumptions.packageOf("smtp-sink")).isEqualTo("postfix");
        assertThat(Assumptions.packageOf("/usr/sbin/postconf")).isEqualTo("postfix");
        assertThat(Assumptions.packageOf("swaks")).isEqualTo("swaks");
        assertThatThrownBy(() -> Assumptions.requireCommand("/nonexistent/smtp-sink", false))
                .isInstanceOf(TestAbortedException.class).hasMessageContaining("'postfix'");
    }
}
